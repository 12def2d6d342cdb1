"""The visitor's side of booking requests: the trip page's form, the request's private status
page, and cancelling it.

A request gets the same treatment as a feedback message (:mod:`.public`): size, encoding,
origin, the hidden spam field, fields, the signed time trap and the rate (counted with the
feedback form's) are checked, and it is stored with its reference and mails in one
transaction before the visitor is answered. Without JavaScript the service answers the first
post with the form filled in, the estimate and a token, and the visitor confirms; then, as
with JavaScript, they land on the request's own page.

The status page is reached only with a random token (its hash is stored, never the token):
no login and nothing personal in the address. Looking at it never changes anything;
cancelling is a POST from its page (a GET of the cancel link only asks).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..forms import tokens
from ..forms.booking import BOOKING_LIMITS, TripOffer
from ..i18n import format_day, format_money
from . import booking_mail
from .bodies import BadRequest, read_urlencoded
from .bookings import ANSWERS, STATUS_LABELS, can_cancel, can_move, validate_booking
from .public import honeypot, read_form, token_problem
from .state import FormPage, Service, service_of, wants_json
from .store import Mail, now, token_hash
from .validation import site_url_ok

STATUS_PURPOSE = "booking-status"
# A page opened with a status link is never cached, and tells no other page its address
# (which holds the token): links and forms on it send the origin alone. Not "no-referrer",
# which would make the cancel button's POST say "Origin: null" and be refused.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "strict-origin"}


# -- shared by the endpoints and the admin ------------------------------------------------
def status_link(service: Service) -> tuple[str, str]:
    """(token, URL) of a new status link; the store keeps the token's hash."""
    token = tokens.random_token(service.config.secret, STATUS_PURPOSE)
    return token, f"{service.site.service_url}/booking/status?{urlencode({'t': token})}"


def letterhead(service: Service, request: dict[str, Any], status_url: str
               ) -> booking_mail.Letterhead:
    lang = service.lang_of(request["lang"])
    catalog = service.catalogs.get(lang)
    return booking_mail.Letterhead(catalog.gettext if catalog else (lambda s: s), lang,
                                   service.site.name, service.site.answer_within_hours,
                                   status_url, staff_address(service))


def staff_address(service: Service) -> str:
    """Where notices about requests go: the booking topic's address, else the company's."""
    return service.site.topics.get("booking") or service.site.company.get("email") or \
        next(iter(service.site.topics.values()))


def notice(service: Service, request: dict[str, Any], cancelled: bool = False) -> Mail:
    return booking_mail.staff_notice(request, staff_address(service), service.site.name,
                                     f"{service.site.service_url}/admin/",
                                     service.site.answer_within_hours, cancelled)


def find_request(service: Service, token: str) -> dict[str, Any] | None:
    """The request a status link opens, or None for a forged, expired or erased one (a
    forged one never reaches the database)."""
    if not tokens.random_token_ok(service.config.secret, STATUS_PURPOSE, token):
        return None
    return service.store.request_by_link(token_hash(token), service.config.retention_days,
                                         now())


# -- the form --------------------------------------------------------------------------------
def with_campaign(page: str, referer: str, site_url: str) -> str:
    """The page a request was sent from, as the browser had it. The script writes it into
    the form (``location.href``, with the campaign of a poster's code); without the script,
    the form holds the page's plain address, and a ``Referer`` naming the same page with a
    query (sent when the site and the service share a host) brings the campaign back."""
    if page and not urlsplit(page).query and site_url_ok(referer, site_url) and \
            urlsplit(referer).path == urlsplit(page).path:
        return referer
    return page


