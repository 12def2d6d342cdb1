"""What a visitor may send, checked field by field, with messages in the form's language.

Pure functions: they get the decoded form and the site's feedback configuration and return
either clean values or one message key per field, so the same rules serve the no-JavaScript
page, the JSON answer and the tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..forms.fields import LIMITS

_EMAIL = re.compile(r"^[^@\s<>\"(),;:]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
_TAG = re.compile(r"<\s*[a-zA-Z/!?]|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_address(text: str) -> bool:
    """An e-mail address we can send to (stricter than the site settings' check: visitors
    and booking lists type these)."""
    return bool(_EMAIL.match(text))


@dataclass
class Result:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field → message key

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(form: Mapping[str, str], name: str) -> str:
    return form.get(name, "").replace("\r\n", "\n").strip()


def validate_form(form: Mapping[str, str], topics: Sequence[str], languages: Sequence[str],
                  site_origin: str) -> Result:
    """Check a feedback form. ``helpful`` forms (yes/no plus an optional comment) need no
    message, e-mail or consent; full forms need a message and consent."""
    result = Result()
    for name, limit in LIMITS.items():
        value = _text(form, name)
        if len(value) > limit:
            result.errors[name] = "too_long"
        elif _CONTROL.search(value):
            result.errors[name] = "control"
        elif name in ("name", "message", "topic", "email") and _TAG.search(value):
            result.errors[name] = "html"
        result.values[name] = value
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
    if values["email"] and not is_address(values["email"]):
        result.errors.setdefault("email", "email")
    values["publish"] = values["publish"] in ("on", "yes", "1")
    page = values["page"]
    if page and not (page.startswith(site_origin + "/") or page == site_origin):
        result.errors.setdefault("page", "page")
    return result
