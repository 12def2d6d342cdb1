"""Nothing a visitor sends is lost: not when the mail server is down, not when the service
is killed in the middle of a burst."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

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


def mailer_pid(service: Service) -> int:
    """The service's mailer: the child process spawned by multiprocessing that is not its
    resource tracker."""
    children = [child for task in Path(f"/proc/{service.process.pid}/task").iterdir()
                for child in (task / "children").read_text().split()]  # of every thread
    for child in children:
        command = Path(f"/proc/{child}/cmdline").read_text()
        if "spawn_main" in command and "resource_tracker" not in command:
            return int(child)
    raise AssertionError(f"no mailer among {children}")


def test_a_mailer_that_died_is_started_again_and_sends_what_waited(tmp_path):
    """Found by a load run: the mailer died at start-up ("database is locked" after 30 s of
    requests holding the write lock) and, with nobody to start it again, no mail left the
    outbox until the service was restarted. It no longer migrates (the service has), never
    stops on an error, and the service starts it again when it dies all the same."""
    smtp = SmtpSink().start()
    service = Service(tmp_path / "svc", smtp.port).start()
    try:
        first = mailer_pid(service)
        os.kill(first, signal.SIGKILL)
        with service.client(headers=JSON) as client:
            assert client.post("/feedback", data=form(message="after the kill")).status_code \
                == 201
        mails = smtp.wait_for(2, timeout=30)
        assert len(mails) == 2 and "after the kill" in mails[0].get_content() + \
            mails[1].get_content()
        assert mailer_pid(service) != first
    finally:
        service.stop()
        smtp.stop()
    assert "the mailer stopped (exit code -9); starting it again" in \
        (tmp_path / "svc" / "service.log").read_text()


WRK_SCRIPT = """wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.headers["Origin"] = "{origin}"
"""


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk: scripts/install-system-deps.sh")
def test_mail_goes_out_while_a_stream_of_submissions_is_answered(tmp_path):
    """Found by a load run: with SQLite's own lock, a writer that finds the database locked
    polls it with growing sleeps, and the committer, which locks again as soon as it has
    committed, always won; under 32 clients the mailer sent nothing for as long as the
    stream lasted. Writers now queue on a lock beside the database file, so the mailer
    takes its turn: mail keeps arriving while the stream lasts."""
    smtp = SmtpSink(parse=False).start()
    service = Service(tmp_path / "svc", smtp.port, rate_limit=10**9, max_seconds=10**6,
                      min_seconds=0.0).start()
    try:
        script = tmp_path / "post.lua"
        script.write_text(WRK_SCRIPT.format(body=urlencode(form()), origin=service.site))
        load = subprocess.Popen(["wrk", "-t", "2", "-c", "32", "-d", "8s", "-s", str(script),
                                 f"{service.url}/feedback"], stdout=subprocess.DEVNULL)
        time.sleep(2)  # the stream is under way
        seen = [(time.monotonic(), smtp.count)]
        while load.poll() is None:
            time.sleep(0.1)
            seen.append((time.monotonic(), smtp.count))
        assert load.returncode == 0
    finally:
        service.stop()
        smtp.stop()
    arrivals = [at for (at, count), (_, before) in zip(seen[1:], seen, strict=False)
                if count > before]
    assert arrivals, "no mail was sent while the stream lasted"
    gaps = [b - a for a, b in zip([seen[0][0], *arrivals], [*arrivals, seen[-1][0]],
                                  strict=True)]
    assert max(gaps) < 2.5, f"the mailer waited {max(gaps):.1f} s for its turn"
