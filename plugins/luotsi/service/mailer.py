"""Delivery of the outbox, one mail at a time, in a process of its own.

Every mail is handled alone: one that cannot be composed, or that the mail server refuses
for good, is marked *failed* with the reason (staff see it in the admin and can retry it)
and never holds up another. What happens to a mail:

- accepted by the server: sent;
- cannot be composed (:class:`.outgoing.ComposeError`), or needs SMTPUTF8 and the server
  does not offer it: failed at once;
- refused by the server for this mail (4xx or 5xx), or the connection broke while sending
  it: tried again with back-off, and failed after ``mail_max_attempts`` tries;
- the server cannot be reached at all: tried again with back-off, for as long as it takes,
  since no mail is to blame (the service promises that nothing is lost while it is down).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import smtplib
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .outgoing import ComposeError, Outgoing, build
from .store import Store, now

log = logging.getLogger("luotsi.service.mail")

SENT, RETRY, FAILED, UNREACHABLE = "sent", "retry", "failed", "unreachable"


@dataclass(frozen=True)
class Result:
    outcome: str  # one of the constants above
    error: str = ""


def _describe(error: BaseException) -> str:
    """The error as one printable line (it is stored and shown to staff)."""
    text = f"{type(error).__name__}: {error}"
    return "".join(c if c.isprintable() else " " for c in text)[:500]


def _refusal(error: smtplib.SMTPException) -> Result:
    """A server's answer about one mail: permanent (5xx) and temporary (4xx) refusals are
    both tried again, a bounded number of times (a 5xx may come from a passing
    misconfiguration; staff can retry a failed mail in the admin)."""
    codes = [code for code, _ in getattr(error, "recipients", {}).values()]
    code = getattr(error, "smtp_code", codes[0] if codes else 0)
    kind = "permanent" if 500 <= int(code) < 600 else "temporary"
    return Result(RETRY, f"{kind} refusal: {_describe(error)}")


class Sender:
    """Sends through SMTP on one connection, opened when first needed and opened again
    after a mail broke it."""

    def __init__(self, host: str, port: int, starttls: bool = False, use_ssl: bool = False,
                 username: str = "", password: str = "", timeout: float = 15.0):
        self.host, self.port, self.starttls, self.use_ssl = host, port, starttls, use_ssl
        self.username, self.password, self.timeout = username, password, timeout

    def _connect(self) -> smtplib.SMTP:
        client: smtplib.SMTP
        if self.use_ssl:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            client.ehlo()
            if self.starttls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if self.username:
                client.login(self.username, self.password)
        except BaseException:
            client.close()
            raise
        return client

    def send(self, mails: Iterable[tuple[int, Outgoing]]) -> dict[int, Result]:
        """Outbox id → result, for each mail on its own."""
        results: dict[int, Result] = {}
        client: smtplib.SMTP | None = None
        unreachable: Result | None = None
        try:
            for item_id, mail in mails:
                if unreachable is not None:
                    results[item_id] = unreachable
                    continue
                if client is None:
                    try:
                        client = self._connect()
                    except (OSError, smtplib.SMTPException) as error:
                        unreachable = Result(UNREACHABLE, _describe(error))
                        results[item_id] = unreachable
                        continue
                results[item_id], healthy = self._send_one(client, mail)
                if not healthy:
                    client.close()
                    client = None
        finally:
            if client is not None:
                try:
                    client.quit()
                except (OSError, smtplib.SMTPException):
                    client.close()
        return results

    @staticmethod
    def _send_one(client: smtplib.SMTP, mail: Outgoing) -> tuple[Result, bool]:
        """(result, whether the connection can carry the next mail)."""
        options: list[str] = []
        if mail.smtputf8 and not client.has_extn("smtputf8"):
            if mail.fallback is None:
                return Result(FAILED, "the address needs SMTPUTF8, which the mail server "
                                      "does not offer"), True
            mail = mail.fallback
        if mail.smtputf8:
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        try:
            client.sendmail(mail.sender, [mail.recipient], mail.data, mail_options=options)
        except smtplib.SMTPServerDisconnected as error:
            return Result(RETRY, _describe(error)), False
        except smtplib.SMTPException as error:
            return _refusal(error), True
        except OSError as error:
            return Result(RETRY, _describe(error)), False
        return Result(SENT), True


def backoff(attempts: int, maximum: float) -> float:
    """Seconds before the next try: 5 s, 10 s, 20 s, … up to ``maximum``."""
    return min(maximum, 5.0 * 2 ** max(0, attempts - 1))


def deliver_due(store: Store, sender: Sender, mail_from: str, site_name: str,
                retry_max: float, max_attempts: int = 5, limit: int = 100) -> int:
    """Send due mails once, at most ``limit``; returns how many were accepted."""
    items = store.claim_due_mail(limit=limit)
    if not items:
        return 0
    results: dict[int, Result] = {}
    ready: list[tuple[int, Outgoing]] = []
    for item in items:
        try:
            ready.append((item.id, build(item, mail_from, site_name)))
        except ComposeError as error:
            results[item.id] = Result(FAILED, f"cannot be composed: {error}")
        except Exception as error:
            results[item.id] = Result(FAILED, f"cannot be composed: {_describe(error)}")
    results.update(sender.send(ready))
    sent, again, failed = [], [], []
    for item in items:
        result = results.get(item.id, Result(RETRY, "not attempted"))
        if result.outcome == SENT:
            sent.append(item.id)
            continue
        attempts = item.attempts + 1  # every try: how long to wait before the next
        refusals = item.refusals + (result.outcome == RETRY)  # tries this mail itself failed
        if result.outcome == FAILED or refusals >= max_attempts:
            failed.append((item.id, attempts, refusals, result.error))
            log.warning("mail %s failed after %d attempt(s): %s", item.id, attempts,
                        result.error)
        else:
            again.append((item.id, attempts, refusals, result.error,
                          now() + backoff(attempts, retry_max)))
    if again:
        log.warning("%d mail(s) not sent yet, e.g. %s: %s", len(again), again[0][0],
                    again[0][3])
    store.mail_results(sent, again, failed)
    return len(sent)


def run_mailer(config: Any, poll: float = 0.5) -> None:
    """The outbox loop, in its own process: sending mail must not slow down the answers to
    visitors (a thread would share the web process's interpreter lock). It ends when the
    service that started it is gone, killed or not; nothing else ends it: whatever goes
    wrong (the database busy or gone for a while, the mail server down) is logged and tried
    again, since a mailer that stopped would leave every thank-you unsent. It sends at most
    ``mail_per_second`` mails a second: mail relays limit how fast a sender may send, and
    under a burst of submissions the mailer would otherwise take a core's worth of CPU from
    the visitors being answered (0.6 of one at 32 clients on 2 cores)."""
    from .store import open_store

    parent = os.getppid()
    store = open_store(config.database, migrate=False)  # the service has migrated it
    sender = Sender(config.smtp_host, config.smtp_port, config.smtp_starttls, config.smtp_ssl,
                    config.smtp_username, config.smtp_password)
    batch = max(1, min(100, round(config.mail_per_second)))
    while os.getppid() == parent:
        try:
            started = time.monotonic()
            sent = deliver_due(store, sender, config.mail_from, config.site.name,
                               config.mail_retry_max_seconds, config.mail_max_attempts, batch)
            if sent:
                time.sleep(max(0.0, sent / config.mail_per_second
                               - (time.monotonic() - started)))
            else:
                due = store.next_mail_due()
                time.sleep(poll if due is None else min(poll, max(0.02, due - now())))
        except Exception:
            log.exception("outbox delivery failed; retrying")
            time.sleep(poll)


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

    def restart_if_dead(self) -> bool:
        """Start the mailer again when it died (killed, out of memory): True when it did.
        The service asks every few seconds, so that mail never waits for a restart."""
        if self.process is None or self.process.is_alive():
            return False
        log.error("the mailer stopped (exit code %s); starting it again",
                  self.process.exitcode)
        self.start()
        return True

    def stop(self) -> None:
        process, self.process = self.process, None  # stopped on purpose: not restarted
        if process and process.is_alive():
            process.terminate()
            process.join(timeout=10)
