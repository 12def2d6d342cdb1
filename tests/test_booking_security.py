"""Attacks on booking requests against the real service: its own process on a loopback port,
the real SMTP server that keeps every envelope, the SQLite files on disk. Each test asserts
the answer, what was stored and the exact headers and recipients of what arrived.

1 status links: forged, expired, replayed, cancelled by GET   2 every field as a header
3 origins and bodies   4 the staff's side
"""

from __future__ import annotations

import sqlite3
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from luotsi.forms import tokens
from luotsi.service.store import token_hash

from .feedback_forms import JSON, booking_form
from .servers import SECRET
from .test_feedback_security import STAFF, Running, assert_exact, csrf_of, mails_with

pytestmark = pytest.mark.xdist_group("feedback")


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    running = Running(tmp_path_factory.mktemp("booking-security") / "svc")
    yield running
    running.close()


def requested(running: Running, **fields: str) -> tuple[str, str, str]:
    """A request (with a marker in its message) that was accepted: (marker, reference,
    the status link's token)."""
    marker = uuid.uuid4().hex
    answer = running.book(message=f"{fields.pop('message', 'Hei')} {marker}", **fields)
    assert answer.status_code == 201, answer.text
    token = parse_qs(urlsplit(answer.json()["next"]).query)["t"][0]
    return marker, answer.json()["reference"], token


def request_status(running: Running, reference: str) -> str:
    return running.rows("SELECT status FROM booking_requests WHERE reference = ?",
                        (reference,))[0][0]


# -- 1 ------------------------------------------------------------------------------------
def test_forged_and_expired_status_links_open_nothing(running):
    marker, reference, token = requested(running)
    nonce, _, signature = token.partition(".")
    forged = [f"{nonce}.{signature[::-1]}", f"{uuid.uuid4().hex}.{signature}",
              tokens.random_token(b"another-secret-" + b"x" * 40, "booking-status"),
              tokens.random_token(SECRET.encode(), "unsubscribe"), token + "x", nonce,
              "../../etc/passwd", "x" * 10_000]
    with running.service.client() as client:
        for value in forged:
            answer = client.get("/booking/status", params={"t": value})
            assert answer.status_code == 404, value
            assert reference not in answer.text and marker not in answer.text
        assert client.get("/booking/status", params={"t": token}).status_code == 200
        with_link = running.rows("SELECT request_id FROM booking_links WHERE token_hash = ?",
                                 (token_hash(token),))
        with sqlite3.connect(running.db) as conn:  # mailed a year and a day ago
            conn.execute("UPDATE booking_links SET created_at = created_at - 366 * 86400 "
                         "WHERE token_hash = ?", (token_hash(token),))
        expired = client.get("/booking/status", params={"t": token})
        assert expired.status_code == 404 and reference not in expired.text
        assert running.rows("SELECT COUNT(*) FROM booking_requests WHERE id = ?",
                            (with_link[0][0],)) == [(1,)]  # kept: only the link expired
        refused = client.post("/booking/cancel", data={"t": token},
                              headers={"Origin": running.service.url})
        assert refused.status_code == 404 and request_status(running, reference) == "received"


def test_cancelling_by_get_changes_nothing_and_a_replayed_post_sends_nothing(running):
    _, reference, token = requested(running)
    with running.service.client() as client:
        for _ in range(3):  # a link scanner, a preview, a curious click
            assert client.get("/booking/cancel", params={"t": token}).status_code == 200
            assert client.head("/booking/cancel", params={"t": token}).status_code == 200
        assert request_status(running, reference) == "received"
        own = {"Origin": running.service.url}
        assert client.post("/booking/cancel", data={"t": token}, headers={
            "Origin": "https://evil.example"}).status_code == 403
        bare = httpx.post(f"{running.service.url}/booking/cancel", data={"t": token})
        assert bare.status_code == 403  # no Origin, no Referer: not from a page of ours
        assert request_status(running, reference) == "received"
        assert client.post("/booking/cancel", data={"t": token}, headers=own).status_code == 200
        for _ in range(3):
            assert client.post("/booking/cancel", data={"t": token},
                               headers=own).status_code == 409
    running.settle()
    mails = mails_with(running.smtp, reference)
    kinds = sorted(str(r.message["Subject"]).split(" ")[0] for r in mails)
    assert len(mails) == 4, kinds  # received + notice, cancelled + notice: the replays nothing
    assert request_status(running, reference) == "cancelled"


# -- 2 ------------------------------------------------------------------------------------
INJECTIONS = ["\r\nBcc: victim@evil.example", "\nReply-To: attacker@evil.example", "\x85X: y",
              "\u2028Bcc: v@evil.example", "=?utf-8?b?DQpCY2M6IHZAZXZpbC5leGFtcGxl?=",
              "=?utf-8?q?v=40evil.example=2Cw?=", "a\x00b"]
FIELDS = ("name", "email", "phone", "trip", "departure", "adults", "children", "page", "lang",
          "waitlist", "privacy")


