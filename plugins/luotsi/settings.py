"""Every ``LUOTSI_*`` setting in one place: name, default, check and documentation.

The build and the feedback service both read their configuration through :func:`load`,
so a web agency gets the same clear message for a bad value wherever it is used, at
start-up, before anything is written. The README's configuration reference is checked
against :data:`SPECS` by the test suite, so documentation cannot drift from the code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError

from .urls import origin

__all__ = ["SPECS", "Config", "SettingsError", "load"]


class SettingsError(ValueError):
    """A ``LUOTSI_*`` setting has a value the toolkit cannot work with."""


Check = Callable[[str, Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Spec:
    name: str
    default: Any
    check: Check
    doc: str


def _fail(name: str, got: Any, expected: str) -> SettingsError:
    return SettingsError(
        f"{name} = {got!r} is not valid: expected {expected}. Fix it in pelicanconf.py "
        f"(or remove it to use the default)."
    )


def _bool(name: str, value: Any, _s: Mapping[str, Any]) -> bool:
    if not isinstance(value, bool):
        raise _fail(name, value, "True or False")
    return value


def _choice(*options: str) -> Check:
    def check(name: str, value: Any, _s: Mapping[str, Any]) -> str:
        if value not in options:
            raise _fail(name, value, "one of " + ", ".join(repr(o) for o in options))
        return value

    return check


def _positive_int(name: str, value: Any, _s: Mapping[str, Any]) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _fail(name, value, "a whole number of at least 1")
    return value


def _text(name: str, value: Any, _s: Mapping[str, Any]) -> str:
    if not isinstance(value, str):
        raise _fail(name, value, "a string")
    return value


def _int_list(name: str, value: Any, _s: Mapping[str, Any]) -> tuple[int, ...]:
    if (
        not isinstance(value, list | tuple)
        or not value
        or not all(isinstance(v, int) and v > 0 for v in value)
    ):
        raise _fail(name, value, "a non-empty list of positive widths in pixels")
    return tuple(sorted(set(value)))


def language_code_problem(code: Any) -> str | None:
    """Why ``code`` is not a language Babel knows, or None when it is fine."""
    if not isinstance(code, str) or not re.fullmatch(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", code):
        return "a language code such as 'fi', 'en' or 'pt-BR'"
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return "a language code Babel knows"
    return None


def _languages(name: str, value: Any, settings: Mapping[str, Any]) -> tuple[str, ...]:
    if value is None:
        value = [settings.get("DEFAULT_LANG", "en")]
    if not isinstance(value, list | tuple) or not value:
        raise _fail(name, value, "a non-empty list of language codes such as ['fi', 'en']")
    for code in value:
        problem = language_code_problem(code)
        if problem:
            raise _fail(name, code, problem)
    default = settings.get("DEFAULT_LANG", "en")
    if default not in value:
        raise SettingsError(
            f"{name} = {list(value)!r} does not contain DEFAULT_LANG {default!r}: add it, "
            f"because the default language is the x-default of every page."
        )
    # The default language comes first so that listings and switchers are stable.
    return (default, *[v for v in value if v != default])


def _by_language(what: str) -> Check:
    def check(name: str, value: Any, _s: Mapping[str, Any]) -> dict[str, str]:
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise _fail(name, value, f"a dict of language code to {what}")
        return dict(value)
    return check


_COMPANY_REQUIRED = ("name", "street_address", "locality", "postal_code", "country", "telephone",
                     "email")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")
_E164 = re.compile(r"^\+[1-9][0-9 ]{6,18}$")


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value or ""))


def is_international_phone(value: str) -> bool:
    return bool(_E164.match(value or ""))


# What a good value looks like, or None when the value is good. The settings checks and
# `luotsi init`'s questions share them, so an answer and a setting get the same advice.


def email_problem(value: Any) -> str | None:
    ok = isinstance(value, str) and is_email(value)
    return None if ok else "an e-mail address such as 'info@example.com'"


def phone_problem(value: Any) -> str | None:
    ok = isinstance(value, str) and is_international_phone(value)
    return None if ok else "a phone number in international form, e.g. '+358 40 123 4567'"


def country_code_problem(value: Any) -> str | None:
    """Structured data and addresses need an ISO 3166 code; Babel knows which exist."""
    ok = isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value) and value in _territories()
    return None if ok else "a two-letter ISO 3166 country code such as 'FI', 'SE' or 'DE'"


def site_url_problem(value: Any) -> str | None:
    """SITEURL must be absolute: canonical URLs, hreflang, sitemaps and JSON-LD need it."""
    ok = isinstance(value, str) and re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", value)
    return None if ok else "an absolute address such as 'https://www.example.com'"


def topic_key_problem(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9-]{0,39}", value)
    return None if ok else "a topic key of lower-case letters, digits and -, e.g. 'booking'"


def _territories() -> dict[str, str]:
    return Locale("en").territories


def _company(name: str, value: Any, _s: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(name, value, "a dict with the company's " + ", ".join(_COMPANY_REQUIRED))
    missing = [k for k in _COMPANY_REQUIRED if not value.get(k)]
    if missing:
        raise SettingsError(
            f"{name} is missing {', '.join(missing)}: add them to the dict in pelicanconf.py; "
            f"they are shown on every page and in the structured data."
        )
    for key, problem in (("email", email_problem), ("telephone", phone_problem),
                         ("country", country_code_problem)):
        expected = problem(value[key])
        if expected:
            raise _fail(f"{name}[{key!r}]", value[key], expected)
    return dict(value)


def _policy_pages(name: str, value: Any, _s: Mapping[str, Any]) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(name, value, "a dict of role ('privacy', 'booking', ...) to translation key")
    return dict(value)


def _same_as(name: str, value: Any, _s: Mapping[str, Any]) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, str) and v.startswith("https://") for v in value
    ):
        raise _fail(name, value, "a list of https:// profile URLs")
    return tuple(value)


def _campaign(name: str, value: Any, _s: Mapping[str, Any]) -> dict[str, str]:
    allowed = {"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"}
    if not isinstance(value, Mapping) or set(value) - allowed or not all(
            isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9._~-]*", v) for v in value.values()):
        raise _fail(name, value, "a dict of utm_source, utm_medium, utm_campaign (letters, "
                    "digits, - and _)")
    return dict(value)


def _networks(name: str, value: Any, _s: Mapping[str, Any]) -> tuple[str, ...]:
    from .social.share import NETWORKS

    if not isinstance(value, list | tuple) or set(value) - set(NETWORKS):
        raise _fail(name, value, "a list of " + ", ".join(NETWORKS))
    return tuple(value)


def _workers(name: str, value: Any, _s: Mapping[str, Any]) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or value < 0):
        raise _fail(name, value, "None (one fewer than cores) or a whole number of at least 0")
    return value


def _percent(name: str, value: Any, _s: Mapping[str, Any]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise _fail(name, value, "a whole number from 0 to 100")
    return value


def _hero(name: str, value: Any, settings: Mapping[str, Any]) -> dict[str, Any] | None:
    """The home page's picture: a path under the content folder and its description, one
    text for all languages or one per language."""
    if value is None:
        return None
    alt = value.get("alt") if isinstance(value, Mapping) else None
    if not isinstance(value, Mapping) or set(value) - {"image", "alt"} or not isinstance(
            value.get("image"), str) or not value["image"] or not (
            (isinstance(alt, str) and alt.strip()) or (isinstance(alt, Mapping) and alt and all(
                isinstance(k, str) and isinstance(v, str) and v.strip()
                for k, v in alt.items()))):
        raise _fail(name, value, "a dict {'image': 'images/hero.jpg', 'alt': 'what the "
                    "picture shows'} (alt may be a dict of language code to text)")
    return {"image": value["image"], "alt": alt}


CURRENCIES = ("EUR", "SEK", "NOK", "USD", "GBP", "JPY", "CHF")
FEEDBACK_PLACES = ("contact", "posts", "helpful")
_FEEDBACK_KEYS = {"url", "topics", "topic_labels", "answer_within_hours", "places", "question"}


def _feedback(name: str, value: Any, settings: Mapping[str, Any]) -> dict[str, Any] | None:
    """The feedback form: where the service is, which topics go to which staff address."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) - _FEEDBACK_KEYS:
        raise _fail(name, value, "a dict with keys " + ", ".join(sorted(_FEEDBACK_KEYS)))
    url = value.get("url")
    if not isinstance(url, str) or not re.match(r"^(https?://[^/\s]+)?/?[^\s]*$", url) or not url:
        raise _fail(f"{name}['url']", url, "the feedback service's public URL, e.g. "
                    "'https://example.com/feedback' or '/feedback' behind the same host")
    company_email = (settings.get("LUOTSI_COMPANY") or {}).get("email", "")
    topics = value.get("topics") or {"general": company_email}
    if not isinstance(topics, Mapping) or not topics or not all(
            not topic_key_problem(k) and is_email(v) for k, v in topics.items()):
        raise _fail(f"{name}['topics']", topics, "a dict of topic key (lower-case letters) to "
                    "the staff e-mail address that receives it, e.g. {'booking': "
                    "'bookings@example.com'}")
    labels = value.get("topic_labels", {})
    if not isinstance(labels, Mapping) or not all(
            isinstance(v, Mapping) and all(isinstance(t, str) for t in v.values())
            for v in labels.values()):
        raise _fail(f"{name}['topic_labels']", labels, "a dict of topic key to a dict of "
                    "language code to label")
    hours = value.get("answer_within_hours", 24)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 14:
        raise _fail(f"{name}['answer_within_hours']", hours, "a whole number of hours, 1–336")
    places = value.get("places", list(FEEDBACK_PLACES))
    if not isinstance(places, list | tuple) or set(places) - set(FEEDBACK_PLACES):
        raise _fail(f"{name}['places']", places, "a list of " + ", ".join(FEEDBACK_PLACES))
    url = url.rstrip("/")
    if not origin(url):  # behind the site's own host: the service's absolute URL is made here
        url = "/" + url.lstrip("/")
    service_url = url if origin(url) else str(settings.get("SITEURL", "")).rstrip("/") + url
    return {"url": url, "service_url": service_url, "topics": dict(topics),
            "topic_labels": dict(labels),
            "answer_within_hours": hours, "places": tuple(places),
            "question": bool(value.get("question", False))}


