"""Issue 12's attacks against the real service: its own process on a loopback port, a real
SMTP server that keeps every envelope, SQLite files on disk (PostgreSQL's erase is in
test_feedback_store). Each test asserts the answer, the stored rows and the exact headers and
recipients of every mail that arrived.

1 one message stops all mail   2 visitor text becomes a header   3 mail redirected
4 erase incomplete   5 unbounded bodies   6 unsubscribe   7 admin   8 smaller ones
"""

from __future__ import annotations

import csv
import io
import json
import re
import select
import socket
import sqlite3
import time
import uuid
from email.parser import BytesHeaderParser
from email.policy import default
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from luotsi.service import addresses
from luotsi.service.store import Mail, open_store

from .feedback_forms import JSON, booking_form, form, good_token
from .servers import Received, Service, SmtpSink

pytestmark = pytest.mark.xdist_group("feedback")
PASSWORD = "correct horse battery staple"
STAFF = {"general": "info@fixture.example", "booking": "bookings@fixture.example"}
BASE_HEADERS = {"From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
                "Content-Type", "Content-Transfer-Encoding", "MIME-Version"}
LINE_BREAK = "Kirjoita tämä yhdelle riville."
BAD_EMAIL = ("Anna sähköpostiosoite, johon voimme vastata, esimerkiksi nimi@example.com, tai "
             "jätä kenttä tyhjäksi.")