def booking_page(service: Service, offer: TripOffer | None) -> FormPage:
    """The booking form shown again by the service: filled in, with its estimate and a
    message per field (or only the message, when there is no trip to show a form for)."""

    def page(lang: str, values: dict[str, str], errors: dict[str, str], message_key: str,
             status: int, params: dict[str, dict[str, Any]] | None = None) -> Response:
        heading = "waitlist_heading" if offer and offer.waitlist else "booking_heading"
        again = service.form_again(values)
        again["page_url"] = again["page_url"] or (offer.url if offer else "")
        return service.render(
            "feedback/booking_page.html", lang, status, offer=offer, form_id="booking",
            **again, heading=service.gettext(lang, heading),
            errors=service.field_messages(lang, errors, params),
            form_message=service.gettext(lang, message_key),
            trips_url=service.site.page_url(lang, "trips/"))

    return page


async def submit(request: Request) -> Response:
    service = service_of(request)
    try:
        form = await read_form(request, BOOKING_LIMITS)
    except BadRequest as error:
        return service.answer(request, service.site.default_lang, error.status, error.key,
                              page=booking_page(service, None))
    lang = service.lang_of(form.get("lang", ""))
    offer = service.offers.find(form.get("trip", ""), lang)
    page = booking_page(service, offer)
    if service.site.booking is None:
        return service.answer(request, lang, 404, "trip", page=page)
    if not service.origin_ok(request):
        return service.answer(request, lang, 403, "origin", page=page)
    trapped = await honeypot(service, request, form, lang)
    if trapped is not None:  # answered as if accepted, but nothing is stored or mailed
        return trapped or decoy(service, request, lang)
    form["page"] = with_campaign(form.get("page", ""), request.headers.get("referer", ""),
                                 service.site.url)
    when = service.now()
    result = validate_booking(form, offer, service.site.languages, service.site.url,
                              when.date())
    problem = token_problem(service, form)
    if problem == "confirm" and result.ok:  # no token: a visitor without JavaScript
        return service.answer(request, lang, 422 if wants_json(request) else 200,
                              "booking_confirm", shown(form), page=page)
    errors = dict(result.errors)
    if problem in ("question", "wrong_answer"):
        errors["answer"] = problem
    if problem or errors:
        return service.answer(request, lang, 422, problem or "fix_fields", shown(form), errors,
                              page=page, params=result.params)
    if not service.rate.allow(service.client(request)):
        return service.answer(request, lang, 429, "rate", shown(form), page=page)
    token, url = status_link(service)

    def mails(stored: dict[str, Any]) -> list[Mail]:
        head = letterhead(service, stored, url)
        event = "waitlist" if stored["waitlist"] else "received"
        return [booking_mail.customer_mail(stored, head, event), notice(service, stored)]

    prefix = service.site.booking["reference_prefix"]
    _, reference = await service.committer.write(partial(
        service.store.write_request, result.values, token_hash(token), prefix, when.year,
        mails))  # committed: on disk, with its mails, before we answer
    target = f"{url}&sent=1"
    if wants_json(request):
        return JSONResponse({"ok": True, "reference": reference, "next": target,
                             "message": thanks(service, lang, bool(result.values["waitlist"]))},
                            status_code=201)
    return RedirectResponse(target, status_code=303)


def shown(form: dict[str, str]) -> dict[str, str]:
    """What the visitor sent, cut to each field's limit, for the form shown again."""
    return {name: form.get(name, "")[:limit] for name, limit in BOOKING_LIMITS.items()
            if name != "token"}


def thanks(service: Service, lang: str, waitlist: bool) -> str:
    text = service.gettext(lang, "booking_waitlisted" if waitlist else "booking_thanks")
    return text % {"hours": service.site.answer_within_hours} if "%(" in text else text


def decoy(service: Service, request: Request, lang: str) -> Response:
    """What a bot that filled the hidden field is told: that it worked."""
    if wants_json(request):
        return JSONResponse({"ok": True, "message": thanks(service, lang, False),
                             "next": service.site.thanks_url(lang)}, status_code=201)
    return RedirectResponse(service.site.thanks_url(lang), status_code=303)


