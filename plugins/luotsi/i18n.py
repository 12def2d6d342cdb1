"""Theme strings and locale formatting for many languages in one Jinja2 environment.

Pelican renders every page with one environment, so the active language cannot be
installed globally (as pelican-i18n-subsites does by re-running the build per language).
Instead the gettext callables take the render context and pick the catalog of the page
being rendered. Catalogs are the theme's ``.po`` files, compiled in memory with Babel so a
stale ``.mo`` can never ship.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from gettext import NullTranslations
from typing import Any

from babel import Locale, UnknownLocaleError, localedata
from babel.dates import format_date, format_datetime, format_time, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations
from jinja2 import Environment, pass_context
from markupsafe import Markup


def babel_locale(lang: str) -> Locale:
    return Locale.parse(lang.replace("-", "_"))


# What a build formats with: dates and times, numbers and prices, day and language names.
_FORMATTING_DATA = frozenset({
    "languages", "date_formats", "datetime_formats", "time_formats", "datetime_skeletons",
    "months", "days", "eras", "quarters", "day_periods", "day_period_rules", "zone_formats",
    "week_data", "number_symbols", "numbering_systems", "default_numbering_system",
    "decimal_formats", "currency_formats", "currency_symbols", "currency_unit_patterns",
    "currency_names", "currency_names_plural",  # format_currency asks for them every time
    "percent_formats", "scientific_formats", "plural_form", "ordinal_form", "list_patterns",
    "character_order", "measurement_systems", "locale_id"})


class _FormattingData(dict):  # type: ignore[type-arg]
    """A locale's data cut down to :data:`_FORMATTING_DATA`, whole again at the first miss."""

    def __init__(self, name: str, data: dict[str, Any]) -> None:
        super().__init__((key, value) for key, value in data.items()
                         if key in _FORMATTING_DATA)
        self.name, self.whole = name, False

    def __missing__(self, key: str) -> Any:
        if self.whole:
            raise KeyError(key)
        with localedata._cache_lock:  # Babel's own loader, on an empty cache: the locale's
            cached = dict(localedata._cache)  # parents are cut down too
            localedata._cache.clear()
            try:
                whole = localedata.load(self.name)
            finally:
                localedata._cache.clear()
                localedata._cache.update(cached)
        self.update(whole)
        self.whole = True
        return whole[key]


def keep_formatting_data(languages: Iterable[str]) -> None:
    """Load the locales of ``languages`` and keep only what formatting needs of each.

    Babel keeps a locale's whole data once it is loaded (unit names, time zone names,
    relative date fields, compact number formats): 5.5 MB for fi, en, sv and de with the
    root locale they inherit from. A build only formats dates, numbers and prices and names
    languages: cut down, the same locales hold 2.1 MB, and the build's later objects reuse
    the rest (measured with tracemalloc). Anything else asked of a locale loads it whole
    again (:class:`_FormattingData`), so nothing is lost."""
    for lang in languages:
        with contextlib.suppress(ValueError, LookupError, UnknownLocaleError):
            babel_locale(lang).number_symbols  # noqa: B018  # loads the locale
    if not hasattr(localedata, "_cache_lock"):  # a Babel without the loader's cache
        return
    with localedata._cache_lock:
        for name, data in list(localedata._cache.items()):
            if not isinstance(data, _FormattingData):
                localedata._cache[name] = _FormattingData(name, data)
        # a newer Babel (2.19 here) also keeps each locale's wrapper of the data it had
        getattr(localedata, "_dict_cache", {}).clear()


def native_name(lang: str) -> str:
    """A language's name in itself, capitalised for a menu: 'Suomi', 'Deutsch', '日本語'."""
    try:
        name = babel_locale(lang).get_display_name(babel_locale(lang)) or lang
    except (ValueError, LookupError, UnknownLocaleError):
        return lang
    return name[:1].upper() + name[1:]


@functools.lru_cache(maxsize=256)
def og_locale(lang: str) -> str:
    """OpenGraph wants territory-qualified locales: fi → fi_FI, en → en_US, ja → ja_JP."""
    try:
        locale = babel_locale(lang)
    except (ValueError, LookupError, UnknownLocaleError):  # already a finding; go on
        return lang
    territory = locale.territory or _LIKELY.get(locale.language, locale.language.upper())
    return f"{locale.language}_{territory}"


_LIKELY = {"en": "US", "sv": "SE", "ja": "JP", "da": "DK", "nb": "NO", "et": "EE"}


@lru_cache(maxsize=64)
def _compiled(po_path: str, mtime: float) -> Translations:
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def load_catalogs(translations_dir: str, languages: tuple[str, ...]) -> dict[str, NullTranslations]:
    """Language → gettext translations; languages without a catalog fall back to the msgids."""
    catalogs: dict[str, NullTranslations] = {}
    for lang in languages:
        po_path = os.path.join(translations_dir, lang.replace("-", "_"), "LC_MESSAGES",
                               "messages.po")
        if os.path.exists(po_path):
            catalogs[lang] = _compiled(po_path, os.path.getmtime(po_path))
        else:
            catalogs[lang] = NullTranslations()
    return catalogs


def context_lang(ctx: Mapping[str, Any]) -> str:
    """The language of the page being rendered, from what its template context holds."""
    lang = ctx.get("luotsi_lang")
    if lang:
        return lang
    for name in ("article", "page"):
        item = ctx.get(name)
        if item is not None and getattr(item, "lang", None):
            return item.lang
    return ctx.get("DEFAULT_LANG", "en")


