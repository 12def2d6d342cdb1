"""The staff's booking queue: list and filter requests, open one (which tells the customer
it was seen), and move it through its states with a note.

Every move the customer should know about (an offer, a confirmation, a refusal, a
cancellation) is stored with its mail, in the customer's language, in one transaction; a
confirmation carries the trip's dates as a calendar file. Sign-in, CSRF and origin checks
are the admin's own (:mod:`.admin`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from . import booking_mail
from .admin import Who, authorised_form, csv_response, session, signed_in_page, staff_page, when
from .booking_routes import letterhead, status_link
from .bookings import ANSWERS, MOVES, STATUSES, TOLD, can_move
from .calendar import calendar
from .state import Service, service_of
from .store import Mail, token_hash

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"https://[^\s<>\"']+")
NOTE_LIMIT = 2000


def request_id(request: Request) -> int | None:
    value = int(request.path_params["request_id"])
    return value if 0 < value < 2 ** 63 else None


def filters_of(request: Request) -> dict[str, str]:
    """The queue's filters from the query: unknown values are dropped, not trusted."""
    query = request.query_params
    wanted = {key: query.get(key, "")[:100] for key in ("status", "trip", "from", "until", "q")}
    if wanted["status"] not in STATUSES:
        wanted["status"] = ""
    for key in ("from", "until"):
        if not _DAY.fullmatch(wanted[key]):
            wanted[key] = ""
    return wanted


@staff_page
async def queue(request: Request, who: Who) -> Response:
    service = service_of(request)
    wanted = filters_of(request)
    found = await run_in_threadpool(
        service.store.requests, status=wanted["status"], trip=wanted["trip"],
        departs_from=wanted["from"], departs_until=wanted["until"], text=wanted["q"])
    for item in found:
        item["received"] = when(item["created_at"])
        item["persons"] = int(item["adults"]) + int(item["children"])
    trips = sorted({*service.offers.keys(), *(r["trip"] for r in found)})
    return signed_in_page(request, who, "admin_bookings.html", requests=found,
                          filters=wanted, statuses=STATUSES, trips=trips)


@staff_page
async def detail(request: Request, who: Who) -> Response:
    """One request; the first time staff open it, the customer's page says it was seen."""
    service = service_of(request)
    wanted = request_id(request)
    found = None if wanted is None else await run_in_threadpool(service.store.request, wanted)
    if found is None:
        return signed_in_page(request, who, "admin_login.html", 404, error="No such request.")
    if found["status"] == "received":
        await run_in_threadpool(service.store.move_request, found["id"], "seen", "", who[0],
                                can_move, ANSWERS, lambda _: [])
        found = await run_in_threadpool(service.store.request, found["id"])
    for event in found["events"]:
        event["when"] = when(event["at"])
    found["received"] = when(found["created_at"])
    found["estimate"] = booking_mail.estimate(found)
    return signed_in_page(request, who, "admin_booking.html", r=found,
                          moves=MOVES[found["status"]], told=TOLD,
                          payment_url=(service.site.booking or {}).get("payment_url", ""))


def confirmation_calendar(service: Service, found: dict[str, Any]) -> str:
    """The trip's dates as the customer's calendar will show them: title and description
    in their language, the reference as the entry's stable UID."""
    domain = service.config.mail_from.rpartition("@")[2] or "luotsi.invalid"
    head = letterhead(service, found, "")
    description = f"{booking_mail.details(found, head)}\n{found['trip_url']}"
    return calendar(f"{found['reference']}@{domain}", found["trip_title"],
                    dt.date.fromisoformat(found["departure"]),
                    dt.date.fromisoformat(found["ends_on"]), found["trip_url"], description,
                    service.moment(found["updated_at"]))


async def move(request: Request) -> Response:
    """Move a request to a new state with a note; the customer's mail is queued with it."""
    data = await authorised_form(request)
    if isinstance(data, Response):
        return data
    service = service_of(request)
    wanted = request_id(request)
    found = None if wanted is None else await run_in_threadpool(service.store.request, wanted)
    if found is None:
        return Response("No such request.", status_code=404)
    status, note = data.get("status", ""), data.get("note", "").strip()
    payment = data.get("payment_url", "").strip()
    if status not in STATUSES or not can_move(found["status"], status):
        return Response(f"A request that is {found['status']} cannot become {status!r}.",
                        status_code=409)
    if len(note) > NOTE_LIMIT or (payment and not _URL.fullmatch(payment)):
        return Response(f"The note may have at most {NOTE_LIMIT} characters; the payment "
                        "link must be one https:// address.", status_code=422)
    who = (await session(request) or ("", ""))[0]
    token, url = status_link(service) if status in TOLD else ("", "")

    def mails(moved: dict[str, Any]) -> list[Mail]:
        if status not in TOLD:
            return []
        head = letterhead(service, moved, url)
        ics = confirmation_calendar(service, moved) if status == "confirmed" else ""
        return [booking_mail.customer_mail(moved, head, status, note, payment, ics)]

    moved = await run_in_threadpool(service.store.move_request, found["id"], status, note,
                                    who, can_move, ANSWERS, mails,
                                    token_hash(token) if token else "")
    if moved is None:
        return Response("Someone changed this request meanwhile: open it again.",
                        status_code=409)
    return RedirectResponse(f"{service.base}/admin/bookings/{found['id']}", status_code=303)


@staff_page
async def export(request: Request, who: Who) -> Response:
    """Every request as CSV (the same safe cells as the messages' export)."""
    found = await run_in_threadpool(service_of(request).store.requests, limit=1_000_000)
    fields = ["reference", "received", "status", "trip", "departure", "ends_on", "adults",
              "children", "price", "currency", "waitlist", "name", "email", "phone", "lang",
              "campaign", "message"]
    for item in found:
        item["received"] = when(item["created_at"])
    return csv_response("bookings.csv", fields, found)


ROUTES = [
    Route("/bookings", queue, methods=["GET"]),
    Route("/bookings.csv", export, methods=["GET"]),
    Route("/bookings/{request_id:int}", detail, methods=["GET"]),
    Route("/bookings/{request_id:int}/status", move, methods=["POST"]),
]
