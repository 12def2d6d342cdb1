"""The feedback service: an ordinary Starlette (ASGI) application.

Public endpoints take a form, check it (size, encoding, origin, rate, time trap, fields),
store it durably with its mails in one transaction and only then answer: a redirect to the
site's thank-you page in the form's language, or JSON for the in-page script. Anything
wrong gets a 4xx with a message per field in the form's language, and nothing is stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..multilingual import i18n
from ..theme_path import TEMPLATES_DIR, TRANSLATIONS_DIR
from ..urls import origin
from . import admin, mail, qr_redirect, tokens
from .committer import Committer
from .config import Config
from .form import form_context
from .openapi import openapi_document
from .ratelimit import RateLimit
from .store import Store, open_store
from .validation import LIMITS, MAX_BODY, MESSAGES, validate_form

log = logging.getLogger("luotsi.feedback")


class BadRequest(Exception):
    def __init__(self, status: int, key: str):
        super().__init__(key)
        self.status, self.key = status, key


class Service:
    """Everything a request needs, made once at start-up."""

    def __init__(self, config: Config, store: Store | None = None):
        self.config = config
        self.site = config.site
        self.store = store or open_store(config.database)
        self.catalogs = i18n.load_catalogs(TRANSLATIONS_DIR, self.site.languages)
        self.env = Environment(loader=FileSystemLoader(TEMPLATES_DIR),
                               autoescape=select_autoescape(default=True), trim_blocks=True,
                               lstrip_blocks=True)
        i18n.install(self.env, self.catalogs)
        self.rate = RateLimit(config.rate_limit, config.rate_window_seconds)
        self.login_rate = RateLimit(10, 600)
        self.mailer = mail.MailerProcess(config)
        self.base = urlsplit(self.site.service_url).path.rstrip("/")
        self._targets = qr_redirect.Targets(config.qr_codes)
        self.form = form_context(self.site.service_url, self.site.topics,
                                 self.site.topic_labels, self.site.answer_within_hours,
                                 self.site.company.get("name", self.site.name))
        self.committer = Committer(self.store)

    def qr_targets(self) -> dict[str, str]:
        return self._targets.get()

    # -- helpers -------------------------------------------------------------------------
    def lang_of(self, value: str) -> str:
        return value if value in self.site.languages else self.site.default_lang

    def gettext(self, lang: str, key_or_text: str) -> str:
        text = MESSAGES.get(key_or_text, key_or_text)
        catalog = self.catalogs.get(lang)
        return catalog.gettext(text) if catalog else text

    def field_messages(self, lang: str, errors: dict[str, str]) -> dict[str, str]:
        shown = {}
        for name, key in errors.items():
            text = self.gettext(lang, key)
            shown[name] = text % {"max": LIMITS.get(name, 0)} if "%(max)s" in text else text
        return shown

    def client(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if peer in self.config.trusted_proxies:
            forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")
                         if p.strip()]
            for address in reversed(forwarded):  # the last address no proxy of ours added
                if address not in self.config.trusted_proxies:
                    return address
        return peer

    def cors(self, request: Request, response: Response) -> Response:
        sent_from = request.headers.get("origin", "")
        if sent_from in self.config.allowed_origins:
            response.headers["Access-Control-Allow-Origin"] = sent_from
            response.headers["Vary"] = "Origin"
        return response

    def origin_ok(self, request: Request) -> bool:
        sent_from = request.headers.get("origin") or origin(request.headers.get("referer", ""))
        return sent_from in self.config.allowed_origins

    def render_form_page(self, lang: str, values: dict[str, str], errors: dict[str, str],
                         message_key: str, status: int, heading: str = "") -> HTMLResponse:
        token, question = tokens.issue(self.config.secret, self.site.question)
        privacy = values.get("privacy", "")
        if not privacy.startswith(self.site.url + "/"):
            privacy = ""
        page = values.get("page", "")
        if not page.startswith(self.site.url + "/"):
            page = ""
        template = self.env.get_template("feedback/service_page.html")
        heading = heading or self.gettext(lang, "heading")
        html = template.render(
            luotsi_lang=lang, page_lang=lang, DEFAULT_LANG=self.site.default_lang,
            site=self.site, fb=self.form, form_id="feedback", page_url=page,
            privacy_url=privacy, values=values, token=token,
            question=question.text if question else "", heading=heading,
            errors=self.field_messages(lang, errors),
            form_message=self.gettext(lang, message_key))
        return HTMLResponse(html, status_code=status)

    def answer(self, request: Request, lang: str, status: int, message_key: str,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               ) -> Response:
        """A refusal or a question back to the visitor, as JSON or as a page."""
        values, errors = values or {}, errors or {}
        if wants_json(request):
            token, question = tokens.issue(self.config.secret, self.site.question)
            body = {"ok": False, "message": self.gettext(lang, message_key),
                    "errors": self.field_messages(lang, errors),
                    "token": token, "question": question.text if question else None}
            return self.cors(request, JSONResponse(body, status_code=status))
        return self.cors(request, self.render_form_page(lang, values, errors, message_key,
                                                        status))

    # -- endpoints -----------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        token, question = tokens.issue(self.config.secret, self.site.question)
        response = JSONResponse({"token": token, "question": question.text if question else None},
                                headers={"Cache-Control": "no-store"})
        return self.cors(request, response)

    async def preflight(self, request: Request) -> Response:
        response = Response(status_code=204, headers={
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "600"})
        return self.cors(request, response)

    async def submit(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except BadRequest as error:
            return self.answer(request, self.site.default_lang, error.status, error.key)
        lang = self.lang_of(form.get("lang", ""))
        if not self.origin_ok(request):
            return self.answer(request, lang, 403, "origin")
        if form.get("website", "").strip():  # the honeypot: only a bot fills a hidden field
            await run_in_threadpool(self.store.add_spam, "honeypot", json.dumps(form))
            return self.success(request, lang, form)
        result = validate_form(form, list(self.site.topics), self.site.languages,
                               self.site.origin)
        shown = {k: v for k, v in result.values.items() if k in LIMITS and k != "token"}
        shown["privacy"] = form.get("privacy", "")[:LIMITS["page"]]
        shown["booking"] = form.get("booking", "")[:LIMITS["booking"]]
        problem = tokens.check(self.config.secret, form.get("token", ""), form.get("answer", ""),
                               self.config.min_seconds, self.config.max_seconds)
        if problem == "confirm" and result.ok:  # no token: a visitor without JavaScript
            return self.answer(request, lang, 200 if not wants_json(request) else 422,
                               "confirm", shown)
        if problem:
            errors = dict(result.errors)
            if problem in ("question", "wrong_answer"):
                errors["answer"] = problem
            return self.answer(request, lang, 422, problem, shown, errors)
        if not result.ok:
            return self.answer(request, lang, 422, "fix_fields", shown, result.errors)
        values = result.values
        if form.get("booking"):
            booking = tokens.unseal(self.config.secret, "invite", form["booking"])
            if booking is None:
                return self.answer(request, lang, 422, "fix_fields", shown,
                                   {"message": "booking"})
            values["booking_id"] = str(booking["b"])
        if not self.rate.allow(self.client(request)):
            return self.answer(request, lang, 429, "rate", shown)
        gettext = self.catalogs[lang].gettext if lang in self.catalogs else (lambda s: s)
        mails = mail.compose(values, self.site.topics[values["topic"]], self.site.name,
                             self.site.answer_within_hours, gettext,
                             f"{self.site.service_url}/admin/")
        await self.committer.add(values, mails)  # committed: on disk before we answer
        return self.success(request, lang, form)

    def success(self, request: Request, lang: str, form: dict[str, str]) -> Response:
        message = self.gettext(lang, "thanks_helpful" if form.get("helpful") else "thanks")
        if "%(hours)s" in message:
            message = message % {"hours": self.site.answer_within_hours}
        if wants_json(request):
            return self.cors(request, JSONResponse({"ok": True, "message": message},
                                                   status_code=201))
        page = form.get("page", "")
        query = urlencode({"from": page}) if page.startswith(self.site.url + "/") else ""
        target = self.site.thanks_url(lang) + (f"?{query}" if query else "")
        return RedirectResponse(target, status_code=303)

    async def invited(self, request: Request) -> Response:
        """The form, pre-filled for the trip an invitation was about."""
        data = tokens.unseal(self.config.secret, "invite", request.query_params.get("t", ""))
        if data is None:
            lang = self.site.default_lang
            return self.render_form_page(lang, {}, {}, "booking", 404)
        lang = self.lang_of(str(data.get("l", "")))
        values = {"topic": "booking" if "booking" in self.site.topics else "",
                  "booking": request.query_params["t"],
                  "privacy": "", "page": self.site.page_url(lang, "")}
        heading = self.gettext(lang, "invite_heading") % {"trip": data.get("t", "")}
        return self.render_form_page(lang, values, {}, "", 200, heading=heading)

    async def unsubscribe(self, request: Request) -> Response:
        """GET asks (link scanners must not unsubscribe anyone); POST does it, for good."""
        token = request.query_params.get("t", "")
        if request.method == "POST":
            body = await request.body()
            token = dict(parse_qsl(body.decode("utf-8", "replace"))).get("t", token)
        data = tokens.unseal(self.config.secret, "unsubscribe", token)
        lang = self.lang_of(str((data or {}).get("l", "")))
        if data is None:
            return self.render_form_page(lang, {}, {}, "booking", 404)
        done = request.method == "POST"
        if done:
            await run_in_threadpool(self.store.unsubscribe, str(data["e"]))
        html = self.env.get_template("feedback/unsubscribe.html").render(
            luotsi_lang=lang, page_lang=lang, DEFAULT_LANG=lang, site=self.site, token=token,
            done=done, action=f"{self.site.service_url}/unsubscribe",
            heading=self.gettext(lang, "unsubscribe_heading"),
            text=self.gettext(lang, "unsubscribed" if done else "unsubscribe_confirm"),
            button=self.gettext(lang, "unsubscribe_button"))
        return HTMLResponse(html)

    async def health(self, request: Request) -> Response:
        count = await run_in_threadpool(self.store.count, "messages")
        return JSONResponse({"ok": True, "messages": count})

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi_document(self.site.service_url))


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded body, refusing oversized bodies before reading them all."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise BadRequest(415, "content_type")
    declared = request.headers.get("content-length")
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BadRequest(413, "too_big")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BadRequest(413, "too_big")
    try:
        text = bytes(body).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False,
                          encoding="utf-8", errors="strict", max_num_fields=40)
    except UnicodeDecodeError:
        raise BadRequest(400, "encoding") from None
    except ValueError:
        raise BadRequest(413, "too_big") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in LIMITS or key == "privacy":
            form.setdefault(key, value)
    return form


def create_app(config: Config, store: Store | None = None, start_worker: bool = True
               ) -> Starlette:
    service = Service(config, store)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(service.store.release_claims)
        removed = await run_in_threadpool(service.store.purge, config.retention_days)
        if removed:
            log.info("retention: purged %d message(s) older than %d days", removed,
                     config.retention_days)
        service.committer.start()
        if start_worker:
            service.mailer.start()  # mails left from before a restart go out now
        try:
            yield
        finally:
            await run_in_threadpool(service.mailer.stop)
            service.committer.stop()

    base = service.base
    routes = [
        Route(f"{base}/feedback", service.submit, methods=["POST"]),
        Route(f"{base}/feedback", service.preflight, methods=["OPTIONS"]),
        Route(f"{base}/feedback/token", service.token, methods=["GET"]),
        Route(f"{base}/feedback/token", service.preflight, methods=["OPTIONS"]),
        Route(f"{base}/healthz", service.health, methods=["GET"]),
        Route(f"{base}/feedback/invited", service.invited, methods=["GET"]),
        Route(f"{base}/unsubscribe", service.unsubscribe, methods=["GET", "POST"]),
        Route(f"{base}/openapi.json", service.openapi, methods=["GET"]),
        *qr_redirect.routes(service),
        *admin.routes(service),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.service = service
    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Headers every answer carries: no sniffing, no framing, no referrer leaks."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"DENY"),
                            (b"referrer-policy", b"strict-origin-when-cross-origin"),
                            (b"content-security-policy",
                             b"default-src 'self'; style-src 'self' 'unsafe-inline' *; "
                             b"img-src 'self' data: *; frame-ancestors 'none'; form-action *")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
