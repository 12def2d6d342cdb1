"""Everything a request needs, made once at start-up and kept in ``app.state.service``.

Endpoints are module-level functions (:mod:`.public`, :mod:`.admin`, :mod:`.qr_redirect`)
that reach this object through :func:`service_of`; none of them imports another, so the
modules form no cycle.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from .. import i18n
from ..forms import tokens
from ..forms.context import form_context
from ..forms.fields import LIMITS
from ..theme_path import TEMPLATES_DIR, TRANSLATIONS_DIR
from ..urls import origin
from . import mailer
from .committer import Committer
from .config import Config
from .qr_targets import Targets
from .ratelimit import RateLimit
from .store import Store, open_store
from .texts import TEXTS
from .throttle import LoginThrottle
from .validation import site_url_ok


class Service:
    """The configuration, the store, the catalogs and templates, and the workers."""

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
        self.login_throttle = LoginThrottle()
        self.mailer = mailer.MailerProcess(config)
        self.base = urlsplit(self.site.service_url).path.rstrip("/")
        self.targets = Targets(config.qr_codes)
        self.form = form_context(self.site.service_url, self.site.topics,
                                 self.site.topic_labels, self.site.answer_within_hours,
                                 self.site.company.get("name", self.site.name))
        self.committer = Committer(self.store)

    # -- language ------------------------------------------------------------------------
    def lang_of(self, value: str) -> str:
        return value if value in self.site.languages else self.site.default_lang

    def gettext(self, lang: str, key_or_text: str) -> str:
        text = TEXTS.get(key_or_text, key_or_text)
        catalog = self.catalogs.get(lang)
        return catalog.gettext(text) if catalog else text

    def field_messages(self, lang: str, errors: dict[str, str]) -> dict[str, str]:
        shown = {}
        for name, key in errors.items():
            text = self.gettext(lang, key)
            shown[name] = text % {"max": LIMITS.get(name, 0)} if "%(max)s" in text else text
        return shown

    # -- who is asking -------------------------------------------------------------------
    def client(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if peer in self.config.trusted_proxies:
            forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")
                         if p.strip()]
            for address in reversed(forwarded):  # the last address no proxy of ours added
                if address not in self.config.trusted_proxies:
                    return address
        return peer

    def origin_ok(self, request: Request) -> bool:
        sent_from = request.headers.get("origin") or origin(request.headers.get("referer", ""))
        return sent_from in self.config.allowed_origins

    # -- answers -------------------------------------------------------------------------
    def render(self, template: str, lang: str, status: int = 200, **context: object
               ) -> HTMLResponse:
        """One of the service's own pages, in ``lang``, in the site's look."""
        html = self.env.get_template(template).render(
            luotsi_lang=lang, page_lang=lang, DEFAULT_LANG=self.site.default_lang,
            site=self.site, **context)
        return HTMLResponse(html, status_code=status)

    def render_form_page(self, lang: str, values: dict[str, str], errors: dict[str, str],
                         message_key: str, status: int, heading: str = "") -> HTMLResponse:
        token, question = tokens.issue(self.config.secret, self.site.question)
        privacy, page = (value if site_url_ok(value, self.site.url) else ""
                         for value in (values.get("privacy", ""), values.get("page", "")))
        return self.render(
            "feedback/service_page.html", lang, status, fb=self.form, form_id="feedback",
            page_url=page, privacy_url=privacy, values=values, token=token,
            question=question.text if question else "",
            heading=heading or self.gettext(lang, "heading"),
            errors=self.field_messages(lang, errors),
            form_message=self.gettext(lang, message_key))

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
            return JSONResponse(body, status_code=status)
        return self.render_form_page(lang, values, errors, message_key, status)


def service_of(request: Request) -> Service:
    return request.app.state.service


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")