# -- the request's own page --------------------------------------------------------------
def status_page(service: Service, found: dict[str, Any], token: str, message_key: str = "",
                status: int = 200, sent: bool = False) -> Response:
    lang = service.lang_of(found["lang"])
    events = [{**event, "label": service.gettext(lang, STATUS_LABELS[event["status"]]),
               "when": service.moment(event["at"])} for event in found["events"]]
    persons = int(found["adults"]) + int(found["children"])
    message = thanks(service, lang, bool(found["waitlist"])) if sent else ""
    answer = service.render(
        "feedback/booking_status.html", lang, status, req=found, events=events,
        heading=with_reference(service, lang, "status_heading", found["reference"]),
        first=format_day(dt.date.fromisoformat(found["departure"]), lang, "long"),
        last=format_day(dt.date.fromisoformat(found["ends_on"]), lang, "long"),
        estimate=format_money(booking_mail.estimate(found), found["currency"], lang),
        persons=persons, message=message or service.gettext(lang, message_key),
        cancel_url=f"{service.site.service_url}/booking/cancel?{urlencode({'t': token})}"
        if can_cancel(found["status"]) else "")
    answer.headers.update(PRIVATE)
    return answer


def with_reference(service: Service, lang: str, message_key: str, reference: str) -> Markup:
    """A heading that names the reference, which never breaks at its hyphens."""
    return Markup.escape(service.gettext(lang, message_key)) % {
        "reference": Markup('<span class="reference">{}</span>').format(reference)}


def not_valid(service: Service, request: Request, status: int = 404,
              message_key: str = "status_link") -> Response:
    """A forged, expired or erased link: the same page whatever the reason."""
    lang = service.lang_of_request(request)
    answer = service.render("feedback/qr_unknown.html", lang, status,
                            heading=service.gettext(lang, message_key),
                            home=service.site.page_url(lang, ""))
    answer.headers.update(PRIVATE)
    return answer


async def status(request: Request) -> Response:
    service = service_of(request)
    token = request.query_params.get("t", "")
    found = await run_in_threadpool(find_request, service, token)
    if found is None:
        return not_valid(service, request)
    return status_page(service, found, token, sent=request.query_params.get("sent") == "1")


async def cancel(request: Request) -> Response:
    """GET asks (a link scanner cancels nothing); POST, from the page's button, cancels."""
    service = service_of(request)
    token = request.query_params.get("t", "")
    if request.method == "POST":
        if not service.origin_ok(request):
            return not_valid(service, request, 403, "origin")
        try:
            token = dict(await read_urlencoded(request, 4096, max_fields=4)).get("t", token)
        except BadRequest as error:
            return Response(service.gettext(service.lang_of_request(request), error.key),
                            status_code=error.status)
    found = await run_in_threadpool(find_request, service, token)
    if found is None:
        return not_valid(service, request)
    if not can_cancel(found["status"]):
        return status_page(service, found, token, "cancel_too_late", 409)
    if request.method != "POST":  # GET, and the HEAD Starlette answers with it, only ask
        lang = service.lang_of(found["lang"])
        answer = service.render(
            "feedback/booking_cancel.html", lang, req=found, token=token,
            heading=with_reference(service, lang, "cancel_heading", found["reference"]),
            action=f"{service.site.service_url}/booking/cancel",
            back=f"{service.site.service_url}/booking/status?{urlencode({'t': token})}")
        answer.headers.update(PRIVATE)
        return answer
    new_token, url = status_link(service)

    def mails(moved: dict[str, Any]) -> list[Mail]:
        head = letterhead(service, moved, url)
        return [booking_mail.customer_mail(moved, head, "cancelled_by_you"),
                notice(service, moved, cancelled=True)]

    moved = await run_in_threadpool(service.store.move_request, found["id"], "cancelled", "",
                                    "customer", can_move, ANSWERS, mails,
                                    token_hash(new_token))
    if moved is None:  # staff moved it meanwhile
        return status_page(service, found, token, "cancel_too_late", 409)
    found = await run_in_threadpool(find_request, service, token)
    assert found is not None
    return status_page(service, found, token, "cancelled_done")