_LEGAL_FORMS = {"oy", "oyj", "ab", "abp", "as", "asa", "aps", "gmbh", "ag", "kg", "ltd",
                "llc", "inc", "plc", "sa", "sarl", "srl", "bv", "nv", "kk", "co"}


def reference_prefix(company_name: str) -> str:
    """The default prefix of booking references: the initials of the company's name without
    its legal form (Revontuli Travel → RT), at most four letters; BK when the name has no
    Latin letters to take them from."""
    words = [w for w in re.split(r"[^0-9A-Za-z\u00c0-\u024f]+", company_name)
             if w and w.lower() not in _LEGAL_FORMS]
    initials = "".join(unicodedata.normalize("NFKD", w[0]).encode("ascii", "ignore").decode()
                       for w in words).upper()
    initials = re.sub(r"[^A-Z0-9]", "", initials)[:4]
    return initials if initials[:1].isalpha() else "BK"


_BOOKING_KEYS = {"reference_prefix", "payment_url"}


def _booking(name: str, value: Any, settings: Mapping[str, Any]) -> dict[str, str] | None:
    """Booking requests on trip pages (with LUOTSI_FEEDBACK): the prefix of references and
    the company's own payment page that offers link to."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) - _BOOKING_KEYS:
        raise _fail(name, value, "a dict with keys " + ", ".join(sorted(_BOOKING_KEYS)))
    company = (settings.get("LUOTSI_COMPANY") or {}).get("name") or settings.get("SITENAME", "")
    prefix = value.get("reference_prefix") or reference_prefix(str(company))
    if not isinstance(prefix, str) or not re.fullmatch(r"[A-Z][A-Z0-9]{0,5}", prefix):
        raise _fail(f"{name}['reference_prefix']", prefix, "one to six capital letters or "
                    "digits starting with a letter, e.g. 'RT'")
    payment = value.get("payment_url") or ""
    if not isinstance(payment, str) or (payment and not re.fullmatch(
            r"https://[^/\s?#<>\"']+(/[^\s<>\"']*)?", payment)):
        raise _fail(f"{name}['payment_url']", payment, "the https:// address of the company's "
                    "own payment page")
    return {"reference_prefix": prefix, "payment_url": payment}


SPECS: tuple[Spec, ...] = (
    Spec("LUOTSI_LANGUAGES", None, _languages,
         "Languages the site speaks; the first listing order. Defaults to [DEFAULT_LANG]. "
         "Each gets its own URL space, listings, feed and theme-string catalog."),
    Spec("LUOTSI_LANGUAGE_NAMES", {}, _by_language("display name"),
         "Display names for the language switcher; defaults to each language's own name "
         "from Babel (suomi, English, svenska, Deutsch, 日本語)."),
    Spec("LUOTSI_SUBTITLES", {}, _by_language("site subtitle"),
         "The site's subtitle per language: home page title and description, and the share "
         "image of listings. The default language falls back to SITESUBTITLE."),
    Spec("LUOTSI_LANG_PREFIX", "{lang}/", _text,
         "URL prefix of a non-default language's listings; the default language lives at "
         "the site root."),
    Spec("LUOTSI_MISSING_TRANSLATION", "fallback", _choice("fallback", "omit"),
         "What a language's listings do with a post not translated into it: 'fallback' lists "
         "the original with a visible 'not available in your language' note (its canonical "
         "URL stays the original's), 'omit' leaves it out."),
    Spec("LUOTSI_STRICT", False, _bool,
         "Turn content findings into a failing build (non-zero exit) listing every finding. "
         "On in publishconf.py."),
    Spec("LUOTSI_PAGINATION", 10, _positive_int, "Posts per listing page."),
    Spec("LUOTSI_REPORT_DIR", "translation-report", _text,
         "Output folder of the translation report (index.html and report.json)."),
    Spec("LUOTSI_COMPANY", None, _company,
         "The company: name, legal_name, street_address, locality, postal_code, region, "
         "country (ISO 3166 code), telephone (international form), email, latitude, "
         "longitude, opening_hours (schema.org strings, e.g. 'Mo-Fr 09:00-17:00'), logo "
         "(path in the output). Shown on every page and in the structured data."),
    Spec("LUOTSI_SAME_AS", [], _same_as,
         "The company's social profile URLs (footer links and schema.org sameAs)."),
    Spec("LUOTSI_POLICY_PAGES",
         {"about": "about", "contact": "contact", "privacy": "privacy",
          "booking": "booking-terms", "cancellation": "cancellation", "faq": "faq"},
         _policy_pages,
         "Which page (by translation key) plays which role; linked from every page footer. "
         "The contact page is marked up as ContactPage, the faq page as FAQPage."),
    Spec("LUOTSI_CURRENCY", "EUR", _choice(*CURRENCIES),
         "ISO 4217 currency of trip prices."),
    Spec("LUOTSI_STAFF_DIR", "staff", _text,
         "Folder under the content path holding one Markdown file per person."),
    Spec("LUOTSI_TRIPS_DIR", "trips", _text,
         "Folder under the content path holding one folder per trip, one Markdown file per "
         "language; each becomes a trip page with its offer."),
    Spec("LUOTSI_PHOTO_WIDTHS", [320, 640, 960], _int_list,
         "Widths (px) of the responsive staff photo variants."),
    Spec("LUOTSI_OBFUSCATE_EMAIL", False, _bool,
         "Write staff e-mail addresses so that simple harvesters miss them; still readable "
         "and clickable without JavaScript."),
    Spec("LUOTSI_IMAGE_WIDTHS", [480, 800, 1200, 1600, 2000], _int_list,
         "Widths (px) of the responsive variants of the pictures of posts, pages and trips "
         "(Image:, Gallery:) and of the home page's hero."),
    Spec("LUOTSI_IMAGE_FORMAT", "avif", _choice("avif", "webp"),
         "Modern format written beside JPEG for every picture and staff photo: 'avif' "
         "(smaller; WebP where Pillow cannot write AVIF) or 'webp'."),
    Spec("LUOTSI_HERO", None, _hero,
         "The home page's picture: {'image': 'images/hero.jpg', 'alt': {'fi': '…', 'en': "
         "'…'}} (path under the content folder; alt one text or one per language). None: the "
         "hero shows the subtitle on the brand colour."),
    Spec("LUOTSI_SHARE_IMAGES", True, _bool,
         "Draw a 1200×630 share image (title and company name, in the page's language) for "
         "every page that has no Image: of its own; drawn once, cached by what is drawn."),
    Spec("LUOTSI_FEEDBACK", None, _feedback,
         "The feedback form and service: {'url': service URL, 'topics': {topic: staff "
         "address}, 'topic_labels': {topic: {lang: label}}, 'answer_within_hours': 24, "
         "'places': ['contact', 'posts', 'helpful'], 'question': False}. None: no form."),
    Spec("LUOTSI_BOOKING", {}, _booking,
         "Booking requests on trip pages, when LUOTSI_FEEDBACK is set: {'reference_prefix': "
         "'RT', 'payment_url': 'https://…'}. The prefix of references such as RT-2026-00042 "
         "defaults to the initials of the company's name; offers link to payment_url, the "
         "company's own payment page. None: trip pages show the feedback form instead."),
    Spec("LUOTSI_QR", True, _bool,
         "Give every post, page, trip and staff page a QR code for print (shown by the print "
         "stylesheet, SVG inline plus an SVG file)."),
    Spec("LUOTSI_QR_CAMPAIGN",
         {"utm_source": "print", "utm_medium": "qr", "utm_campaign": "print"}, _campaign,
         "Campaign parameters added to every code's URL; a page overrides them with "
         "QR-Source: and QR-Campaign:."),
    Spec("LUOTSI_QR_ERROR", "M", _choice("L", "M", "Q", "H"),
         "QR error-correction level: L 7 %, M 15 %, Q 25 %, H 30 % of the code may be damaged."),
    Spec("LUOTSI_QR_SHORT_LINKS", True, _bool,
         "When LUOTSI_FEEDBACK is set, codes carry the service's counted short link "
         "(/q/<code>) instead of the long URL; without the service they carry the URL."),
    Spec("LUOTSI_QR_PNG_SCALE", 12, _positive_int,
         "Pixels per module of the code on A4 posters (12 px: a typical code is about 5 cm "
         "wide at 300 dpi). Pages' codes are SVG, sharp at any size."),
    Spec("LUOTSI_SHARE_NETWORKS", ["facebook", "linkedin", "x", "whatsapp", "email"],
         _networks,
         "Share links under every post, in this order: facebook, linkedin, x, bluesky, "
         "whatsapp, telegram, email. Plain links: no script, pixel or cookie."),
    Spec("LUOTSI_TESTIMONIALS_FILE", "testimonials.json", _text,
         "Testimonials exported by `luotsi feedback export-testimonials`, under the content "
         "folder; shown on the home page and on testimonials/ in every language."),
    Spec("LUOTSI_AUDIT", True, _bool,
         "Audit the finished output at the end of every build (trust, SEO, links, images) "
         "and write audit/index.html and audit/report.json."),
    Spec("LUOTSI_AUDIT_MIN_SCORE", 0, _percent,
         "Lowest acceptable audit score (percent of pages without findings); below it the "
         "build gets a finding, which fails a strict build. publishconf.py sets 100."),
    Spec("LUOTSI_AUDIT_STALE_MONTHS", 12, _positive_int,
         "Posts not updated for this many months that mention prices or dates are flagged."),
    Spec("LUOTSI_PUBLISH", False, _bool,
         "Production extras (on in publishconf.py): nginx, Caddy and systemd files in deploy/ "
         "beside the output, _headers in the output, and .gz/.br copies of text assets."),
    Spec("LUOTSI_PUBLISH_ROOT", "/srv/luotsi/output", _text,
         "Where the output is copied on the server (the root of the nginx and Caddy files)."),
    Spec("LUOTSI_BACKGROUND_WORKERS", None, _workers,
         "Worker processes that convert Markdown while the build reads, and draw share cards, "
         "make pictures and audit pages while it writes (None: one fewer than the machine has "
         "cores, at least one; 0: all of it in the build's own process, the drawing and "
         "auditing after the pages are written). Workers run at a lower priority than the "
         "build, which runs the batches no worker has started once its pages are written."),
    Spec("LUOTSI_CACHE_DIR", ".luotsi-cache", _text,
         "Where processed photos and generated images are cached by content hash."),
)


@dataclass(frozen=True)
class Config:
    """Validated Luotsi settings; attribute names are the setting names without the prefix,
    in lower case (``LUOTSI_LANGUAGES`` → ``languages``)."""

    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, item: str) -> Any:
        if item.startswith("__") or item == "values":  # pickle and copy probe for these
            raise AttributeError(item)
        try:
            return self.values[item]
        except KeyError:
            raise AttributeError(item) from None


def load(settings: Mapping[str, Any]) -> Config:
    """Validate every ``LUOTSI_*`` setting, failing on the first bad one with a clear fix."""
    known = {s.name for s in SPECS}
    unknown = sorted(k for k in settings if k.startswith("LUOTSI_") and k not in known)
    if unknown:
        raise SettingsError(
            f"Unknown setting(s) {', '.join(unknown)}: check the spelling against the README's "
            f"configuration reference."
        )
    values = {}
    for spec in SPECS:
        raw = settings.get(spec.name, spec.default)
        if spec.name == "LUOTSI_COMPANY" and raw is None:
            raw = {"name": settings.get("SITENAME", "")}
        values[spec.name.removeprefix("LUOTSI_").lower()] = spec.check(spec.name, raw, settings)
    return Config(values)
