"""Everything a request needs, made once at start-up and kept in ``app.state.service``.

Endpoints are module-level functions (:mod:`.public`, :mod:`.admin`, :mod:`.qr_redirect`)
that reach this object through :func:`service_of`; none of them imports another, so the
modules form no cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from .. import fragments, i18n
from ..forms import tokens
from ..forms.booking import BOOKING_LIMITS
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
from .trip_offers import Offers
from .validation import site_url_ok

ALL_LIMITS = {**BOOKING_LIMITS, **LIMITS}  # the forms agree on the fields they share
# A form page shown again: (language, values, errors, message key, status) → the page
FormPage = Callable[[str, dict[str, str], dict[str, str], str, int], Response]


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
        fragments.install(self.env, enabled=False)
        self.rate = RateLimit(config.rate_limit, config.rate_window_seconds)
        self.login_throttle = LoginThrottle()
        self.mailer = mailer.MailerProcess(config)
        self.base = urlsplit(self.site.service_url).path.rstrip("/")
        self.targets = Targets(config.qr_codes)
        self.offers = Offers(config.booking_trips)
        self.timezone = ZoneInfo(self.site.timezone)
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

    def lang_of_request(self, request: Request) -> str:
        """The first of the visitor's languages (``Accept-Language``) the site speaks: for a
        page that has no language of its own to go by, such as a link that is not valid."""
        for part in request.headers.get("accept-language", "").split(","):
            code = part.split(";")[0].strip().lower()
            for lang in (code, code.split("-")[0]):
                if lang in self.site.languages:
                    return lang
        return self.site.default_lang

    def field_messages(self, lang: str, errors: Mapping[str, str],
                       params: Mapping[str, Mapping[str, Any]] | None = None
                       ) -> dict[str, str]:
        """Each field's message in ``lang``, with the values it names: the field's limit,
        and dates or numbers in ``params`` written as a reader of ``lang`` writes them."""
        shown = {}
        for name, key in errors.items():
            text = self.gettext(lang, key)
            values: dict[str, Any] = {"max": ALL_LIMITS.get(name, 0)}
            for param, value in ((params or {}).get(name) or {}).items():
                values[param] = i18n.format_day(value, lang, "medium") \
                    if isinstance(value, dt.date) else value
            shown[name] = text % values if "%(" in text else text
        return shown

    def moment(self, timestamp: float) -> dt.datetime:
        """A stored time in the site's time zone, for a page in the visitor's language."""
        return dt.datetime.fromtimestamp(timestamp, self.timezone)

    def now(self) -> dt.datetime:
        """Now in the site's time zone: the day a visitor's "today" and a reference's year
        are counted in."""
        return dt.datetime.now(self.timezone)

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
                         message_key: str, status: int, heading: str = "",
                         params: Mapping[str, Mapping[str, Any]] | None = None
                         ) -> HTMLResponse:
        return self.render(
            "feedback/service_page.html", lang, status, form_id="feedback",
            **self.form_again(values), heading=heading or self.gettext(lang, "heading"),
            errors=self.field_messages(lang, errors, params),
            form_message=self.gettext(lang, message_key))

    def form_again(self, values: Mapping[str, str]) -> dict[str, Any]:
        """What a form shown again by the service needs besides its messages: the visitor's
        values, a fresh token (and question), and the page and privacy policy it came with,
        when they are pages of the site."""
        token, question = tokens.issue(self.config.secret, self.site.question)
        privacy, page = (value if site_url_ok(value, self.site.url) else ""
                         for value in (values.get("privacy", ""), values.get("page", "")))
        return {"fb": self.form, "values": values, "token": token,
                "question": question.text if question else "", "privacy_url": privacy,
                "page_url": page}

    def answer(self, request: Request, lang: str, status: int, message_key: str,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               page: FormPage | None = None,
               params: Mapping[str, Mapping[str, Any]] | None = None) -> Response:
        """A refusal or a question back to the visitor, as JSON or as the form's page
        (``page``; the feedback form's by default)."""
        values, errors = values or {}, errors or {}
        if wants_json(request):
            token, question = tokens.issue(self.config.secret, self.site.question)
            body = {"ok": False, "message": self.gettext(lang, message_key),
                    "errors": self.field_messages(lang, errors, params),
                    "token": token, "question": question.text if question else None}
            return JSONResponse(body, status_code=status)
        return (page or self.render_form_page)(lang, values, errors, message_key, status,
                                               params=params)


def service_of(request: Request) -> Service:
    return request.app.state.service


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")
