"""The mails of a booking request, as plain text: the customer's, in the request's language
from the theme's catalogs, at each change they should know about; and the staff's notices,
in English, when a request arrives or its customer cancels it.

As in :mod:`.mail`, whatever the visitor wrote stays in the body: single-line values on one
line, their message quoted line by line, so nothing they write can pass for a line of ours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..forms.fields import N_
from ..i18n import format_day, format_money
from .mail import Translate, one_line, quoted
from .store import Mail

SUBJECTS = {
    "received": N_("We received your booking request %(reference)s"),
    "waitlist": N_("You are on the waiting list: %(reference)s"),
    "offered": N_("An offer for your booking request %(reference)s"),
    "confirmed": N_("Your booking %(reference)s is confirmed"),
    "declined": N_("About your booking request %(reference)s"),
    "cancelled": N_("Your booking request %(reference)s is cancelled"),
}
OPENINGS = {
    "received": N_("thank you for your booking request. We will answer within %(hours)s "
                   "hours."),
    "waitlist": N_("thank you: you are on the waiting list for this trip. We will write to "
                   "you as soon as a place is free."),
    "offered": N_("we can offer you this trip. Please read our offer below, and answer this "
                  "mail to accept it."),
    "confirmed": N_("your booking is confirmed. The trip's dates are in the calendar file "
                    "attached to this mail."),
    "declined": N_("we are sorry: we cannot offer this trip for the date you asked for."),
    "cancelled": N_("your booking request has been cancelled."),
    "cancelled_by_you": N_("you cancelled your booking request. Nothing more is needed from "
                           "you."),
}


@dataclass(frozen=True)
class Letterhead:
    """What every customer mail of one request needs: the request's language (texts and
    formats), the company, the private link to the request's page, and where an answer
    goes (the staff who handle bookings: an offer is accepted by answering it)."""

    gettext: Translate
    lang: str
    site_name: str
    hours: int
    status_url: str
    reply_to: str = ""

    def day(self, value: str) -> str:
        return format_day(dt.date.fromisoformat(value), self.lang)

    def money(self, value: Decimal, currency: str) -> str:
        return format_money(value, currency, self.lang)


def persons(request: dict[str, Any]) -> int:
    return int(request["adults"]) + int(request["children"])


def estimate(request: dict[str, Any]) -> Decimal:
    return Decimal(str(request["price"])) * persons(request)


def dates(request: dict[str, Any], day: Callable[[str], str]) -> str:
    first, last = request["departure"], request["ends_on"]
    return day(first) if first == last else f"{day(first)} – {day(last)}"


def details(request: dict[str, Any], head: Letterhead, with_estimate: bool = False) -> str:
    """The request as the customer sent it, in their language; the estimate only until staff
    have answered with a price of their own. (No gettext call inside an f-string: the
    catalogs' extractor would not see it.)"""
    _ = head.gettext
    lines = [(_("Reference"), request["reference"]),
             (_("Trip"), one_line(request["trip_title"])),
             (_("Dates"), dates(request, head.day)),
             (_("Adults"), request["adults"]), (_("Children"), request["children"])]
    if with_estimate:
        money = head.money(estimate(request), request["currency"])
        caveat = _("price per person × persons; not yet a confirmed price")
        lines.append((_("Estimate"), f"{money} ({caveat})"))
    return "\n".join(f"{label}: {value}" for label, value in lines)


def customer_mail(request: dict[str, Any], head: Letterhead, event: str, note: str = "",
                  payment_url: str = "", calendar: str = "") -> Mail:
    """The customer's mail about ``event``: a key of :data:`OPENINGS` (the new request is
    ``received`` or ``waitlist``; a request the customer cancelled, ``cancelled_by_you``)."""
    _ = head.gettext
    name = one_line(request["name"])
    reference = request["reference"]
    parts = [_("Hello %(name)s,") % {"name": name} if name else _("Hello,"),
             _(OPENINGS[event]) % {"hours": head.hours}]
    if note.strip():
        parts.append(_("Our note:") + "\n" + note.strip())
    if event == "offered" and payment_url:
        parts.append(_("You can pay on our payment page; please give the reference "
                       "%(reference)s there:") % {"reference": reference} + "\n" + payment_url)
    new = event in ("received", "waitlist")
    parts.append(details(request, head, with_estimate=new))
    if new and request.get("message"):
        parts += [_("What you wrote:"), quoted(request["message"])]
    parts += [_("Follow your request, or cancel it, on its own page (the link is for you "
                "alone):") + "\n" + head.status_url, head.site_name]
    subject = _(SUBJECTS[event.removesuffix("_by_you")]) % {"reference": reference}
    return Mail(f"booking-{event}", request["email"], f"{subject} — {head.site_name}",
                "\n\n".join(parts) + "\n", reply_to=head.reply_to,
                attachment_name=f"{reference}.ics" if calendar else "", attachment=calendar)


def staff_notice(request: dict[str, Any], staff_address: str, site_name: str, admin_url: str,
                 hours: int, cancelled: bool = False) -> Mail:
    """A new request (or the customer's cancelling of one), for staff, with ``Reply-To``
    the customer."""
    name = one_line(request["name"])
    kind = "waiting list" if request.get("waitlist") else "booking request"
    what = "cancelled by the customer" if cancelled else "new"
    lines = [f"{kind.capitalize()} {request['reference']} ({what})",
             f"Trip: {one_line(request['trip_title'])} ({request['trip']})",
             f"Dates: {dates(request, lambda day: day)}",
             f"Adults: {request['adults']}, children: {request['children']}",
             f"Estimate: {estimate(request)} {request['currency']}",
             f"Name: {name}", f"E-mail: {request['email']}",
             f"Phone: {one_line(request.get('phone') or '-')}",
             f"Language: {request['lang']}",
             f"Campaign: {request.get('campaign') or '-'}",
             f"Page: {one_line(request.get('page') or '-', 2000)}"]
    if not cancelled:
        message = request.get("message", "")
        lines += ["", "Message, as the sender wrote it:" if message else "(no message)"]
        if message:
            lines.append(quoted(message))
        lines += ["", f"Answer within {hours} hours:"]
    lines.append(f"{admin_url}bookings/{request['id']}")
    subject = f"[{site_name}] {kind} {request['reference']} {what}: {name}"
    return Mail("staff", staff_address, subject, "\n".join(lines) + "\n",
                reply_to=request["email"])
