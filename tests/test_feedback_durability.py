"""Nothing a visitor sends is lost: not when the mail server is down, not when the service
is killed in the middle of a burst."""

from __future__ import annotations

import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .feedback_forms import JSON, booking_form, form
from .servers import Service, SmtpSink, free_port

pytestmark = [pytest.mark.xdist_group("feedback"), pytest.mark.slow]


def rows(db, sql):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_mail_server_down_then_up_delivers_with_retries(tmp_path):
    smtp_port = free_port()  # nothing listens here yet: the mail server is "down"
    service = Service(tmp_path / "svc", smtp_port).start()
    db = tmp_path / "svc" / "feedback.db"
    try:
        with service.client(headers=JSON) as client:
            assert client.post("/feedback", data=form()).status_code == 201
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and rows(
                db, "SELECT COUNT(*) FROM outbox WHERE attempts >= 2") != [(2,)]:
            time.sleep(0.1)
        failed = rows(db, "SELECT attempts, last_error, sent_at FROM outbox")
        assert len(failed) == 2 and all(a >= 2 and e and s is None for a, e, s in failed)
        smtp = SmtpSink(smtp_port).start()  # the mail server comes back
        try:
            assert len(smtp.wait_for(2)) == 2
            assert {m["To"] for m in smtp.messages} == {"aino@example.com",
                                                        "bookings@fixture.example"}
        finally:
            smtp.stop()
    finally:
        service.stop()


def test_sigkill_during_a_burst_loses_no_accepted_message_or_mail(tmp_path):
    smtp_port = free_port()  # mail is down during the burst, so every mail waits in the outbox
    service = Service(tmp_path / "svc", smtp_port, rate_limit=100000).start()
    db = tmp_path / "svc" / "feedback.db"
    accepted: list[str] = []

    def send(n: int) -> None:
        text = f"burst message {n}"
        try:
            with httpx.Client(base_url=service.url, timeout=10,
                              headers={**JSON, "Origin": service.site}) as client:
                if client.post("/feedback", data=form(message=text)).status_code == 201:
                    accepted.append(text)
        except httpx.HTTPError:
            pass  # the service died before answering: this one was never promised

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(send, n) for n in range(400)]
        deadline = time.monotonic() + 60  # a stuck service fails the test, never hangs it
        while len(accepted) < 60 and time.monotonic() < deadline:
            time.sleep(0.005)
        service.stop(kill=True)  # SIGKILL: no shutdown handler runs
        for future in futures:
            future.result()
    assert len(accepted) >= 60
    stored = {r[0] for r in rows(db, "SELECT message FROM messages")}
    missing = set(accepted) - stored
    assert not missing, f"{len(missing)} accepted message(s) lost"

    smtp = SmtpSink(smtp_port).start()
    restarted = Service(tmp_path / "svc", smtp_port).start()  # same folder, same database
    try:
        expected = 2 * len(stored)  # a thank-you and a staff notice per stored message
        mails = smtp.wait_for(expected, timeout=60)
        delivered = {m.get_content().split("> ", 1)[1].splitlines()[0]
                     for m in mails if m["To"] == "aino@example.com"}
        assert set(accepted) <= delivered
        assert rows(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]
    finally:
        restarted.stop()
        smtp.stop()


def test_sigkill_during_a_burst_of_booking_requests_loses_none(tmp_path):
    """The same for booking requests: every request answered with a reference is stored with
    it (references unique, none given twice) and its two mails go out after the restart."""
    smtp_port = free_port()
    service = Service(tmp_path / "svc", smtp_port, rate_limit=100000).start()
    db = tmp_path / "svc" / "feedback.db"
    accepted: dict[str, str] = {}  # reference → the marker in the request's message

    def send(n: int) -> None:
        marker = f"burst request {n}"
        try:
            with httpx.Client(base_url=service.url, timeout=10,
                              headers={**JSON, "Origin": service.site}) as client:
                answer = client.post("/booking", data=booking_form(message=marker))
                if answer.status_code == 201:
                    accepted[answer.json()["reference"]] = marker
        except httpx.HTTPError:
            pass  # the service died before answering: this one was never promised

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(send, n) for n in range(400)]
        deadline = time.monotonic() + 60
        while len(accepted) < 60 and time.monotonic() < deadline:
            time.sleep(0.005)
        service.stop(kill=True)
        for future in futures:
            future.result()
    assert len(accepted) >= 60
    stored = dict(rows(db, "SELECT reference, message FROM booking_requests"))
    assert {ref: stored.get(ref) for ref in accepted} == accepted  # each with its own text
    assert len(rows(db, "SELECT DISTINCT reference FROM booking_requests")) == len(stored)

    smtp = SmtpSink(smtp_port).start()
    restarted = Service(tmp_path / "svc", smtp_port).start()
    try:
        mails = smtp.wait_for(2 * len(stored), timeout=60)
        customers = {re.search(r"[A-Z]+-\d{4}-\d{5}", m["Subject"]).group(0) for m in mails
                     if m["To"] == "aino@example.com"}
        assert set(accepted) <= customers
        assert rows(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]
    finally:
        restarted.stop()
        smtp.stop()