class Running:
    """A service with an admin account, its SMTP sink and its database."""

    def __init__(self, root: Path, sink: SmtpSink | None = None, **settings):
        self.smtp = (sink or SmtpSink()).start()
        settings = {"rate_limit": 100000, "mail_max_attempts": 2,
                    "mail_retry_max_seconds": 1, **settings}
        self.service = Service(root, self.smtp.port, **settings)
        self.service.cli("feedback", "add-admin", "aino", "--password-stdin",
                         stdin=PASSWORD + "\n")
        self.service.start()
        self.db = root / "feedback.db"

    def rows(self, sql: str, params=()) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, params).fetchall()

    def settle(self, timeout: float = 20.0) -> None:
        """Until the outbox has nothing left to try."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.rows(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        )[0][0]:
            time.sleep(0.1)
        time.sleep(0.2)

    def post(self, client_ip: str = "10.0.0.1", **fields: str) -> httpx.Response:
        with self.service.client(headers={**JSON, "X-Forwarded-For": client_ip}) as client:
            return client.post("/feedback", data=form(**fields))

    def book(self, client_ip: str = "10.0.0.2", **fields: str) -> httpx.Response:
        """A booking request for a fixture trip (see tests/servers.py)."""
        with self.service.client(headers={**JSON, "X-Forwarded-For": client_ip}) as client:
            return client.post("/booking", data=booking_form(**fields))

    def admin(self, client_ip: str = "10.9.0.1") -> httpx.Client:
        client = self.service.client(follow_redirects=False, headers={
            "Origin": self.service.url, "X-Forwarded-For": client_ip})
        answer = client.post("/admin/login", data={"user": "aino", "password": PASSWORD})
        assert answer.status_code == 303
        return client

    def invite(self, *rows: str) -> str:
        """Run ``luotsi feedback invite`` on bookings (CSV rows) and wait for its mails."""
        bookings = self.service.root / "bookings.csv"
        bookings.write_text("booking_id,name,email,lang,trip,end_date\n" + "\n".join(rows)
                            + "\n", encoding="utf-8")
        done = self.service.cli("feedback", "invite", "bookings.csv", "--today", "2026-06-01")
        self.settle()
        return done.stdout

    def health(self) -> dict:
        with self.service.client() as client:
            return client.get("/healthz").json()

    def close(self) -> None:
        self.service.stop()
        self.smtp.stop()

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    running = Running(tmp_path_factory.mktemp("security") / "svc")
    yield running
    running.close()


def csrf_of(client: httpx.Client, path: str = "/admin/") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def addresses_of(received: Received, header: str) -> list[str]:
    value = received.message[header]
    return [a.addr_spec for a in value.addresses] if value is not None else []


def assert_exact(received: Received, recipient: str, reply_to: str = "",
                 extra: frozenset[str] = frozenset()) -> None:
    """One envelope recipient, the same in To:, Reply-To as expected, and no other header
    than the service writes."""
    assert received.rcpt_tos == [recipient]
    assert addresses_of(received, "To") == [recipient]
    assert addresses_of(received, "Reply-To") == ([reply_to] if reply_to else [])
    expected = BASE_HEADERS | extra | ({"Reply-To"} if reply_to else set())
    assert set(received.message.keys()) == expected
    assert len(received.message.keys()) == len(expected)  # none twice


def mails_with(sink: SmtpSink, marker: str) -> list[Received]:
    return [r for r in sink.received if marker in r.message.get_content()]


# -- 1 ------------------------------------------------------------------------------------
POISON = {
    "=?utf-8?b?eA0KQmNjOiB2aWN0aW1AZXZpbC5leGFtcGxl?=@e.co": "cannot be composed",
    "=?utf-8?q?v=40evil.example=2Cw?=@example.com": "cannot be composed",
    "refused@example.com": "permanent refusal",  # the server answers 550
    "ÄIJÄ@example.com": "SMTPUTF8",  # the server does not offer SMTPUTF8
}


def queue(db: Path, first: int, count: int) -> None:
    """Poison mails first (the oldest, as they were when they stopped all mail), then
    ``count`` good ones, written to the outbox as the service writes them."""
    store = open_store(f"sqlite:///{db}")
    try:
        batch = [({"lang": "fi", "topic": "general", "email": address},
                  [Mail("thanks", address, "Kiitos", "poison")]) for address in POISON]
        batch += [({"lang": "fi", "topic": "general", "email": f"good{n}@example.com"},
                   [Mail("thanks", f"good{n}@example.com", f"Kiitos {n}", f"good {n}")])
                  for n in range(first, first + count)]
        store.add_messages(batch)
    finally:
        store.close()


@pytest.mark.slow
def test_one_poison_mail_among_100_good_ones_stops_none_before_or_after_a_restart(tmp_path):
    refusing = SmtpSink(refuse=frozenset({"refused@example.com"}))
    with Running(tmp_path / "svc", refusing) as running:
        queue(running.db, 0, 100)
        running.settle(timeout=60)
        good = [r for r in running.smtp.received if r.rcpt_tos[0].startswith("good")]
        assert sorted(r.rcpt_tos[0] for r in good) == sorted(
            f"good{n}@example.com" for n in range(100))
        for received in good:
            assert_exact(received, received.rcpt_tos[0])
        failed = running.rows("SELECT recipient, last_error FROM outbox WHERE failed_at IS "
                              "NOT NULL ORDER BY id")
        assert [r for r, _ in failed] == list(POISON)
        assert all(POISON[recipient] in error for recipient, error in failed), failed
        assert running.rows("SELECT refusals FROM outbox WHERE recipient = "
                            "'refused@example.com'") == [(2,)]  # mail_max_attempts

        running.service.stop()
        queue(running.db, 100, 100)  # queued while the service is down
        running.service.start()
        running.settle(timeout=60)
        delivered = [r.rcpt_tos[0] for r in running.smtp.received]
        assert sorted(d for d in delivered if d.startswith("good")) == sorted(
            f"good{n}@example.com" for n in range(200))  # all, and none twice
        assert len(running.rows("SELECT id FROM outbox WHERE failed_at IS NOT NULL")) == 8
        assert not [d for d in delivered if "evil" in d or "," in d]
        staff = running.admin()
        page = staff.get("/admin/mail").text
        assert "the address needs SMTPUTF8, which the mail server does not offer" in page
        assert "permanent refusal" in page and "No such user here" in page
        assert "=?utf-8?q?v=40evil.example=2Cw?=@example.com" in page
        staff.close()


# -- 2 ------------------------------------------------------------------------------------
ENCODED_NAME = "=?utf-8?b?eA0KUmVwbHktVG86IGF0dGFja2VyQGV2aWwuZXhhbXBsZQ==?="


def test_an_encoded_word_in_the_name_stays_text_in_the_notice(running):
    marker = uuid.uuid4().hex
    answer = running.post(name=ENCODED_NAME, email="", message=f"Hei {marker}")
    assert answer.status_code == 201
    running.settle()
    [notice] = mails_with(running.smtp, marker)
    assert_exact(notice, STAFF["booking"])  # no Reply-To: the visitor gave no address
    assert "attacker@evil.example" not in notice.data.decode()
    assert str(notice.message["Subject"]).endswith(ENCODED_NAME.replace("=?", "= ?"))


@pytest.mark.parametrize("char", ["\r", "\n", "\r\n", "\x85", "\u2028", "\u2029"])
def test_a_line_break_in_a_name_is_refused_and_nothing_stored(running, char):
    before = running.rows("SELECT COUNT(*) FROM messages")
    answer = running.post(name=f"Aino{char}E-mail: attacker@evil.example{char}Page: x")
    assert answer.status_code == 422 and answer.json()["errors"]["name"] == LINE_BREAK
    assert running.rows("SELECT COUNT(*) FROM messages") == before


def test_a_message_cannot_imitate_the_notices_own_lines(running):
    marker = uuid.uuid4().hex
    answer = running.post(message=f"{marker}\nE-mail: attacker@evil.example\nTopic: general\n"
                                  "Page: https://evil.example/", email="aino@example.com")
    assert answer.status_code == 201
    running.settle()
    notice = next(r for r in mails_with(running.smtp, marker)
                  if r.rcpt_tos == [STAFF["booking"]])
    assert_exact(notice, STAFF["booking"], reply_to="aino@example.com")
    own = [line for line in notice.message.get_content().splitlines()
           if not line.startswith(">")]
    assert [line for line in own if line.startswith(("E-mail:", "Topic:", "Page:"))] == [
        "Topic: booking", "Page: http://127.0.0.1:8000/yhteystiedot/",
        "E-mail: aino@example.com"]


# -- 3 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("address", [
    "=?utf-8?q?v=40evil.example=2Cw?=@example.com", "=?utf-8?b?dkBldmlsLmV4YW1wbGUsIHc=?=@x.fi",
    "v@evil.example,w@example.com", "v,w@example.com", '"v@evil.example"@example.com',
    '"v"@example.com', "<v@evil.example>w@example.com", "w@example.com <v@evil.example>",
    "[v]@example.com", "v@[127.0.0.1]", "v%evil.example@example.com",
    "evil.example!v@example.com", "\u0430lice@example.com"])
def test_an_address_that_could_send_mail_elsewhere_is_refused(running, address):
    before = running.rows("SELECT COUNT(*) FROM messages")
    answer = running.post(email=address)
    assert answer.status_code == 422
    assert answer.json()["errors"]["email"] in (BAD_EMAIL, "Kirjoita pelkkää tekstiä ilman "
                                                "HTML-tageja tai skriptejä.")  # for <…>
    assert running.rows("SELECT COUNT(*) FROM messages") == before


def test_thanks_and_notice_go_to_exactly_the_validated_address(running):
    marker = uuid.uuid4().hex
    assert running.post(email="Aino.Virtanen+matka@Example.COM", topic="general",
                        message=marker).status_code == 201
    running.settle()
    thanks, notice = sorted(mails_with(running.smtp, marker), key=lambda r: r.rcpt_tos[0])
    assert_exact(thanks, "Aino.Virtanen+matka@example.com")
    assert_exact(notice, STAFF["general"], reply_to="Aino.Virtanen+matka@example.com")


# -- 4 ------------------------------------------------------------------------------------
def test_erase_leaves_no_trace_in_the_rows_or_the_raw_files(running):
    address, text = "ÄIJÄ.Erase@example.com", f"Salainen viesti {uuid.uuid4().hex}"
    assert running.post(email="other.sender@example.com").status_code == 201
    assert running.post(email=address, message=text).status_code == 201
    assert running.post(email=address, message=text, website="http://spam.example",
                        client_ip="10.4.4.4").status_code == 201  # the honeypot's table
    running.invite(f"E1,Äijä,{address},fi,Husky,2026-01-01")
    assert running.book(email=address, message=text).status_code == 201
    shown = json.loads(running.service.cli("feedback", "export", "--email",
                                           "äijä.erase@EXAMPLE.com").stdout)
    assert [len(shown[k]) for k in ("messages", "booking_requests", "mails", "spam",
                                    "invitations", "unsubscribe_links")] == [1, 1, 5, 1, 1, 1]
    erased = running.service.cli("feedback", "erase", "--email", "äijä.erase@EXAMPLE.com")
    assert erased.stdout.startswith("erased 1 message(s) and 1 booking request(s) from "
                                    "äijä.erase@EXAMPLE.com, 5 mail(s) to or about it, 1 spam "
                                    "post(s), 1 invitation(s) and 1 unsubscribe link(s)")
    again = json.loads(running.service.cli("feedback", "export", "--email", address).stdout)
    assert all(again[k] == [] for k in ("messages", "booking_requests", "mails", "spam",
                                        "invitations", "unsubscribe_links"))
    assert len(again["opt_out"]) == 1
    data = b"".join(p.read_bytes() for p in running.db.parent.glob("feedback.db*"))
    assert b"other.sender@example.com" in data  # other senders' rows are still there
    for needle in (address.encode(), "äijä.erase".encode(), text.encode(), b"\\u00c4IJ"):
        assert needle not in data, needle
    assert running.post(message="still working").status_code == 201  # the service goes on


# -- 5 ------------------------------------------------------------------------------------
def rss_peak_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) // 1024


def post_huge(port: int, path: str, total: int, chunked: bool, origin: str) -> tuple[str, int]:
    """POST up to ``total`` bytes; (status line or '', bytes sent before the server stopped
    reading or answered)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {origin}\r\nContent-Type: "
            "application/x-www-form-urlencoded\r\n")
    head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {total}\r\n"
    sock.sendall((head + "\r\n").encode())
    piece, sent, status = b"a" * 65536, 0, ""
    try:
        while sent < total and not status:
            sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            sent += len(piece)
            if select.select([sock], [], [], 0)[0]:
                status = sock.recv(100).split(b"\r\n")[0].decode()
    except OSError:
        pass
    if not status:
        try:
            status = sock.recv(100).split(b"\r\n")[0].decode()
        except OSError:
            status = ""
    sock.close()
    return status, sent


