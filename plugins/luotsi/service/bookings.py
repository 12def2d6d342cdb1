"""Booking requests: what a visitor may request, and the states a request goes through.

Pure functions over the form and the trip's :class:`~luotsi.forms.booking.TripOffer`, so
that the no-JavaScript page, the JSON answer and the tests share one set of rules. A request
is checked against the facts of the trip page it was sent from (its language version): the
dates offered, the group size and the price per person the visitor saw.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..forms.booking import BOOKING_HORIZON_DAYS, BOOKING_LIMITS, TripOffer
from ..forms.fields import N_
from .validation import Result, checked_address, read_fields, site_url_ok

STATUSES = ("received", "seen", "offered", "confirmed", "declined", "cancelled")
# Where staff may move a request from each state; cancelling is also the customer's own.
MOVES: dict[str, tuple[str, ...]] = {
    "received": ("seen", "offered", "confirmed", "declined", "cancelled"),
    "seen": ("offered", "confirmed", "declined", "cancelled"),
    "offered": ("confirmed", "declined", "cancelled"),
    "confirmed": ("cancelled",),
    "declined": (),
    "cancelled": (),
}
ANSWERS = frozenset({"offered", "confirmed", "declined"})  # the customer's first answer
TOLD = frozenset({"offered", "confirmed", "declined", "cancelled"})  # mailed to the customer

STATUS_LABELS = {
    "received": N_("Request received"),
    "seen": N_("Seen by our staff"),
    "offered": N_("Offer sent"),
    "confirmed": N_("Confirmed"),
    "declined": N_("Declined"),
    "cancelled": N_("Cancelled"),
}

_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*")
_CAMPAIGN = re.compile(r"[A-Za-z0-9._~-]{1,100}")


def can_move(old: str, new: str) -> bool:
    return new in MOVES.get(old, ())


def can_cancel(status: str) -> bool:
    return can_move(status, "cancelled")


@dataclass
class BookingResult(Result):
    """Clean values or one message key per field, plus the values some messages name
    (the season's dates, the group size)."""

    params: dict[str, dict[str, Any]] = field(default_factory=dict)


def campaign_of(url: str) -> str:
    """The ``utm_campaign`` a page was reached with (a poster's code carries its own)."""
    values = parse_qs(urlsplit(url).query).get("utm_campaign", [""])
    return values[0] if _CAMPAIGN.fullmatch(values[0]) else ""


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _departure(result: BookingResult, offer: TripOffer, today: dt.date) -> None:
    """The start date: one of the trip's departures, or a day in its season (or within
    :data:`BOOKING_HORIZON_DAYS` when it has none), never a day that has passed."""
    text = result.values["departure"]
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    first = max(offer.valid_from or today, today)
    last = offer.valid_through or today + dt.timedelta(days=BOOKING_HORIZON_DAYS)
    if day is None:
        result.errors.setdefault("departure", "departure" if offer.departures
                                 else "departure_date")
        result.params["departure"] = {"example": first}
    elif day < today:
        result.errors.setdefault("departure", "departure_past")
    elif offer.departures and day not in offer.departures:
        result.errors.setdefault("departure", "departure")
    elif not offer.departures and not first <= day <= last:
        result.errors.setdefault("departure", "departure_season")
        result.params["departure"] = {"first": first, "last": last}
    else:
        result.values["departure"] = day.isoformat()
        result.values["ends_on"] = offer.end(day).isoformat()


def _persons(result: BookingResult, offer: TripOffer) -> None:
    adults, children = (_count(result.values[name] or ("0" if name == "children" else ""))
                        for name in ("adults", "children"))
    for name, count in (("adults", adults), ("children", children)):
        if count is None:
            result.errors.setdefault(name, "count")
    if adults is None or children is None:
        return
    if adults < 1:
        result.errors.setdefault("persons", "persons_none")
    elif adults + children > offer.max_persons:
        result.errors.setdefault("persons", "persons_many")
        result.params["persons"] = {"max": offer.max_persons}
    result.values["adults"], result.values["children"] = adults, children


def validate_booking(form: Mapping[str, str], offer: TripOffer | None,
                     languages: Sequence[str], site_url: str, today: dt.date
                     ) -> BookingResult:
    """Check a booking-request form against the trip it names (None: no such trip)."""
    fields = read_fields(form, BOOKING_LIMITS)
    result = BookingResult(fields.values, fields.errors)
    values = result.values
    if values["lang"] not in languages:
        result.errors.setdefault("lang", "lang")
    if not values["name"]:
        result.errors.setdefault("name", "required_name")
    if not values["email"]:
        result.errors.setdefault("email", "booking_email")
    checked_address(result, key="booking_email")
    phone = values["phone"]
    if phone and not (_PHONE.fullmatch(phone) and 5 <= sum(c.isdigit() for c in phone) <= 20):
        result.errors.setdefault("phone", "phone")
    if values["consent"] not in ("on", "yes", "1"):
        result.errors.setdefault("consent", "booking_consent")
    if values["page"] and not site_url_ok(values["page"], site_url):
        result.errors.setdefault("page", "page")
    values["campaign"] = campaign_of(values["page"]) if "page" not in result.errors else ""
    if offer is None or not offer.bookable or offer.lang != values["lang"]:
        result.errors.setdefault("trip", "trip")
        return result
    if offer.waitlist and values["waitlist"] != "yes":
        result.errors.setdefault("trip", "sold_out")
    _departure(result, offer, today)
    _persons(result, offer)
    values.update(trip=offer.key, trip_title=offer.title, trip_url=offer.url,
                  price=str(offer.price), currency=offer.currency,
                  waitlist=1 if offer.waitlist else 0)
    return result
