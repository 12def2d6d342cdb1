"""The staff side: sign in, list, filter, read, mark answered, export, and the report.

Passwords are stored only as argon2 hashes. A session is a signed, expiring cookie
(HttpOnly, SameSite=Strict, Secure behind https); every state-changing form carries a CSRF
token derived from the session, and POSTs must come from the service's own origin.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..forms import tokens
from ..urls import origin
from .bodies import BadRequest, read_capped
from .reports import response_times, scans_per_day
from .state import Service, service_of

COOKIE = "luotsi_admin"
SESSION_SECONDS = 12 * 3600
FORM_LIMIT = 16 * 1024  # bytes of any admin form: a note, a testimonial, a password
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


def make_session(secret: bytes, user: str, at: float | None = None) -> str:
    return tokens.seal(secret, "session", {"u": user, "t": int(at or time.time()),
                                           "n": secrets.token_urlsafe(9)})


def read_session(secret: bytes, cookie: str, admins: dict[str, str]) -> tuple[str, str] | None:
    """(user, nonce) of a valid, unexpired session of a user who still exists."""
    data = tokens.unseal(secret, "session", cookie)
    if not data or time.time() - float(data["t"]) > SESSION_SECONDS or data["u"] not in admins:
        return None
    return str(data["u"]), str(data["n"])


def csrf_token(secret: bytes, nonce: str) -> str:
    return tokens.seal(secret, "csrf", {"n": nonce}).rpartition(".")[2]


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M")


# -- helpers shared by the endpoints ---------------------------------------------------------
def page(service: Service, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """An admin page (in English), never cached."""
    response = service.render(f"feedback/{template}", "en", status, base=service.base,
                              **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def session(request: Request) -> tuple[str, str] | None:
    config = service_of(request).config
    cookie = request.cookies.get(COOKIE, "")
    return read_session(config.secret, cookie, config.admins) if cookie else None


def same_origin(request: Request) -> bool:
    sent_from = request.headers.get("origin")
    return sent_from is None or sent_from == origin(service_of(request).site.service_url)


async def read_admin_form(request: Request) -> dict[str, str]:
    """A posted admin form; an oversized body reads as an empty form (and is refused)."""
    try:
        body = await read_capped(request, FORM_LIMIT)
    except BadRequest:
        return {}
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


async def authorised_form(request: Request) -> dict[str, str] | None:
    """The posted form of a signed-in user from our own origin with the right CSRF token;
    None for anything else."""
    who = session(request)
    data = await read_admin_form(request)
    secret = service_of(request).config.secret
    if who is None or not same_origin(request) or not hmac.compare_digest(
            data.get("csrf", ""), csrf_token(secret, who[1])):
        return None
    return data


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
    if not same_origin(request):
        return page(service, "admin_login.html", 403, user=None, error="Wrong origin.")
    if not service.login_rate.allow(service.client(request)):
        return page(service, "admin_login.html", 429, user=None,
                    error="Too many attempts. Wait ten minutes.")
    data = await read_admin_form(request)
    user = data.get("user", "")
    ok = await run_in_threadpool(verify, config.admins.get(user), data.get("password", ""))
    if not ok:
        return page(service, "admin_login.html", 401, user=None,
                    error="Wrong user name or password.")
    response = RedirectResponse(f"{service.base}/admin/", status_code=303)
    response.set_cookie(COOKIE, make_session(config.secret, user), max_age=SESSION_SECONDS,
                        httponly=True, samesite="strict", secure=config.secure_cookies,
                        path=f"{service.base}/admin")
    return response


async def logout(request: Request) -> Response:
    response = login_redirect(request)
    response.delete_cookie(COOKIE, path=f"{service_of(request).base}/admin")
    return response


async def listing(request: Request) -> Response:
    who = session(request)
    if who is None:
        return login_redirect(request)
    service = service_of(request)
    filters = {k: request.query_params.get(k, "")[:100] for k in ("status", "topic", "lang", "q")}
    messages = await run_in_threadpool(
        service.store.messages, status=filters["status"], topic=filters["topic"],
        lang=filters["lang"], text=filters["q"])
    for m in messages:
        m["received"] = _when(m["created_at"])
    return signed_in_page(request, who, "admin_list.html", messages=messages, filters=filters,
                          topics=list(service.site.topics), languages=service.site.languages)


async def message(request: Request) -> Response:
    who = session(request)
    if who is None:
        return login_redirect(request)
    found = await run_in_threadpool(service_of(request).store.message,
                                    int(request.path_params["message_id"]))
    if found is None:
        return signed_in_page(request, who, "admin_login.html", 404, error="No such message.")
    found["received"], found["answered"] = _when(found["created_at"]), _when(
        found["answered_at"])
    if found["answered_at"]:
        found["hours"] = round((found["answered_at"] - found["created_at"]) / 3600, 1)
    return signed_in_page(request, who, "admin_message.html", m=found)


def _back_to(request: Request, message_id: int) -> Response:
    return RedirectResponse(f"{service_of(request).base}/admin/messages/{message_id}",
                            status_code=303)


async def answered(request: Request) -> Response:
    data = await authorised_form(request)
    if data is None:
        return forbidden()
    message_id = int(request.path_params["message_id"])
    await run_in_threadpool(service_of(request).store.mark_answered, message_id,
                            data.get("note", "")[:500])
    return _back_to(request, message_id)


async def testimonial(request: Request) -> Response:
    """Publish a message (shortened, under a chosen display name) as a testimonial, or
    withdraw it. Only messages whose sender ticked the publishing consent qualify."""
    data = await authorised_form(request)
    if data is None:
        return forbidden()
    store = service_of(request).store
    message_id = int(request.path_params["message_id"])
    found = await run_in_threadpool(store.message, message_id)
    if found is None or not found["publish_consent"]:
        return Response("This sender did not allow publishing.", status_code=409)
    if data.get("action") == "withdraw":
        await run_in_threadpool(store.set_testimonial, message_id, None, None)
    else:
        text = " ".join(data.get("text", "").split())
        name = " ".join(data.get("display_name", "").split())[:80]
        original = " ".join(found["message"].split())
        if not text or not name or len(text) > len(original):
            return Response("A testimonial needs a display name and the sender's words, "
                            "at most as long as the message.", status_code=422)
        await run_in_threadpool(store.set_testimonial, message_id, text, name)
    return _back_to(request, message_id)


async def export(request: Request) -> Response:
    if session(request) is None:
        return login_redirect(request)
    messages = await run_in_threadpool(service_of(request).store.messages, limit=1_000_000)
    out = io.StringIO()
    writer = csv.writer(out)
    fields = ["id", "received", "lang", "topic", "name", "email", "message", "page",
              "helpful", "status", "answered"]
    writer.writerow(fields)
    for m in messages:
        m["received"], m["answered"] = _when(m["created_at"]), _when(m["answered_at"])
        writer.writerow([safe_cell(m[f]) for f in fields])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="feedback.csv"',
        "Cache-Control": "no-store"})


async def report(request: Request) -> Response:
    who = session(request)
    if who is None:
        return login_redirect(request)
    service = service_of(request)
    store = service.store
    rows = response_times(await run_in_threadpool(store.answered_times))
    scans = scans_per_day(await run_in_threadpool(store.scans))
    unanswered = len(await run_in_threadpool(store.messages, status="new", limit=100_000))
    return signed_in_page(request, who, "admin_report.html", rows=rows, scans=scans,
                          unanswered=unanswered, targets=service.targets.get())


ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/", listing, methods=["GET"]),
    Route("/messages/{message_id:int}", message, methods=["GET"]),
    Route("/messages/{message_id:int}/answered", answered, methods=["POST"]),
    Route("/messages/{message_id:int}/testimonial", testimonial, methods=["POST"]),
    Route("/export.csv", export, methods=["GET"]),
    Route("/report", report, methods=["GET"]),
]
