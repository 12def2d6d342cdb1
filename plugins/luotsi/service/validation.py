"""What a visitor may send, checked field by field, with messages in the form's language.

Pure functions: they get the decoded form and the site's feedback configuration and return
either clean values or one message key per field, so the same rules serve the no-JavaScript
page, the JSON answer and the tests.

Only the message may have several lines; every other field is one line, because its value
ends up in a mail's subject or in a line of the staff notice, where a line break would let
the visitor write lines of their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..forms.fields import LIMITS
from .addresses import normalise

MULTILINE = frozenset({"message"})
# CR, LF, VT, FF, the file/group/record separators, NEL, LINE and PARAGRAPH SEPARATOR: what
# str.splitlines() splits at, so what a mail program or a log may show as a new line.
LINE_BREAKS = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_TAG = re.compile(r"<\s*[a-zA-Z/!?]|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# RFC 3986 characters: a URL our pages link has no space, quote or angle bracket.
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def site_url_ok(url: str, site_url: str) -> bool:
    """``url`` is a page of the site (same scheme, host and port, under its path) written
    with URL characters only, so that it is safe as a link and in the staff notice."""
    if not url or not _URL_CHARS.fullmatch(url):
        return False
    page, site = urlsplit(url), urlsplit(site_url)
    base = site.path.rstrip("/")
    return (page.scheme, page.netloc) == (site.scheme, site.netloc) and (
        page.path == base or page.path.startswith(base + "/"))


@dataclass
class Result:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field → message key

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "")
    if name in MULTILINE:
        value = LINE_BREAKS.sub("\n", value.replace("\r\n", "\n"))
    return value.strip()


PLAIN_TEXT = frozenset({"name", "message", "topic", "email", "phone"})  # no HTML in these


def _problem(name: str, raw: str, value: str, limit: int) -> str | None:
    if len(value) > limit:
        return "too_long"
    if not raw.isprintable():  # printable text has no line break and no control character
        if name not in MULTILINE and LINE_BREAKS.search(raw):
            return "line_break"
        if _CONTROL.search(value):
            return "control"
    if name in PLAIN_TEXT and _TAG.search(value):
        return "html"
    return None


def read_fields(form: Mapping[str, str], limits: Mapping[str, int]) -> Result:
    """Every field of ``limits`` as clean text, with the first problem of each (too long, a
    line break in a single-line field, control characters, markup): the rules every form
    of the site shares, before its own."""
    result = Result()
    for name, limit in limits.items():
        value = _text(form, name)
        problem = _problem(name, form.get(name, ""), value, limit)
        if problem:
            result.errors[name] = problem
        result.values[name] = value
    return result


def checked_address(result: Result, name: str = "email", key: str = "email") -> None:
    """The address in ``result.values[name]`` as it is stored and sent, or the message
    ``key`` when it is not one we send to."""
    if result.values[name]:
        address = normalise(result.values[name])
        if address is None:
            result.errors.setdefault(name, key)
        else:
            result.values[name] = address


def validate_form(form: Mapping[str, str], topics: Sequence[str], languages: Sequence[str],
                  site_url: str) -> Result:
    """Check a feedback form. ``helpful`` forms (yes/no plus an optional comment) need no
    message, e-mail or consent; full forms need a message and consent."""
    result = read_fields(form, LIMITS)
    values = result.values
    if values["lang"] not in languages:
        result.errors.setdefault("lang", "lang")
    helpful = values["helpful"]
    if helpful and helpful not in ("yes", "no"):
        result.errors.setdefault("helpful", "helpful")
    values["helpful"] = helpful or None
    if not helpful:
        if not values["message"]:
            result.errors.setdefault("message", "required_message")
        if values["consent"] not in ("on", "yes", "1"):
            result.errors.setdefault("consent", "consent")
    values["topic"] = values["topic"] or (topics[0] if helpful else "")
    if values["topic"] not in topics:
        result.errors.setdefault("topic", "topic")
    checked_address(result)
    values["publish"] = values["publish"] in ("on", "yes", "1")
    if values["page"] and not site_url_ok(values["page"], site_url):
        result.errors.setdefault("page", "page")
    return result
