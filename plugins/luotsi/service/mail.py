"""The mails a message causes — thanks to the sender, a notice to staff — as plain text.

They are composed when the message is stored and written to the outbox in the same
transaction (:mod:`.committer`); :mod:`.outgoing` turns them into what is sent and
:mod:`.mailer` sends them. Whatever the visitor wrote stays in the body, quoted: every line of
theirs starts with ``> ``, and a single-line value is one line, so nothing they write can
look like one of the notice's own lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .store import Mail

Translate = Callable[[str], str]


def one_line(text: str, limit: int = 200) -> str:
    """A single-line value as one line: every run of whitespace, line breaks of any kind
    included (``str.split`` knows NEL, U+2028 and U+2029), becomes one space."""
    return " ".join(text.split())[:limit]


def quoted(text: str) -> str:
    """Every line of a visitor's text, quoted as mail programs quote."""
    return "\n".join("> " + line for line in text.splitlines()) or ">"


def compose(values: dict[str, Any], staff_address: str, site_name: str,
            hours: int, gettext: Translate, staff_url: str, updated: bool = False
            ) -> list[Mail]:
    """The thank-you mail (when the sender gave an address) and the staff notice;
    ``updated`` when the message replaces an earlier answer to the same invitation."""
    mails = []
    name = one_line(values.get("name") or "")
    email = values.get("email") or ""
    if email and not values.get("helpful"):
        greeting = gettext("Hello %(name)s,") % {"name": name} if name else \
            gettext("Hello,")
        body = "\n\n".join([
            greeting,
            gettext("thank you for your message. We received it and will answer within "
                    "%(hours)s hours.") % {"hours": hours},
            gettext("What you wrote:"),
            quoted(values.get("message", "")),
            site_name,
        ]) + "\n"
        mails.append(Mail("thanks", email, gettext("We received your message — %(site)s")
                          % {"site": site_name}, body))
    kind = f"helpful={values['helpful']}" if values.get("helpful") else values["topic"]
    lines = [f"Topic: {one_line(values['topic'])}", f"Language: {one_line(values['lang'])}",
             f"Page: {one_line(values.get('page') or '-', 2000)}", f"Name: {name or '-'}",
             f"E-mail: {email or '-'}"]
    if values.get("helpful"):
        lines.append(f"Was the page helpful: {values['helpful']}")
    if updated:
        lines.append("This answer to an invitation replaces the sender's earlier one.")
    message = values.get("message", "")
    lines += ["", "Message, as the sender wrote it:" if message else "(no comment)"]
    if message:
        lines.append(quoted(message))
    lines += ["", f"Answer within {hours} hours; mark it answered at {staff_url}"]
    subject = f"[{site_name}] {kind}{' (updated)' if updated else ''}: " \
              f"{name or email or 'anonymous'}"
    mails.append(Mail("staff", staff_address, subject, "\n".join(lines) + "\n",
                      reply_to=email))
    return mails