@pytest.mark.parametrize("field", FIELDS)
def test_no_field_can_write_a_header_or_add_a_recipient(running, field):
    """Every value either is refused (422, nothing stored) or ends up in the body alone: the
    mails that arrive carry exactly our headers and one envelope recipient each."""
    for value in INJECTIONS:
        before = running.rows("SELECT COUNT(*) FROM booking_requests")[0][0]
        marker = uuid.uuid4().hex
        original = booking_form().get(field, "")
        answer = running.book(**{field: original + value, "message": marker})
        if answer.status_code == 201:
            running.settle()
            customer = [r for r in mails_with(running.smtp, marker)
                        if r.rcpt_tos == ["aino@example.com"]]
            notice = [r for r in mails_with(running.smtp, marker)
                      if r.rcpt_tos == [STAFF["booking"]]]
            assert len(customer) == 1 and len(notice) == 1, (field, value)
            assert_exact(customer[0], "aino@example.com", reply_to=STAFF["booking"])
            assert_exact(notice[0], STAFF["booking"], reply_to="aino@example.com")
        else:
            assert answer.status_code == 422, (field, value, answer.text)
            assert running.rows("SELECT COUNT(*) FROM booking_requests")[0][0] == before


def test_a_multiline_message_stays_quoted_in_the_notice(running):
    marker, _, _ = requested(
        running, message="Hei\nE-mail: attacker@evil.example\nPage: https://evil.example/\n"
                         "Campaign: free")
    running.settle()
    [notice] = [r for r in mails_with(running.smtp, marker) if r.rcpt_tos == [STAFF["booking"]]]
    own = [line for line in notice.message.get_content().splitlines()
           if not line.startswith(">")]
    assert [line for line in own if line.startswith(("E-mail:", "Page:", "Campaign:"))] == [
        "E-mail: aino@example.com", "Campaign: -", "Page: http://127.0.0.1:8000/trips/aurora/"]


# -- 3 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("origin", ["https://evil.example", "null", ""])
def test_a_request_from_a_foreign_or_missing_origin_is_refused(running, origin):
    before = running.rows("SELECT COUNT(*) FROM booking_requests")
    with running.service.client(headers={**JSON, "Origin": origin}) as client:
        answer = client.post("/booking", data=booking_form())
    assert answer.status_code == 403
    assert running.rows("SELECT COUNT(*) FROM booking_requests") == before


def test_bodies_past_the_caps_are_refused_before_they_are_read(running):
    with running.service.client(headers=JSON) as client:
        big = client.post("/booking", content=b"name=" + b"a" * 40_000, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        assert big.status_code == 413
        cancel = client.post("/booking/cancel", content=b"t=" + b"a" * 5_000, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": running.service.url})
        assert cancel.status_code == 413
        many = "&".join(f"f{n}=1" for n in range(500))
        assert client.post("/booking", content=many, headers={
            "Content-Type": "application/x-www-form-urlencoded"}).status_code == 413
        assert client.post("/booking", content=b"lang=fi", headers={
            "Content-Type": "multipart/form-data; boundary=x"}).status_code == 415
    assert running.health() == {"ok": True}


# -- 4 ------------------------------------------------------------------------------------
def test_a_staff_note_goes_in_the_body_and_the_confirmation_carries_one_calendar(running):
    marker, reference, _ = requested(running, lang="en")
    [(request_id,)] = running.rows("SELECT id FROM booking_requests WHERE reference = ?",
                                   (reference,))
    staff = running.admin()
    try:
        path = f"/admin/bookings/{request_id}"
        assert staff.get(path).status_code == 200
        for status, note in (("offered", "Price\r\nBcc: v@evil.example\n=?utf-8?b?DQo=?="),
                             ("confirmed", f"See you! {marker}")):
            done = staff.post(f"{path}/status", data={"csrf": csrf_of(staff, path),
                                                      "status": status, "note": note})
            assert done.status_code == 303
        assert staff.post(f"{path}/status", data={"csrf": csrf_of(staff, path),
                                                  "status": "offered"}).status_code == 409
        for bad in ("/admin/bookings/-1", "/admin/bookings/99999999999999999999",
                    "/admin/bookings/0"):
            assert staff.get(bad).status_code == 404
    finally:
        staff.close()
    running.settle()
    told = [r for r in running.smtp.received if reference in str(r.message["Subject"])
            and r.rcpt_tos == ["aino@example.com"]]
    assert [str(r.message["Subject"]).split(" — ")[0] for r in told] == [
        f"We received your booking request {reference}",
        f"An offer for your booking request {reference}",
        f"Your booking {reference} is confirmed"]
    for received in told[:2]:  # answers go to the staff who handle bookings
        assert_exact(received, "aino@example.com", reply_to=STAFF["booking"])
    confirmation = told[2]
    assert confirmation.rcpt_tos == ["aino@example.com"]
    assert confirmation.message.get_content_type() == "multipart/mixed"
    [calendar] = list(confirmation.message.iter_attachments())
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_filename() == f"{reference}.ics"
    assert "Bcc" not in str(told[1].message.keys())
    assert "Bcc: v@evil.example" in told[1].message.get_content()  # text, in the body
