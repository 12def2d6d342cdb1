"""``luotsi init DIR``: the questions a new site needs answered, checked the way the settings
are, before anything is written.

A new user is not a developer: every question says in plain words what it wants, an answer
that would fail the build (a phone number not in international form, an unknown language) is
refused with the same advice the settings check gives, and asked again. Scripts and tests
give the answers as flags; ``--yes`` takes the defaults and asks nothing. Only when every
answer is valid, and the assembled settings pass :func:`luotsi.settings.load` as a build
would, are the files written (:mod:`.starter`).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import get_global

from .. import settings as luotsi_settings

# Where `make serve` runs the site and the feedback service; publishconf.py has the real URLs.
DEV_SITEURL = "http://127.0.0.1:8000"
DEV_SERVICE_URL = "http://127.0.0.1:8001"

Check = Callable[[str, dict[str, Any]], tuple[Any, str | None]]  # (value, what was expected)


class InitError(ValueError):
    """Answers that cannot make a site; each line names the flag and the fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _text(raw: str, _answers: dict[str, Any]) -> tuple[str, str | None]:
    value = " ".join(raw.split())
    return value, None if value else "an answer (it is shown on every page)"


def _by(problem: Callable[[Any], str | None], clean: Callable[[str], str] = str.strip) -> Check:
    """A check from one of :mod:`luotsi.settings`' ``*_problem`` helpers."""
    def check(raw: str, _answers: dict[str, Any]) -> tuple[str, str | None]:
        value = clean(raw)
        return value, problem(value)
    return check


def _languages(raw: str, _answers: dict[str, Any]) -> tuple[tuple[str, ...], str | None]:
    codes = tuple(dict.fromkeys(code for code in re.split(r"[\s,;]+", raw.strip()) if code))
    for code in codes:
        problem = luotsi_settings.language_code_problem(code)
        if problem:
            return codes, f"{problem} (not {code!r})"
    return codes, None if codes else "one or more language codes, e.g. 'fi, en, sv'"


def _country(raw: str, _answers: dict[str, Any]) -> tuple[str, str | None]:
    """A code (``FI``) or the country's English name (``Finland``)."""
    value = raw.strip()
    names = {name.lower(): code for code, name in Locale("en").territories.items()}
    code = names.get(value.lower(), value.upper())
    return code, luotsi_settings.country_code_problem(code)


def _timezone(raw: str, _answers: dict[str, Any]) -> tuple[str, str | None]:
    value = raw.strip()
    ok = value in zoneinfo.available_timezones()
    return value, None if ok else "a time zone such as 'Europe/Helsinki'"


