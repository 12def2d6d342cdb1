"""Mails caused by a message — thanks to the sender, a notice to staff — and their delivery.

Mails are composed when the message is stored and written to the outbox in the same
transaction; a worker sends them and, when the mail server is down, retries with
exponential back-off until it accepts them. Nothing depends on the server being up when
the visitor presses Send, and nothing is lost when the service restarts.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from .store import Mail, OutboxItem, Store, now

log = logging.getLogger("luotsi.service.mail")

Translate = Callable[[str], str]


def _one_line(text: str) -> str:
    """Visitor text in a header must not add header lines."""
    return " ".join(text.split())[:200]


def compose(values: dict[str, Any], staff_address: str, site_name: str,
            hours: int, gettext: Translate, staff_url: str) -> list[Mail]:
    """The thank-you mail (when the sender gave an address) and the staff notice."""
    mails = []
    name = values.get("name") or ""
    email = values.get("email") or ""
    if email and not values.get("helpful"):
        greeting = gettext("Hello %(name)s,") % {"name": _one_line(name)} if name else \
            gettext("Hello,")
        body = "\n\n".join([
            greeting,
            gettext("thank you for your message. We received it and will answer within "
                    "%(hours)s hours.") % {"hours": hours},
            gettext("What you wrote:"),
            "\n".join("> " + line for line in values.get("message", "").splitlines()),
            site_name,
        ]) + "\n"
        mails.append(Mail("thanks", email, gettext("We received your message — %(site)s")
                          % {"site": site_name}, body))
    kind = f"helpful={values['helpful']}" if values.get("helpful") else values["topic"]
    lines = [f"Topic: {values['topic']}", f"Language: {values['lang']}",
             f"Page: {values.get('page') or '-'}", f"Name: {name or '-'}",
             f"E-mail: {email or '-'}"]
    if values.get("helpful"):
        lines.append(f"Was the page helpful: {values['helpful']}")
    lines += ["", values.get("message", "") or "(no comment)", "",
              f"Answer within {hours} hours; mark it answered at {staff_url}"]
    mails.append(Mail("staff", staff_address,
                      f"[{site_name}] {kind}: {_one_line(name) or email or 'anonymous'}",
                      "\n".join(lines) + "\n", reply_to=email))
    return mails


def to_email(item: OutboxItem, sender: str, site_name: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((site_name, sender))
    message["To"] = item.recipient
    message["Subject"] = _one_line(item.subject)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated" if item.kind == "staff" else "auto-replied"
    if item.reply_to:
        message["Reply-To"] = item.reply_to
    if item.list_unsubscribe:  # mail programs then offer "unsubscribe" themselves
        message["List-Unsubscribe"] = f"<{item.list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(item.body)  # plain text: nothing a visitor wrote can become markup
    return message


class Sender:
    """Sends through SMTP; one connection per batch."""

    def __init__(self, host: str, port: int, starttls: bool = False, use_ssl: bool = False,
                 username: str = "", password: str = "", timeout: float = 15.0):
        self.host, self.port, self.starttls, self.use_ssl = host, port, starttls, use_ssl
        self.username, self.password, self.timeout = username, password, timeout

    def send(self, messages: list[tuple[int, EmailMessage]]) -> dict[int, str | None]:
        """Outbox id → None when accepted, or the error."""
        results: dict[int, str | None] = {}
        try:
            client: smtplib.SMTP
            if self.use_ssl:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.starttls:
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password)
                for item_id, message in messages:
                    try:
                        client.send_message(message)
                        results[item_id] = None
                    except smtplib.SMTPException as error:
                        results[item_id] = f"{type(error).__name__}: {error}"
        except (OSError, smtplib.SMTPException) as error:
            for item_id, _ in messages:
                results.setdefault(item_id, f"{type(error).__name__}: {error}")
        return results


def backoff(attempts: int, maximum: float) -> float:
    """Seconds before the next try: 5 s, 10 s, 20 s, … up to ``maximum``."""
    return min(maximum, 5.0 * 2 ** max(0, attempts - 1))


def deliver_due(store: Store, sender: Sender, mail_from: str, site_name: str,
                retry_max: float) -> int:
    """Send every due mail once; returns how many were accepted."""
    items = store.claim_due_mail(limit=100)
    if not items:
        return 0
    results = sender.send([(i.id, to_email(i, mail_from, site_name)) for i in items])
    sent, failed = [], []
    for item in items:
        error = results.get(item.id, "not attempted")
        if error is None:
            sent.append(item.id)
        else:
            attempts = item.attempts + 1
            failed.append((item.id, attempts, error, now() + backoff(attempts, retry_max)))
            log.warning("mail %s to %s failed (attempt %d): %s", item.id, item.recipient,
                        attempts, error)
    store.mail_results(sent, failed)
    return len(sent)


def run_mailer(config: Any, poll: float = 0.5) -> None:
    """The outbox loop, in its own process: sending mail must not slow down the answers to
    visitors (a thread would share the web process's interpreter lock). It ends when the
    service that started it is gone, killed or not."""
    from .store import open_store

    parent = os.getppid()
    store = open_store(config.database)
    sender = Sender(config.smtp_host, config.smtp_port, config.smtp_starttls, config.smtp_ssl,
                    config.smtp_username, config.smtp_password)
    while os.getppid() == parent:
        try:
            sent = deliver_due(store, sender, config.mail_from, config.site.name,
                               config.mail_retry_max_seconds)
        except Exception:  # a database hiccup must not stop delivery for good
            log.exception("outbox delivery failed; retrying")
            sent = 0
        if not sent:
            due = store.next_mail_due()
            time.sleep(poll if due is None else min(poll, max(0.02, due - now())))


class MailerProcess:
    """Starts and stops :func:`run_mailer` beside the web process."""

    def __init__(self, config: Any):
        self.config = config
        self.process: multiprocessing.process.BaseProcess | None = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")  # no copy of the event loop's state
        self.process = context.Process(target=run_mailer, args=(self.config,),
                                       name="luotsi-mailer", daemon=True)
        self.process.start()

    def stop(self) -> None:
        if self.process and self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)
