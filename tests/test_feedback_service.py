"""The feedback service for real: its own process on a loopback port, a real SMTP server,
SQLite files on disk. Every refusal is checked for status, message and that nothing was
stored."""

from __future__ import annotations

import sqlite3
import time

import pytest

from .feedback_forms import JSON, form, good_token
from .servers import Service, SmtpSink

pytestmark = pytest.mark.xdist_group("feedback")


class Running:
    def __init__(self, tmp_path, **settings):
        self.smtp = SmtpSink().start()
        self.service = Service(tmp_path / "svc", self.smtp.port, **settings).start()
        self.db = tmp_path / "svc" / "feedback.db"

    def count(self, table: str = "messages") -> int:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql).fetchall()

    def settle(self, timeout: float = 15.0) -> int:
        """Wait until every queued mail is delivered; returns how many mails arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            queued = self.rows("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0]
            if not queued:
                break
            time.sleep(0.05)
        time.sleep(0.1)
        return len(self.smtp.messages)

    def close(self) -> None:
        self.service.stop()
        self.smtp.stop()


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    running = Running(tmp_path_factory.mktemp("feedback"), rate_limit=1000)
    yield running
    running.close()



def test_a_message_is_stored_then_thanked_and_staff_notified(running):
    before = running.count()
    with running.service.client(headers=JSON) as client:
        answer = client.post("/feedback", data=form(message="Kiitos <3 & terveisiä"))
    assert answer.status_code == 201
    assert answer.json() == {"ok": True, "message": "Kiitos! Saimme viestisi ja vastaamme 24 "
                                                     "tunnin kuluessa."}
    assert running.count() == before + 1  # committed before the answer
    mails = running.smtp.wait_for(2)
    thanks = next(m for m in mails if m["To"] == "aino@example.com")
    assert thanks["Subject"] == "Saimme viestisi – Fixture Travel"
    body = thanks.get_content()
    assert body.startswith("Hei Aino,") and "> Kiitos <3 & terveisiä" in body
    staff = next(m for m in mails if m["To"] == "bookings@fixture.example")
    assert staff["Reply-To"] == "aino@example.com"
    assert "Page: http://127.0.0.1:8000/yhteystiedot/" in staff.get_content()
    running.settle()  # the mailer records a mail as sent just after the sink received it
    assert running.rows("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]


def test_without_javascript_the_service_asks_once_then_redirects_to_thanks(running):
    before = running.count()
    with running.service.client() as client:
        first = client.post("/feedback", data=form(lang="en", token=""))
        assert first.status_code == 200 and running.count() == before
        assert "Please check your message and press Send to confirm." in first.text
        assert 'value="Onko huskyretkellä tilaa 12.2.?"' not in first.text  # textarea, escaped
        assert "Onko huskyretkellä tilaa 12.2.?</textarea>" in first.text
        token = first.text.split('name="token" value="', 1)[1].split('"', 1)[0]
        time.sleep(0.6)  # a person reads the page before confirming
        second = client.post("/feedback", data=form(lang="en", token=token))
    assert second.status_code == 303
    assert second.headers["location"] == ("http://127.0.0.1:8000/en/feedback/thanks/?from="
                                          "http%3A%2F%2F127.0.0.1%3A8000%2Fyhteystiedot%2F")
    assert running.count() == before + 1


BAD = [
    # (form changes, status, field, message in the form's language)
    ({"message": ""}, 422, "message", "Kirjoita viestisi."),
    ({"email": "aino(at)example"}, 422, "email", "Anna sähköpostiosoite, johon voimme vastata, "
     "esimerkiksi nimi@example.com, tai jätä kenttä tyhjäksi."),
    ({"topic": "lottery"}, 422, "topic", "Valitse aihe luettelosta."),
    ({"consent": ""}, 422, "consent", "Rastita ruutu, jotta voimme tallentaa viestisi ja "
     "vastata siihen."),
    ({"name": "<script>alert(1)</script>"}, 422, "name",
     "Kirjoita pelkkää tekstiä ilman HTML-tageja tai skriptejä."),
    ({"message": "x" * 5001}, 422, "message", "Tämä on liian pitkä: enintään 5000 merkkiä."),
    ({"lang": "ja", "message": "", "name": "x" * 101}, 422, "name",
     "長すぎます。100文字以内で入力してください。"),
    ({"page": "https://evil.example/"}, 422, "page",
     "Lomake lähetettiin tuntemattomalta sivulta."),
    ({"token": lambda: good_token(age=0.1)}, 422, None,
     "Olipa nopeaa! Tarkista viestisi ja lähetä se uudelleen."),
    ({"token": lambda: good_token(age=90000)}, 422, None, "Lomake vanhentui. Tarkista viestisi ja "
     "lähetä se uudelleen."),
    ({"token": lambda: good_token()[:-3] + "abc"}, 422, None, "Tarkista viestisi ja vahvista "
     "painamalla Lähetä."),
]


@pytest.mark.parametrize(("change", "status", "field", "message"), BAD)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(running, change, status, field,
                                                                message):
    before, mails = running.count(), running.settle()
    with running.service.client(headers=JSON) as client:
        answer = client.post("/feedback", data=form(**{k: v() if callable(v) else v
                                                       for k, v in change.items()}))
    assert answer.status_code == status
    body = answer.json()
    assert body["ok"] is False
    if field:
        assert body["errors"][field] == message
    else:
        assert body["message"] == message
    assert body["token"]  # a fresh token, so the visitor can send again at once
    assert running.count() == before
    time.sleep(0.2)
    assert len(running.smtp.messages) == mails


def test_transport_level_refusals(running):
    before = running.count()
    with running.service.client(headers=JSON) as client:
        wrong_type = client.post("/feedback", json=form())
        assert (wrong_type.status_code, wrong_type.json()["message"]) == (
            415, "Lomake lähetettiin muodossa, jota emme hyväksy.")
        big = client.post("/feedback", content=b"message=" + b"a" * 40000,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert big.status_code == 413
        broken = client.post("/feedback", content=b"lang=fi&message=%FF%FE",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert broken.status_code == 400
        assert "UTF-8" in broken.json()["message"]
    with running.service.client(headers={**JSON, "Origin": "https://evil.example"}) as client:
        foreign = client.post("/feedback", data=form())
        assert (foreign.status_code, foreign.json()["message"]) == (
            403, "Tämän lomakkeen voi lähettää vain omalta verkkosivustoltamme.")
        assert "access-control-allow-origin" not in foreign.headers
    assert running.count() == before


def test_html_refusal_page_escapes_what_the_visitor_sent(running):
    with running.service.client() as client:
        page = client.post("/feedback", data=form(lang="en", email='"><img src=x onerror=1>'))
    assert page.status_code == 422
    assert "<img src=x" not in page.text and "&#34;&gt;&lt;img src=x" in page.text
    assert 'aria-invalid="true"' in page.text


def test_honeypot_looks_accepted_but_is_kept_apart_and_never_mailed(running):
    before, spam, mails = running.count(), running.count("spam"), running.settle()
    with running.service.client(headers=JSON) as client:
        answer = client.post("/feedback", data=form(website="http://cheap.example"))
    assert answer.status_code == 201
    assert running.count() == before and running.count("spam") == spam + 1
    time.sleep(0.3)
    assert len(running.smtp.messages) == mails


def test_rate_limit_per_client_address(tmp_path):
    running = Running(tmp_path, rate_limit=3, rate_window_seconds=600)
    try:
        with running.service.client(headers=JSON) as client:
            codes = [client.post("/feedback", data=form(message=f"viesti {n}")).status_code
                     for n in range(5)]
            assert codes == [201, 201, 201, 429, 429]
            refused = client.post("/feedback", data=form(lang="en"))
            assert refused.json()["message"] == ("Too many messages from your address. Please "
                                                 "try again in a few minutes.")
        assert running.count() == 3
    finally:
        running.close()


def test_optional_arithmetic_question(tmp_path):
    running = Running(tmp_path, question=True)
    try:
        with running.service.client(headers=JSON) as client:
            issued = client.get("/feedback/token").json()
            a, b = (int(x) for x in issued["question"].split(" + "))
            time.sleep(0.6)
            wrong = client.post("/feedback",
                                data=form(token=issued["token"], answer=str(a + b + 1)))
            assert wrong.status_code == 422
            assert wrong.json()["errors"]["answer"] == "Vastaus ei ole oikein. Yritä uudelleen."
            right = client.post("/feedback", data=form(token=issued["token"], answer=str(a + b)))
            assert right.status_code == 201
        assert running.count() == 1
    finally:
        running.close()


def test_helpful_vote_needs_no_message_or_consent(running):
    before = running.count()
    with running.service.client(headers=JSON) as client:
        vote = client.post("/feedback", data={"lang": "en", "helpful": "no",
                                              "page": "http://127.0.0.1:8000/en/about/",
                                              "token": good_token(), "message": ""})
    assert vote.status_code == 201 and vote.json()["message"] == "Thank you for your feedback!"
    assert running.count() == before + 1
    assert running.rows("SELECT helpful, topic FROM messages ORDER BY id DESC LIMIT 1") == [
        ("no", "general")]


def test_openapi_health_and_cors(running):
    with running.service.client() as client:
        spec = client.get("/openapi.json").json()
        assert spec["openapi"].startswith("3.") and "/feedback" in spec["paths"]
        assert client.get("/healthz").json()["ok"] is True
        token = client.get("/feedback/token")
        assert token.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
        assert token.headers["cache-control"] == "no-store"
        assert token.headers["x-frame-options"] == "DENY"