@pytest.mark.slow
def test_300_mb_bodies_are_cut_off_early_on_every_endpoint(tmp_path):
    """Every endpoint that takes a POST, public and staff (the booking request's, its
    cancelling and the staff's moves included)."""
    with Running(tmp_path / "svc") as running:
        pid, origin = running.service.process.pid, running.service.url
        before = rss_peak_mb(pid)
        size = 300 << 20
        for path, answered_first in (("/feedback", "413"), ("/unsubscribe", "413"),
                                     ("/booking", "413"), ("/booking/cancel", "413"),
                                     ("/admin/bookings/1/status", "403"),
                                     ("/admin/login", "413"), ("/admin/logout", "303"),
                                     ("/admin/messages/1/answered", "403"),
                                     ("/healthz", "405"), ("/nowhere", "404")):
            for chunked in (False, True):
                status, sent = post_huge(running.service.port, path, size, chunked, origin)
                assert sent < size // 10, (path, chunked, sent)  # it stopped reading early
                expected = answered_first if chunked else "413"
                assert status in ("", f"HTTP/1.1 {expected}") or status.startswith(
                    f"HTTP/1.1 {expected} "), (path, chunked, status)
        assert rss_peak_mb(pid) - before < 50  # no body was ever held whole
        assert running.health() == {"ok": True}