@functools.lru_cache(maxsize=8192)
def _format_date(value: dt.date, fmt: str, lang: str) -> str:
    """Listings show the same dates over and over; Babel's formatting is worth caching."""
    return format_date(value, format=fmt, locale=babel_locale(lang))


def format_day(value: dt.date, lang: str, fmt: str = "long") -> str:
    """A date as a reader of ``lang`` writes it (pages, mails, the service's pages)."""
    return _format_date(value, fmt, lang)


def format_money(value: Any, currency: str, lang: str) -> str:
    """An amount in ``currency`` as a reader of ``lang`` writes it: ``1 490,00 €``."""
    return _format_money(str(value), currency, lang)


@functools.lru_cache(maxsize=4096)
def _format_money(value: str, currency: str, lang: str) -> str:
    """Prices and estimates repeat (a trip's price times a few group sizes), and Babel takes
    tens of microseconds for each; a mail or page should not."""
    return format_currency(Decimal(value), currency, locale=babel_locale(lang))


_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


@functools.lru_cache(maxsize=256)
def opening_hours(spec: str, lang: str) -> str:
    """schema.org opening hours (``Mo-Fr 09:00-17:00``) as a visitor in ``lang`` reads them
    (``ma–pe 9.00–17.00``, ``月～金 9:00～17:00``); a spec it cannot read is shown as written."""
    days, _, hours = spec.strip().partition(" ")
    first, _, last = days.partition("-")
    start, _, end = hours.partition("-")
    try:
        locale = babel_locale(lang)
        names = get_day_names("abbreviated", locale=locale)
        shown_days = names[_DAYS.index(first)] + (f"–{names[_DAYS.index(last)]}" if last else "")
        times = [format_time(dt.time.fromisoformat(t), "short", locale=locale)
                 for t in (start, end)]
    except (ValueError, LookupError, UnknownLocaleError):
        return spec
    return f"{shown_days} {times[0]}–{times[1]}"


_SHOWN_LIMIT = 4096


def install(env: Environment, catalogs: Mapping[str, NullTranslations]) -> None:
    """Give a Jinja2 environment per-page gettext plus Babel date, number and price filters."""

    def known_lang(ctx: Mapping[str, Any]) -> str:
        # An unknown Lang: is reported as a finding; render it in the default language.
        lang = context_lang(ctx)
        return lang if lang in catalogs else ctx.get("DEFAULT_LANG", "en")

    fallback = NullTranslations()
    shown: dict[str, dict[tuple[str, bool], str]] = {}  # per language: strings as pages show them

    def catalog(ctx: Any) -> tuple[NullTranslations, dict[tuple[str, bool], str]]:
        # A page's language is fixed by what its render starts with; a page asks for a
        # hundred strings, so each template context looks it up once.
        try:
            return ctx.luotsi_catalog  # type: ignore[no-any-return]
        except AttributeError:
            lang = known_lang(ctx)
            found = ctx.luotsi_catalog = (catalogs.get(lang) or fallback,
                                          shown.setdefault(lang, {}))
            return found

    def formatted(text: str, ctx: Any, variables: dict[str, Any]) -> str:
        """What Jinja's newstyle gettext makes of a translation: a Markup under autoescape,
        always %-formatted with the call's keyword arguments."""
        return (Markup(text) if ctx.eval_ctx.autoescape else text) % variables

    # Jinja's own ``_`` reached the catalog through three nested context calls and made the
    # same Markup anew each time: 5 µs a string (measured), and a page shows about 20, the
    # same few dozen on every page. A string without arguments is made once per language.
    @pass_context
    def gettext(ctx: Any, message: str, /, **variables: Any) -> str:
        translations, memo = catalog(ctx)
        if variables:
            return formatted(translations.gettext(message), ctx, variables)
        key = (message, ctx.eval_ctx.autoescape)
        text = memo.get(key)
        if text is None:
            text = formatted(translations.gettext(message), ctx, {})
            if len(memo) < _SHOWN_LIMIT:  # messages come from templates; bounded anyway
                memo[key] = text
        return text

    @pass_context
    def ngettext(ctx: Any, singular: str, plural: str, n: int, /, **variables: Any) -> str:
        variables.setdefault("num", n)
        return formatted(catalog(ctx)[0].ngettext(singular, plural, n), ctx, variables)

    @pass_context
    def date_filter(ctx: Any, value: dt.date, fmt: str = "long") -> str:
        return _format_date(value, fmt, known_lang(ctx))

    @pass_context
    def datetime_filter(ctx: Any, value: dt.datetime, fmt: str = "medium") -> str:
        return format_datetime(value, format=fmt, locale=babel_locale(known_lang(ctx)))

    @pass_context
    def price_filter(ctx: Any, value: Any, currency: str | None = None) -> str:
        return format_money(value, currency or ctx.get("LUOTSI_CURRENCY", "EUR"),
                            known_lang(ctx))

    @pass_context
    def number_filter(ctx: Any, value: Any) -> str:
        return format_decimal(value, locale=babel_locale(known_lang(ctx)))

    @pass_context
    def hours_filter(ctx: Any, spec: str) -> str:
        return opening_hours(spec, known_lang(ctx))

    env.auto_reload = False  # templates do not change during a build: no stat() per include
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # how {% trans %} compiles
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
    env.filters.update(
        localdate=date_filter,
        localdatetime=datetime_filter,
        price=price_filter,
        localnumber=number_filter,
        opening_hours=hours_filter,
    )
