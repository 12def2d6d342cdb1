"""What a visitor may send, checked field by field, with messages in the form's language.

Pure functions: they get the decoded form and the site's feedback configuration and return
either clean values or one message per field, so the same rules serve the no-JavaScript
page, the JSON answer and the tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Marks a message for the catalogs; it is translated when shown, in the form's language."""
    return message


LIMITS = {"name": 100, "email": 254, "message": 5000, "topic": 40, "page": 2000,
          "lang": 10, "helpful": 3, "answer": 6, "token": 400, "website": 200, "consent": 3,
          "publish": 3, "booking": 600}
MAX_BODY = 32 * 1024  # bytes; the whole form, all fields, well above any real message

_EMAIL = re.compile(r"^[^@\s<>\"(),;:]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
_TAG = re.compile(r"<\s*[a-zA-Z/!?]|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MESSAGES = {
    "required_message": N_("Please write your message."),
    "email": N_("Please give an e-mail address we can answer to, such as name@example.com, "
                "or leave the field empty."),
    "topic": N_("Please choose a topic from the list."),
    "consent": N_("Please tick the box to let us store your message and answer it."),
    "too_long": N_("This is too long: at most %(max)s characters, please."),
    "html": N_("Please write plain text, without HTML tags or scripts."),
    "control": N_("This contains characters that cannot be shown. Please retype it."),
    "helpful": N_("Please choose yes or no."),
    "page": N_("The form was sent from an unknown page."),
    "lang": N_("The form's language is unknown."),
    "expired": N_("The form expired. Please check your message and send it again."),
    "too_fast": N_("That was very fast. Please check your message and send it again."),
    "confirm": N_("Please check your message and press Send to confirm."),
    "question": N_("Please answer the question with a number."),
    "wrong_answer": N_("That answer is not right. Please try again."),
    "rate": N_("Too many messages from your address. Please try again in a few minutes."),
    "origin": N_("This form can only be sent from our own website."),
    "too_big": N_("The form is too large to send."),
    "content_type": N_("The form was sent in a format we do not accept."),
    "encoding": N_("The form contains text that is not valid UTF-8."),
    "fix_fields": N_("Please correct the marked fields."),
    "thanks": N_("Thank you! We received your message and will answer within %(hours)s hours."),
    "thanks_helpful": N_("Thank you for your feedback!"),
    "heading": N_("Your message"),
    "qr_unknown": N_("This code is not in use. Our home page:"),
    "booking": N_("This invitation link is not valid. Please write to us from our website."),
    "invite_heading": N_("How was your trip %(trip)s?"),
    "unsubscribe_heading": N_("No more invitations"),
    "unsubscribe_confirm": N_("Press the button and we will not send you invitations to give "
                              "feedback any more."),
    "unsubscribe_button": N_("Unsubscribe"),
    "unsubscribed": N_("Done: you will not get invitations from us any more."),
}


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