@pytest.mark.slow
def test_a_slow_body_and_a_huge_head_are_cut_off(running):
    sock = socket.create_connection(("127.0.0.1", running.service.port), timeout=30)
    sock.sendall(b"POST /feedback HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nContent-Type:"
                 b" application/x-www-form-urlencoded\r\n\r\n")
    answer = b""
    for _ in range(25):  # ten bytes a second, far slower than any real form
        try:
            sock.sendall(b"message=xx")
        except OSError:
            break
        if select.select([sock], [], [], 1.0)[0]:
            answer = sock.recv(200)
            break
    sock.close()
    assert answer.startswith(b"HTTP/1.1 408 ")
    sock = socket.create_connection(("127.0.0.1", running.service.port), timeout=30)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
    try:
        for _ in range(200):  # up to 200 MB of one header line
            sock.sendall(b"a" * (1 << 20))
    except OSError:
        pass
    assert sock.recv(100).startswith(b"HTTP/1.1 400 ")  # past 16 KiB of head
    sock.close()
    # The bound is on what waits incomplete, not on a head's size: a whole 20 KB head that
    # arrives in one read is answered (found by an outsider's pass: the README had said
    # "refuses a request head over 16 KiB"; a proxy's per-line limit stops such heads).
    sock = socket.create_connection(("127.0.0.1", running.service.port), timeout=30)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    assert sock.recv(100).startswith(b"HTTP/1.1 200 ")
    sock.close()
    # The bound is the server's own (httptools under .http_server's count), not h11's: a
    # head that grows past 16 KiB over several reads is refused, a small head sent byte by
    # byte and two requests in one read on a kept-alive connection are answered.
    sock = socket.create_connection(("127.0.0.1", running.service.port), timeout=30)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    try:
        for _ in range(40):
            sock.sendall(b"X-More: " + b"b" * 1000 + b"\r\n")
            time.sleep(0.01)
    except OSError:
        pass
    assert sock.recv(100).startswith(b"HTTP/1.1 400 ")
    sock.close()
    sock = socket.create_connection(("127.0.0.1", running.service.port), timeout=30)
    for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Small: " + b"c" * 200 + b"\r\n\r\n":
        sock.sendall(bytes([byte]))
    assert sock.recv(100).startswith(b"HTTP/1.1 200 ")
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 2)
    answers = b""
    while answers.count(b"HTTP/1.1 200 ") < 2:
        chunk = sock.recv(4096)
        assert chunk, answers
        answers += chunk
    sock.close()


