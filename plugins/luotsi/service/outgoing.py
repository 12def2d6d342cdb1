"""An outbox item as the bytes that are sent, and the checks that make them safe to send.

The email package decodes RFC 2047 encoded words in any header it is given, so a value that
looks harmless (``=?utf-8?b?…?=``) can become a line break and a header of its own, or an
address list. So no visitor text goes into a header unchecked: addresses must be plain
(:mod:`.addresses`), a subject is one line with no encoded-word syntax left in it, and after
composing, the bytes are parsed back and must carry exactly the headers and recipients meant —
else the mail is not sent at all (:class:`ComposeError`), and only that mail fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from email import message_from_string
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import formataddr, formatdate, make_msgid

from .addresses import needs_smtputf8, normalise
from .mail import one_line
from .store import OutboxItem
from .validation import LINE_BREAKS

_URL = re.compile(r"https?://[\x21-\x7e]+")
_ATTACHMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.ics")  # a calendar, by our name
HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "Reply-To",
           "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type",
           "Content-Transfer-Encoding", "MIME-Version")


class ComposeError(ValueError):
    """This mail cannot be sent as it stands; the message says why."""


class UnfoldedHeader(UnstructuredHeader):
    """A header written as given, on one line: RFC 2369 wants ``List-Unsubscribe`` as a URL in
    angle brackets, and the email package would otherwise fold a long URL into encoded words,
    which no mail program reads as a URL."""

    def fold(self, *, policy) -> str:  # type: ignore[no-untyped-def,override]
        return f"{self.name}: {self}{policy.linesep}"


class OneClassPerHeader(HeaderRegistry):
    """The email package's header factory, with its classes kept. The stock registry builds
    a new class with ``type()`` for every header it sets or reads, and composing and
    checking one mail reads dozens; keeping one class per name took a booking mail from
    3.5–4.4 ms to 2.9–3.4 ms of the mailer's CPU, which under load is CPU the web process
    does not get. The classes are the same, so what is checked is too."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def map_to_type(self, name: str, cls: type) -> None:
        super().map_to_type(name, cls)
        self._classes.clear()

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found


_registry = OneClassPerHeader()
_registry.map_to_type("list-unsubscribe", UnfoldedHeader)
POLICY = SMTP.clone(header_factory=_registry, cte_type="7bit")  # no 8BITMIME needed
POLICY_UTF8 = SMTP.clone(header_factory=_registry, utf8=True)  # with SMTPUTF8 only
READER = default.clone(header_factory=OneClassPerHeader())  # a reader's view: stock classes


@dataclass(frozen=True)
class Outgoing:
    """What the SMTP client needs for one mail; ``fallback``, for a server without SMTPUTF8,
    the same mail without a Reply-To that needs it (a staff notice names the sender's
    address in its text anyway)."""

    sender: str
    recipient: str
    data: bytes
    smtputf8: bool
    fallback: Outgoing | None = None


def subject_text(text: str) -> str:
    """A subject as one line in which nothing decodes into something else: ``=?`` is written
    ``= ?``, so no mail program reads an encoded word in what a visitor typed."""
    return one_line("".join(c if c.isprintable() else " " for c in text)).replace("=?", "= ?")


def _plain_address(address: str, what: str) -> str:
    if normalise(address) != address:
        raise ComposeError(f"{what} {address!r} is not a plain address")
    return address


def build(item: OutboxItem, mail_from: str, site_name: str) -> Outgoing:
    """The mail for ``item``, or :class:`ComposeError`."""
    recipient = _plain_address(item.recipient, "recipient")
    reply_to = _plain_address(item.reply_to, "reply-to") if item.reply_to else ""
    unsubscribe = item.list_unsubscribe
    if unsubscribe and not _URL.fullmatch(unsubscribe):
        raise ComposeError(f"unsubscribe link {unsubscribe!r} is not a plain URL")
    utf8 = needs_smtputf8(recipient) or needs_smtputf8(reply_to)
    message = EmailMessage(policy=POLICY_UTF8 if utf8 else POLICY)
    message["From"] = formataddr((one_line(site_name), mail_from))
    message["To"] = recipient
    subject = subject_text(item.subject)
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated" if item.kind == "staff" else "auto-replied"
    if reply_to:
        message["Reply-To"] = reply_to
    if unsubscribe:  # mail programs then offer "unsubscribe" themselves (RFC 2369, 8058)
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(item.body)  # plain text: nothing a visitor wrote can become markup
    if item.attachment_name or item.attachment:
        if not _ATTACHMENT.fullmatch(item.attachment_name):
            raise ComposeError(f"attachment {item.attachment_name!r} is not a calendar file")
        # As bytes: base64 keeps the calendar's CRLF line ends and folding exactly as written.
        message.add_attachment(item.attachment.encode("utf-8"), maintype="text",
                               subtype="calendar", filename=item.attachment_name,
                               params={"method": "PUBLISH", "charset": "utf-8"})
    data = message.as_bytes()
    check(data, recipient, reply_to, subject, unsubscribe)
    fallback = None
    if utf8 and not needs_smtputf8(recipient):
        fallback = build(replace(item, reply_to=""), mail_from, site_name)
    return Outgoing(mail_from, recipient, data, utf8, fallback)


def check(data: bytes, recipient: str, reply_to: str, subject: str, unsubscribe: str) -> None:
    """Parse the composed mail as its reader will and compare with what was meant."""
    parsed = message_from_string(data.decode("utf-8"), policy=READER)
    names = [name.lower() for name in parsed]
    unknown = sorted(set(names) - {h.lower() for h in HEADERS})
    if unknown or len(names) != len(set(names)):
        raise ComposeError(f"unexpected or repeated headers: {unknown or names}")

    def addresses(name: str) -> list[str]:
        header = parsed[name]
        return [a.addr_spec for a in header.addresses] if header is not None else []

    if addresses("To") != [recipient]:
        raise ComposeError(f"To would be {addresses('To')}, not {recipient!r}")
    if addresses("Reply-To") != ([reply_to] if reply_to else []):
        raise ComposeError(f"Reply-To would be {addresses('Reply-To')}, not {reply_to!r}")
    read = str(parsed["Subject"])  # spaces between encoded words are not read (RFC 2047)
    if LINE_BREAKS.search(read) or "".join(read.split()) != "".join(subject.split()):
        raise ComposeError(f"the subject would read {read!r}")
    line = f"\r\nList-Unsubscribe: <{unsubscribe}>\r\n".encode()
    if unsubscribe and line not in b"\r\n" + data:
        raise ComposeError("List-Unsubscribe would not be a plain URL")
