"""The staff side: sign in, list, filter, read, mark answered, testimonials, export, failed
mail, and the report.

Passwords are stored only as argon2 hashes; wrong ones slow down further tries from the same
address (:mod:`.throttle`). A session is a random id in a cookie (HttpOnly, SameSite=Strict,
Secure behind https) whose hash the store keeps: it expires, and signing out ends it on the
server. Every state-changing form carries a CSRF token derived from the session, and POSTs
must come from the service's own origin.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..forms import tokens
from ..urls import origin
from .bodies import BadRequest, read_urlencoded
from .charts import Series, bar_chart
from .excerpts import is_excerpt
from .exports import csv_text
from .reports import (
    booking_times,
    campaigns,
    last_days,
    per_day,
    requests_per_trip,
    response_times,
    scans_per_day,
)
from .state import Service, service_of

ADMIN_LANG = "en"  # the admin speaks English
COOKIE = "luotsi_admin"
SESSION_SECONDS = 12 * 3600
FORM_LIMIT = 16 * 1024  # bytes of any admin form: a note, a testimonial, a password
REPORT_DAYS = 30  # the report's chart of requests and scans per day
_hasher = PasswordHasher()
# Verifying against a dummy hash keeps the time of a wrong user name and a wrong password alike.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(hashed: str | None, password: str) -> bool:
    try:
        return _hasher.verify(hashed or _DUMMY, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def csrf_token(secret: bytes, session_id: str) -> str:
    return tokens.seal(secret, "csrf", {"n": session_id}).rpartition(".")[2]


def when(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M")


# -- helpers shared by the endpoints ---------------------------------------------------------
def page(service: Service, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """An admin page (in English), never cached."""
    response = service.render(f"feedback/{template}", ADMIN_LANG, status, base=service.base,
                              **context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def session(request: Request) -> tuple[str, str] | None:
    """(user, session id) of a started, unexpired, not ended session of a user who still
    exists."""
    service = service_of(request)
    session_id = request.cookies.get(COOKIE, "")
    if not session_id or len(session_id) > 100:
        return None
    user = await run_in_threadpool(service.store.session, session_id, SESSION_SECONDS)
    return (user, session_id) if user is not None and user in service.config.admins else None


def same_origin(request: Request) -> bool:
    sent_from = request.headers.get("origin")
    return sent_from is None or sent_from == origin(service_of(request).site.service_url)


async def read_admin_form(request: Request) -> dict[str, str]:
    """A posted admin form (the first value of each field), or :class:`BadRequest`."""
    form: dict[str, str] = {}
    for key, value in await read_urlencoded(request, FORM_LIMIT, max_fields=20):
        form.setdefault(key, value)
    return form


async def authorised_form(request: Request) -> dict[str, str] | Response:
    """The posted form of a signed-in user from our own origin with the right CSRF token;
    the refusal for anything else. Nobody else's body is read."""
    service = service_of(request)
    who = await session(request)
    if who is None or not same_origin(request):
        return forbidden()
    try:
        data = await read_admin_form(request)
    except BadRequest as error:
        return Response(service.gettext(ADMIN_LANG, error.key), status_code=error.status)
    if not tokens.same(data.get("csrf", ""), csrf_token(service.config.secret, who[1])):
        return forbidden()
    return data


def message_id(request: Request) -> int | None:
    """The message id in the path, or None when no row can have it (SQLite and PostgreSQL
    ids are 64-bit)."""
    value = int(request.path_params["message_id"])
    return value if 0 < value < 2 ** 63 else None


Who = tuple[str, str]  # (user, session id)