# -- 6 ------------------------------------------------------------------------------------
def test_unsubscribe_is_an_opaque_link_in_a_list_unsubscribe_header(running):
    running.invite("U1,Emma,emma.u@example.com,en,Husky,2026-01-01")
    [invite] = [r for r in running.smtp.received if r.rcpt_tos == ["emma.u@example.com"]]
    assert_exact(invite, "emma.u@example.com",
                 extra=frozenset({"List-Unsubscribe", "List-Unsubscribe-Post"}))
    headers = BytesHeaderParser(policy=default).parsebytes(invite.data)
    value = str(headers["List-Unsubscribe"])
    assert re.fullmatch(r"<https?://[^<>\s,]+>", value)  # RFC 2369: one URL in brackets
    assert f"\r\nList-Unsubscribe: {value}\r\n".encode() in invite.data  # as sent: no folding
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # RFC 8058
    url = urlsplit(value[1:-1])
    token = parse_qs(url.query)["t"][0]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token) and "emma" not in value
    with running.service.client() as client:
        assert client.get(f"/unsubscribe?t={token[:-2]}xx").status_code == 404
        one_click = client.post(f"{url.path}?{url.query}",
                                data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 200
    key = addresses.hashed("emma.u@example.com")
    assert running.rows("SELECT COUNT(*) FROM unsubscribes WHERE email = ?", (key,)) == [(1,)]
    again = running.invite("U2,Emma,EMMA.U@example.com,en,Husky,2026-02-01")
    assert "U2: skipped (unsubscribed)" in again


# -- 7 ------------------------------------------------------------------------------------
def test_wrong_passwords_slow_the_guesser_but_the_owner_signs_in(running):
    with running.service.client(headers={"Origin": running.service.url,
                                         "X-Forwarded-For": "10.6.6.6"}) as guesser:
        codes = [guesser.post("/admin/login", data={"user": "aino", "password": "guess"}
                              ).status_code for _ in range(11)]
        assert codes[:5] == [401] * 5 and codes[-1] == 429
        refused = guesser.post("/admin/login", data={"user": "aino", "password": PASSWORD})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    owner = running.admin(client_ip="10.7.7.7")  # elsewhere: not locked out
    owner.close()


def test_signing_out_makes_a_copied_cookie_worthless(running):
    staff = running.admin(client_ip="10.8.8.8")
    cookie = staff.cookies.get("luotsi_admin")
    assert staff.post("/admin/logout", data={"csrf": csrf_of(staff)}).status_code == 303
    staff.close()
    with running.service.client(follow_redirects=False) as thief:
        thief.cookies.set("luotsi_admin", cookie)
        assert thief.get("/admin/").headers["location"] == "/admin/login"


def test_admin_ids_testimonials_and_csv(running):
    marker = uuid.uuid4().hex
    message = f"Upea matka, kiitos Aino! Opas oli myöhässä. {marker}"
    assert running.post(message=message, publish="yes").status_code == 201
    assert running.post(message="ok;=HYPERLINK(\"http://evil\")\t+1+1\n@SUM(A1)",
                        email="csv@example.com").status_code == 201
    [(message_id,)] = running.rows("SELECT id FROM messages WHERE message LIKE ?",
                                   (f"%{marker}",))
    staff = running.admin()
    try:
        assert staff.get("/admin/messages/99999999999999999999").status_code == 404
        token = csrf_of(staff)
        path = f"/admin/messages/{message_id}/testimonial"
        for text in ("Best trip of my life! 10/10", "Upea matka, kiitos Aino! Opas oli ajoissa.",
                     "Upea matka Opas oli myöhässä."):
            refused = staff.post(path, data={"csrf": token, "text": text, "display_name": "A"})
            assert refused.status_code == 422, text
        done = staff.post(path, data={"csrf": token, "display_name": "Aino, Oulu",
                                      "text": "Upea matka, kiitos Aino! […]"})
        assert done.status_code == 303
        assert running.rows("SELECT testimonial_text FROM messages WHERE id = ?",
                            (message_id,)) == [("Upea matka, kiitos Aino! […]",)]
        exported = staff.get("/admin/export.csv").text
    finally:
        staff.close()
    for delimiter in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(exported), delimiter=delimiter):
            for cell in row:
                for piece in re.split(r"[;,\t\r\n]", cell):
                    assert not re.match(r"\s*[=+\-@]", piece), (delimiter, cell)