def _topics(raw: str, answers: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    """``general, booking=bookings@example.com``: a topic without an address goes to the
    company's e-mail."""
    topics: dict[str, str] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        key, _, address = (s.strip() for s in part.partition("="))
        address = address or answers.get("email", "")
        problem = luotsi_settings.topic_key_problem(key) or (
            None if luotsi_settings.is_email(address) else
            f"an e-mail address after '{key}=' such as '{key}=info@example.com'")
        if problem:
            return topics, f"{problem} (in {part!r})"
        topics[key] = address
    return topics, None if topics else "at least one topic, e.g. 'general'"


def _zone_of(answers: dict[str, Any]) -> str | None:
    zones = get_global("territory_zones").get(answers.get("country", ""), [])
    return zones[0] if zones else None


@dataclass(frozen=True)
class Question:
    key: str  # the answer's name; its flag is --key with - for _
    prompt: str
    check: Check
    default: Callable[[dict[str, Any]], str | None] = lambda _answers: None

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")


QUESTIONS = (
    Question("company", "Company name, as customers know it (e.g. Saaristo Seikkailut)", _text),
    Question("legal_name", "Legal name, as in the trade register", _text,
             lambda a: a.get("company")),
    Question("site_url", "Web address of the finished site (e.g. https://www.example.com)",
             _by(luotsi_settings.site_url_problem, lambda raw: raw.strip().rstrip("/"))),
    Question("languages", "Languages of the site, the main language first (e.g. fi, en, sv)",
             _languages, lambda _a: "en"),
    Question("street", "Street address", _text),
    Question("postal_code", "Postal code", _text),
    Question("locality", "Town", _text),
    Question("country", "Country: its two-letter code (FI, SE, DE, …) or English name",
             _country),
    Question("timezone", "Time zone of the office", _timezone, _zone_of),
    Question("phone", "Phone number for customers, in international form (e.g. +358 2 555 "
             "0100)", _by(luotsi_settings.phone_problem)),
    Question("email", "E-mail address for customers", _by(luotsi_settings.email_problem)),
    Question("topics", "Feedback topics, each with the address that receives it (e.g. "
             "'general, booking=bookings@example.com'; a topic without an address goes to the "
             "e-mail above)", _topics, lambda _a: "general, booking"),
)


def ask(given: dict[str, str | None], interactive: bool, read: Callable[[str], str],
        say: Callable[[str], None]) -> dict[str, Any]:
    """Every answer, checked. ``given`` holds the flags' values; the rest are asked with
    ``read`` (or, not ``interactive``, taken from their defaults). A bad answer is explained
    with ``say`` and asked again; without prompts, every bad or missing one is collected and
    raised as :class:`InitError`."""
    answers: dict[str, Any] = {}
    problems = []
    for question in QUESTIONS:
        raw = given.get(question.key)
        while True:
            default = question.default(answers)
            if raw is None and interactive:
                raw = read(f"{question.prompt}" + (f" [{default}]" if default else "") + ": ")
                raw = raw.strip() or default or ""
            elif raw is None:
                raw = default
            if raw is None:
                problems.append(f"{question.flag} is needed: {question.prompt[0].lower()}"
                                f"{question.prompt[1:]}")
                break
            value, expected = question.check(raw, answers)
            if expected is None:
                answers[question.key] = value
                break
            message = f"{raw!r} is not valid: expected {expected}."
            if not interactive:
                problems.append(f"{question.flag} {message}")
                break
            say(f"  {message} Please answer again.")
            raw = None
    if problems:
        raise InitError(problems)
    return answers


def settings_of(answers: dict[str, Any]) -> dict[str, Any]:
    """The site's settings as the generated pelicanconf.py holds them (for `make serve`)."""
    languages = list(answers["languages"])
    company = {"name": answers["company"], "legal_name": answers["legal_name"],
               "street_address": answers["street"], "postal_code": answers["postal_code"],
               "locality": answers["locality"], "country": answers["country"],
               "telephone": answers["phone"], "email": answers["email"]}
    values: dict[str, Any] = {
        "SITEURL": DEV_SITEURL, "TIMEZONE": answers["timezone"], "DEFAULT_LANG": languages[0],
        "LUOTSI_LANGUAGES": languages, "LUOTSI_COMPANY": company,
        "LUOTSI_FEEDBACK": {"url": DEV_SERVICE_URL, "topics": answers["topics"]}}
    currency = currency_of(answers["country"])
    if currency != "EUR":
        values["LUOTSI_CURRENCY"] = currency
    return values


def currency_of(country: str) -> str:
    """The country's currency when Luotsi formats it (LUOTSI_CURRENCY), else euros."""
    from babel.numbers import get_territory_currencies

    usable = [c for c in get_territory_currencies(country) if c in luotsi_settings.CURRENCIES]
    return usable[0] if usable else "EUR"


def check_settings(answers: dict[str, Any]) -> None:
    """The last word: the settings the answers make pass the build's own check."""
    try:
        luotsi_settings.load(settings_of(answers))
    except luotsi_settings.SettingsError as error:
        raise InitError([str(error)]) from None


def occupied(directory: Path) -> list[str]:
    """What already is in ``directory`` (a few names), or nothing when it is new or empty."""
    if not directory.exists():
        return []
    if not directory.is_dir():
        return [directory.name]
    return sorted(p.name for p in directory.iterdir())[:5]