def staff_page(endpoint: Callable[[Request, Who], Awaitable[Response]]
               ) -> Callable[[Request], Awaitable[Response]]:
    """An admin page for signed-in staff (the endpoint gets who they are); anyone else is
    sent to the sign-in page, and nothing of the page is computed for them."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        who = await session(request)
        if who is None:
            return login_redirect(request)
        return await endpoint(request, who)

    return guarded


def login_redirect(request: Request) -> Response:
    return RedirectResponse(f"{service_of(request).base}/admin/login", status_code=303)


def forbidden() -> Response:
    return Response("Forbidden: sign in again and retry.", status_code=403)


def signed_in_page(request: Request, who: tuple[str, str], template: str, status: int = 200,
                   **context: Any) -> HTMLResponse:
    service = service_of(request)
    return page(service, template, status, user=who[0],
                csrf=csrf_token(service.config.secret, who[1]), **context)


# -- endpoints -------------------------------------------------------------------------------
async def login_page(request: Request) -> Response:
    return page(service_of(request), "admin_login.html", user=None)


async def login(request: Request) -> Response:
    service = service_of(request)
    config = service.config

    def refused(status: int, error: str, **headers: str) -> Response:
        answer = page(service, "admin_login.html", status, user=None, error=error)
        answer.headers.update(headers)
        return answer

    if not same_origin(request):
        return refused(403, "Wrong origin.")
    try:
        data = await read_admin_form(request)
    except BadRequest as error:
        return refused(error.status, service.gettext(ADMIN_LANG, error.key))
    user, client = data.get("user", "")[:100], service.client(request)
    wait = service.login_throttle.wait(user, client)
    if wait > 0:
        seconds = math.ceil(wait)
        return refused(429, f"Too many wrong attempts from your address: wait {seconds} "
                            "seconds, then try again.", **{"Retry-After": str(seconds)})
    ok = await run_in_threadpool(verify, config.admins.get(user), data.get("password", ""))
    if not ok:
        service.login_throttle.failed(user, client)
        return refused(401, "Wrong user name or password.")
    service.login_throttle.succeeded(user, client)
    session_id = secrets.token_urlsafe(32)
    await run_in_threadpool(service.store.add_session, session_id, user, SESSION_SECONDS)
    response = RedirectResponse(f"{service.base}/admin/", status_code=303)
    response.set_cookie(COOKIE, session_id, max_age=SESSION_SECONDS, httponly=True,
                        samesite="strict", secure=config.secure_cookies,
                        path=f"{service.base}/admin")
    return response


async def logout(request: Request) -> Response:
    """Ends the session on the server: the cookie is worthless even if it was copied."""
    who = await session(request)
    if who is not None and same_origin(request):
        await run_in_threadpool(service_of(request).store.end_session, who[1])
    response = login_redirect(request)
    response.delete_cookie(COOKIE, path=f"{service_of(request).base}/admin")
    return response


@staff_page
async def listing(request: Request, who: Who) -> Response:
    service = service_of(request)
    filters = {k: request.query_params.get(k, "")[:100] for k in ("status", "topic", "lang", "q")}
    messages = await run_in_threadpool(
        service.store.messages, status=filters["status"], topic=filters["topic"],
        lang=filters["lang"], text=filters["q"])
    for m in messages:
        m["received"] = when(m["created_at"])
    return signed_in_page(request, who, "admin_list.html", messages=messages, filters=filters,
                          topics=list(service.site.topics), languages=service.site.languages)


@staff_page
async def message(request: Request, who: Who) -> Response:
    wanted = message_id(request)
    found = None if wanted is None else await run_in_threadpool(
        service_of(request).store.message, wanted)
    if found is None:
        return signed_in_page(request, who, "admin_login.html", 404, error="No such message.")
    found["received"], found["answered"] = when(found["created_at"]), when(
        found["answered_at"])
    if found["answered_at"]:
        found["hours"] = round((found["answered_at"] - found["created_at"]) / 3600, 1)
    return signed_in_page(request, who, "admin_message.html", m=found)


def _back_to(request: Request, path: str) -> Response:
    return RedirectResponse(f"{service_of(request).base}/admin/{path}", status_code=303)


def no_such_message() -> Response:
    return Response("No such message.", status_code=404)


async def answered(request: Request) -> Response:
    data = await authorised_form(request)
    if isinstance(data, Response):
        return data
    wanted = message_id(request)
    if wanted is None:
        return no_such_message()
    await run_in_threadpool(service_of(request).store.mark_answered, wanted,
                            data.get("note", "")[:500])
    return _back_to(request, f"messages/{wanted}")


async def testimonial(request: Request) -> Response:
    """Publish an excerpt of a message (under a chosen display name) as a testimonial, or
    withdraw it. Only messages whose sender ticked the publishing consent qualify, and only
    their own words (:mod:`.excerpts`)."""
    data = await authorised_form(request)
    if isinstance(data, Response):
        return data
    store = service_of(request).store
    wanted = message_id(request)
    found = None if wanted is None else await run_in_threadpool(store.message, wanted)
    if found is None:
        return no_such_message()
    if not found["publish_consent"]:
        return Response("This sender did not allow publishing.", status_code=409)
    if data.get("action") == "withdraw":
        await run_in_threadpool(store.set_testimonial, found["id"], None, None)
    else:
        text = " ".join(data.get("text", "").split())
        name = " ".join(data.get("display_name", "").split())[:80]
        if not text or not name or not is_excerpt(text, found["message"]):
            return Response("A testimonial needs a display name and the sender's own words: "
                            "shorten the message if you like, mark every left-out part with "
                            "[…], and change or add nothing.", status_code=422)
        await run_in_threadpool(store.set_testimonial, found["id"], text, name)
    return _back_to(request, f"messages/{found['id']}")


@staff_page
async def export(request: Request, who: Who) -> Response:
    messages = await run_in_threadpool(service_of(request).store.messages, limit=1_000_000)
    fields = ["id", "received", "lang", "topic", "name", "email", "message", "page",
              "helpful", "status", "answered"]
    for m in messages:
        m["received"], m["answered"] = when(m["created_at"]), when(m["answered_at"])
    return csv_response("feedback.csv", fields, messages)


def csv_response(filename: str, fields: list[str], rows: list[dict[str, Any]]) -> Response:
    """Rows as a CSV download that no spreadsheet runs formulas from (:mod:`.exports`)."""
    text = csv_text(fields, ([row[f] for f in fields] for row in rows))
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@staff_page
async def failed_mail(request: Request, who: Who) -> Response:
    """Mails that could not be sent, with the reason, and a button to try each again."""
    mails = await run_in_threadpool(service_of(request).store.outbox, True)
    for m in mails:
        m["failed"] = when(m["failed_at"])
    return signed_in_page(request, who, "admin_mail.html", mails=mails)


async def retry_mail(request: Request) -> Response:
    """Back in the queue: one failed mail (``mail_id`` in the path), or all of them."""
    data = await authorised_form(request)
    if isinstance(data, Response):
        return data
    wanted = request.path_params.get("mail_id")
    if wanted is not None and not 0 < int(wanted) < 2 ** 63:
        return Response("No such mail.", status_code=404)
    await run_in_threadpool(service_of(request).store.retry_mail, wanted)
    return _back_to(request, "mail")


@staff_page
async def report(request: Request, who: Who) -> Response:
    service = service_of(request)
    store = service.store
    rows = response_times(await run_in_threadpool(store.answered_times))
    scanned = await run_in_threadpool(store.scans)
    scans = scans_per_day(scanned)
    unanswered = len(await run_in_threadpool(store.messages, status="new", limit=100_000))
    targets = service.targets.get()
    times = booking_times(await run_in_threadpool(store.request_times))
    sources = await run_in_threadpool(store.request_sources)
    months = [row for row in times if row.trip == "all"]
    days = last_days(service.now().date(), REPORT_DAYS)
    daily = [Series("requests", per_day((at for _, _, at in sources), days)),
             Series("QR scans", per_day((at for _, at in scanned), days))]
    answer_chart = bar_chart(
        "chart-answers", "Booking requests: median hours to the first answer and to the "
        "confirmation, per month", [row.month for row in months],
        [Series("first answer", [row.answer_median for row in months]),
         Series("confirmation", [row.confirm_median for row in months])], "hours")
    daily_chart = bar_chart("chart-days", f"Booking requests and QR scans per day, last "
                            f"{REPORT_DAYS} days (UTC)", [day[5:] for day in days], daily)
    return signed_in_page(request, who, "admin_report.html", rows=rows, scans=scans,
                          unanswered=unanswered, targets=targets, booking_rows=times,
                          months=months, per_trip=requests_per_trip(sources),
                          campaigns=campaigns(scanned, targets, sources),
                          answer_chart=answer_chart, daily_chart=daily_chart,
                          days=list(zip(days, *(s.values for s in daily), strict=True)))


ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/", listing, methods=["GET"]),
    Route("/messages/{message_id:int}", message, methods=["GET"]),
    Route("/messages/{message_id:int}/answered", answered, methods=["POST"]),
    Route("/messages/{message_id:int}/testimonial", testimonial, methods=["POST"]),
    Route("/export.csv", export, methods=["GET"]),
    Route("/mail", failed_mail, methods=["GET"]),
    Route("/mail/retry", retry_mail, methods=["POST"]),
    Route("/mail/{mail_id:int}/retry", retry_mail, methods=["POST"]),
    Route("/report", report, methods=["GET"]),
]