# -- 8 ------------------------------------------------------------------------------------
def test_page_must_be_a_page_of_the_site(running):
    for page in ('http://127.0.0.1:8000/"><script>alert(1)</script>',
                 "http://127.0.0.1:8000@evil.example/", "javascript:alert(1)"):
        answer = running.post(page=page)
        assert answer.status_code == 422 and answer.json()["errors"]["page"] == \
            "Lomake lähetettiin tuntemattomalta sivulta."


def test_an_invitation_answered_twice_updates_the_first_answer(running):
    running.invite("T1,Tuuli,tuuli@example.com,fi,Husky,2026-01-01")
    [invite] = [r for r in running.smtp.received if r.rcpt_tos == ["tuuli@example.com"]]
    link = re.search(r"/feedback/invited\?t=\S+", invite.message.get_content()).group(0)
    with running.service.client() as client:
        booking = re.search(r'name="booking" value="([^"]+)"', client.get(link).text).group(1)
    first, second = (uuid.uuid4().hex for _ in range(2))
    assert running.post(booking=booking, message=first).status_code == 201
    assert running.post(booking=booking, message=second).status_code == 201
    assert running.rows("SELECT message FROM messages WHERE booking_id = 'T1'") == [(second,)]
    running.settle()
    [notice] = [r for r in mails_with(running.smtp, second) if r.rcpt_tos == [STAFF["booking"]]]
    assert "(updated)" in str(notice.message["Subject"])


