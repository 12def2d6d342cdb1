"""The staff side through HTTP: sign-in with a hashed password, session cookie, CSRF,
escaping, answering, CSV export, the response-time report; and the privacy commands."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from .feedback_forms import JSON, form
from .servers import Service, SmtpSink

pytestmark = pytest.mark.xdist_group("feedback")
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def admin_service(tmp_path_factory):
    smtp = SmtpSink().start()
    service = Service(tmp_path_factory.mktemp("admin") / "svc", smtp.port, rate_limit=1000)
    service.cli("feedback", "add-admin", "aino", "--password-stdin", stdin=PASSWORD + "\n")
    service.start()
    with service.client(headers=JSON) as client:
        for message in ("Tom & Jerry's <3", "=HYPERLINK(\"http://x\")", "Kolmas"):
            assert client.post("/feedback", data=form(message=message)).status_code == 201
    yield service
    service.stop()
    smtp.stop()


def signed_in(service):
    client = service.client(follow_redirects=False, headers={"Origin": service.url})
    answer = client.post("/admin/login", data={"user": "aino", "password": PASSWORD})
    assert answer.status_code == 303
    return client, answer


def test_only_hashes_are_stored_and_wrong_passwords_fail(admin_service):
    stored = (admin_service.root / "feedback-admins").read_text()
    assert stored.startswith("aino:$argon2id$") and PASSWORD not in stored
    with admin_service.client(headers={"Origin": admin_service.url}) as client:
        assert client.get("/admin/", follow_redirects=False).status_code == 303
        wrong = client.post("/admin/login", data={"user": "aino", "password": "nope"})
        assert wrong.status_code == 401 and "Wrong user name or password." in wrong.text


def test_session_cookie_is_httponly_and_strict(admin_service):
    client, answer = signed_in(admin_service)
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    client.close()


def test_list_escapes_answer_needs_csrf_and_report_measures(admin_service):
    client, _ = signed_in(admin_service)
    try:
        listing = client.get("/admin/")
        assert listing.status_code == 200
        assert "Tom &amp; Jerry&#39;s &lt;3" in listing.text and "<3" not in listing.text
        filtered = client.get("/admin/", params={"q": "kolmas"})
        assert "Kolmas" in filtered.text and "Jerry" not in filtered.text
        message_id = re.search(r'/admin/messages/(\d+)">', filtered.text).group(1)
        page = client.get(f"/admin/messages/{message_id}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        forged = client.post(f"/admin/messages/{message_id}/answered", data={"csrf": "x"})
        assert forged.status_code == 403
        done = client.post(f"/admin/messages/{message_id}/answered",
                           data={"csrf": csrf, "note": "vastattu puhelimessa"})
        assert done.status_code == 303
        assert "answered" in client.get(f"/admin/messages/{message_id}").text
        report = client.get("/admin/report").text
        assert re.search(r"<td>\d{4}-\d\d</td><td>all</td><td>1</td>", report)
        assert "2 message(s) wait for an answer" in report
        exported = client.get("/admin/export.csv")
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert {r["message"] for r in rows} >= {"'=HYPERLINK(\"http://x\")", "Kolmas"}
    finally:
        client.close()


def test_cross_site_post_is_refused(admin_service):
    with admin_service.client(headers={"Origin": "https://evil.example"}) as client:
        answer = client.post("/admin/login", data={"user": "aino", "password": PASSWORD})
    assert answer.status_code == 403


def test_export_and_erase_everything_about_an_address(admin_service):
    exported = json.loads(admin_service.cli("feedback", "export", "--email",
                                            "aino@example.com").stdout)
    assert len(exported["messages"]) == 3 and len(exported["mails"]) == 6
    erased = admin_service.cli("feedback", "erase", "--email", "AINO@example.com").stdout
    assert erased.startswith("erased 3 message(s)")
    again = json.loads(admin_service.cli("feedback", "export", "--email",
                                         "aino@example.com").stdout)
    assert again["messages"] == [] and again["mails"] == []
