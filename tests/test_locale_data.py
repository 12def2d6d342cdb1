"""Babel's locale data in the build's process: cut down to what formatting needs, and whole
again the moment anything else is asked of a locale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel import Locale, localedata
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.numbers import format_currency, format_decimal
from luotsi import i18n

LANGUAGES = ("fi", "en", "ja")


def formatted(lang: str) -> list[str]:
    """What a build shows: dates, times, prices, numbers and language names."""
    moment = dt.datetime(2026, 12, 7, 18, 30)
    return [format_date(moment.date(), "full", locale=lang),
            format_datetime(moment, "medium", locale=lang),
            format_time(moment.time(), "short", locale=lang),
            format_currency(Decimal("1490"), "EUR", locale=lang),
            format_currency(Decimal("12000"), "JPY", locale=lang),
            format_decimal(Decimal("1234.5"), locale=lang),
            Locale.parse(lang).get_display_name(lang),
            Locale.parse("sv").get_display_name(lang)]


def test_formatting_is_unchanged_and_a_rarer_question_loads_the_locale_whole():
    localedata.clear_caches()
    expected = {lang: formatted(lang) for lang in LANGUAGES}
    units = format_timedelta(dt.timedelta(hours=3), locale="fi")
    localedata.clear_caches()

    i18n.keep_formatting_data(LANGUAGES)
    for name in (*LANGUAGES, "root"):
        assert "unit_patterns" not in dict.keys(localedata._cache[name])  # cut down
    assert {lang: formatted(lang) for lang in LANGUAGES} == expected
    # nothing formatting asked for was missing: no locale was loaded whole again
    assert not any(localedata._cache[lang].whole for lang in LANGUAGES)

    assert format_timedelta(dt.timedelta(hours=3), locale="fi") == units  # unit names
    assert localedata._cache["fi"].whole
    assert {lang: formatted(lang) for lang in LANGUAGES} == expected
    localedata.clear_caches()