def test_honeypot_posts_count_against_the_rate_limit_and_health_tells_nothing(tmp_path):
    with Running(tmp_path / "svc", rate_limit=3) as running:
        codes = [running.post(website="http://cheap.example", client_ip="10.5.5.5").status_code
                 for _ in range(5)]
        assert codes == [201, 201, 201, 429, 429]
        assert running.post(client_ip="10.5.5.5").status_code == 429
        assert running.rows("SELECT COUNT(*) FROM spam") == [(3,)]
        assert running.health() == {"ok": True}


# -- the property --------------------------------------------------------------------------
@pytest.mark.slow
def test_any_accepted_form_sends_exactly_the_expected_headers_and_recipients(tmp_path):
    """Hypothesis posts forms to the real process; every accepted one must produce a staff
    notice (and a thank-you mail when an address was given) with exactly the service's
    headers, one envelope recipient, To equal to it, and Reply-To the validated address."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from .test_mail_safety import ADDRESS, TYPED

    accepted: dict[str, dict[str, str]] = {}
    with Running(tmp_path / "svc", SmtpSink(smtputf8=True)) as running:
        with running.service.client(headers=JSON) as client:
            @settings(max_examples=60, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(name=TYPED, email=ADDRESS, message=TYPED,
                   topic=st.sampled_from(list(STAFF)), helpful=st.sampled_from(["", "yes"]))
            def post(name, email, message, topic, helpful):
                marker = uuid.uuid4().hex
                values = form(name=name, email=email, message=f"{message}\n{marker}",
                              topic=topic, helpful=helpful, token=good_token())
                answer = client.post("/feedback", data=values)
                assert answer.status_code in (201, 422), answer.text
                if answer.status_code == 201:
                    accepted[marker] = {"topic": topic, "helpful": helpful,
                                        "email": addresses.normalise(email) if email else ""}

            post()
        running.settle(timeout=60)
        assert len(accepted) >= 20  # the property was tested on real mail
        for marker, sent in accepted.items():
            mails = {r.rcpt_tos[0]: r for r in mails_with(running.smtp, marker)}
            assert_exact(mails.pop(STAFF[sent["topic"]]), STAFF[sent["topic"]],
                         reply_to=sent["email"])
            if sent["email"] and not sent["helpful"]:
                assert_exact(mails.pop(sent["email"]), sent["email"])
            assert mails == {}, marker


@pytest.mark.slow
def test_ambiguous_request_framing_is_refused_by_the_parser(running):
    """Found by an outsider's pass after the move to httptools: each way of smuggling a second
    request past a proxy that frames the first one differently is refused with 400."""
    head = b"POST /feedback HTTP/1.1\r\nHost: x\r\n"
    for data in (head + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                 head + b"Content-Length: 4\r\nContent-Length: 40\r\n\r\nabcd",
                 head + b"Content-Length : 4\r\n\r\nabcd",
                 head + b"Content-Length: -1\r\n\r\n",
                 head + b"Transfer-Encoding: gzip\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n",
                 b"GET /healthz HTTP/1.1\nHost: x\n\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n"):
        sock = socket.create_connection(("127.0.0.1", running.service.port), timeout=10)
        sock.sendall(data)
        answer = sock.recv(4096)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 400 ") and answer.count(b"HTTP/1.1 ") == 1, data
    assert running.health() == {"ok": True}
