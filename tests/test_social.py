"""Testimonials (consent, publishing, export, removal), share links without trackers, and
post-trip invitations (CSV edge cases, frequency cap, unsubscribe, idempotence), with the real
service and a real SMTP server."""

from __future__ import annotations

import json
import re
import time

import pytest

from .feedback_forms import JSON, form
from .servers import Service, SmtpSink

pytestmark = pytest.mark.xdist_group("feedback")
PASSWORD = "a-long-staff-password"


@pytest.fixture
def running(tmp_path):
    smtp = SmtpSink().start()
    service = Service(tmp_path / "svc", smtp.port, rate_limit=1000,
                      invite_days_after=3, invite_cap_days=180)
    service.cli("feedback", "add-admin", "aino", "--password-stdin", stdin=PASSWORD + "\n")
    service.start()
    yield service, smtp
    service.stop()
    smtp.stop()


def admin(service):
    client = service.client(follow_redirects=False, headers={"Origin": service.url})
    client.post("/admin/login", data={"user": "aino", "password": PASSWORD})
    return client


def csrf_of(client, message_id: int) -> str:
    page = client.get(f"/admin/messages/{message_id}").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_testimonial_needs_consent_and_leaves_with_it(running, tmp_path):
    service, _ = running
    with service.client(headers=JSON) as client:
        client.post("/feedback", data=form(message="Upea matka, kiitos Aino! Tulemme uudestaan.",
                                           publish="yes", name="Sanna Virtanen"))
        client.post("/feedback", data=form(message="Ei julkaistavaksi.", email="b@example.com"))
    staff = admin(service)
    try:
        # Without the sender's publishing consent, no testimonial.
        refused = staff.post("/admin/messages/2/testimonial", data={
            "csrf": csrf_of(staff, 2), "text": "Ei julkaistavaksi.", "display_name": "B"})
        assert refused.status_code == 409
        longer = staff.post("/admin/messages/1/testimonial", data={
            "csrf": csrf_of(staff, 1), "display_name": "Sanna, Tampere",
            "text": "Upea matka, kiitos Aino! Tulemme uudestaan. Ja lisäsin tämän."})
        assert longer.status_code == 422  # staff may shorten, never add
        done = staff.post("/admin/messages/1/testimonial", data={
            "csrf": csrf_of(staff, 1), "text": "Upea matka, kiitos Aino!",
            "display_name": "Sanna, Tampere"})
        assert done.status_code == 303
    finally:
        staff.close()
    out = tmp_path / "testimonials.json"
    service.cli("feedback", "export-testimonials", "--output", str(out))
    exported = json.loads(out.read_text())["testimonials"]
    assert exported == {"fi": [{"text": "Upea matka, kiitos Aino!", "name": "Sanna, Tampere",
                                "lang": "fi", "date": exported["fi"][0]["date"]}]}
    service.cli("feedback", "withdraw", "--email", "aino@example.com")
    service.cli("feedback", "export-testimonials", "--output", str(out))
    assert json.loads(out.read_text())["testimonials"] == {}


def test_site_shows_testimonials_without_review_markup(site):
    site.write("testimonials.json", json.dumps({"testimonials": {
        "fi": [{"text": "Hieno retki!", "name": "Sanna", "lang": "fi", "date": "2026-03-14"}],
        "en": [{"text": "Great trip!", "name": "Emma", "lang": "en", "date": "2026-02-20"}]}}))
    site.post("posts/a.md", "Kirjoitus", "fi")
    site.build()
    home = site.html("en/index.html")
    quotes = home.xpath("//section[contains(@class, 'testimonials')]//li")
    assert [q.xpath("string(.//blockquote)").strip() for q in quotes] == ["Great trip!",
                                                                          "Hieno retki!"]
    assert quotes[1].get("lang") == "fi" and quotes[0].get("lang") is None
    page = (site.output / "en/testimonials/index.html").read_text()
    assert "Review" not in page and "AggregateRating" not in page and "ratingValue" not in page
    assert '<time datetime="2026-02-20">Feb 20, 2026</time>' in page  # the page's language


def test_share_links_are_plain_links_and_nothing_third_party_loads(site):
    site.post("posts/a.md", "Talvi & revontulet", "fi")
    site.build(LUOTSI_SHARE_NETWORKS=["facebook", "whatsapp", "email"])
    doc = site.html("blog/talvi-revontulet/index.html")
    links = doc.xpath('//nav[@class="share"]//a')
    assert [a.get("data-network") for a in links] == ["facebook", "whatsapp", "email"]
    assert links[0].get("href") == ("https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2F"
                                    "fixture.example%2Fblog%2Ftalvi-revontulet%2F")
    assert links[2].get("href").startswith("mailto:?subject=Talvi%20%26%20revontulet&body=")
    assert all("noopener" in a.get("rel") for a in links)
    scripts = doc.xpath("//script/@src")
    assert scripts and all(s.startswith("https://fixture.example/") for s in scripts)
    assert not doc.xpath("//iframe") and not doc.xpath("//img[contains(@src, 'facebook')]")


BOOKINGS = """booking_id,name,email,lang,trip,end_date
B1,Emma,emma@example.com,en,Husky safari day,2026-11-10
B2,Sanna,sanna@example.com,fi,Revontulikuvausviikko,2026-11-21
B3,Emma again,EMMA@example.com,en,Aurora week,2026-11-12
B4,Bad,not-an-address,xx,Trip,2026-13-01
B5,,yuki@example.com,ja,オーロラ撮影,2026-11-01
"""


def test_invitations_respect_timing_cap_unsubscribe_and_are_idempotent(running, tmp_path):
    service, smtp = running
    csv_path = service.root / "bookings.csv"
    csv_path.write_text(BOOKINGS, encoding="utf-8")
    first = service.cli_result("feedback", "invite", "bookings.csv", "--today", "2026-11-23")
    assert first.returncode == 1  # a bad row is reported, the good ones still processed
    assert ("bookings.csv:5: 'not-an-address' is not an e-mail address; language 'xx' is not "
            "one of fi, en, ja; end_date '2026-13-01' is not a date (write YYYY-MM-DD)"
            ) in first.stderr
    lines = first.stdout
    assert "bookings.csv:2: B1: sent" in lines
    assert "bookings.csv:3: B2: waiting (the trip ended 2026-11-21; invite from 2026-11-24)" \
        in lines
    assert re.search(r"bookings.csv:4: B3: skipped \(invited on \d{4}-\d\d-\d\d, within the "
                     r"180-day cap\)", lines)
    assert "bookings.csv:6: B5: sent" in lines
    mails = smtp.wait_for(2)
    assert sorted(m["To"] for m in mails) == ["emma@example.com", "yuki@example.com"]
    emma = next(m for m in mails if m["To"] == "emma@example.com")
    assert emma["Subject"] == "How was your trip, Emma? — Fixture Travel"
    assert emma["List-Unsubscribe"].startswith(f"<{service.url}/unsubscribe?t=")
    assert emma["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = emma.get_content()
    assert "Husky safari day" in body
    yuki = next(m for m in mails if m["To"] == "yuki@example.com").get_content()
    assert "オーロラ撮影" in yuki and yuki.startswith("こんにちは。")

    again = service.cli_result("feedback", "invite", "bookings.csv", "--today", "2026-11-23")
    assert "B1: done (already sent)" in again.stdout and "B3: done (already skipped)" in \
        again.stdout
    time.sleep(1.5)
    assert len(smtp.messages) == 2  # nothing sent twice (the form's own mails come below)

    # The invitation's link opens the form pre-filled with the trip; the answer is tied to B1.
    link = re.search(r"(http://\S+/feedback/invited\?t=\S+)", body).group(1)
    with service.client() as client:
        page = client.get(link.replace(service.url, ""))
        assert page.status_code == 200 and "How was your trip Husky safari day?" in page.text
        booking = re.search(r'name="booking" value="([^"]+)"', page.text).group(1)
    with service.client(headers=JSON) as client:
        answer = client.post("/feedback", data=form(lang="en", booking=booking))
        assert answer.status_code == 201
        forged = client.post("/feedback", data=form(lang="en", booking=booking[:-2] + "xx"))
        assert forged.status_code == 422
    import sqlite3

    with sqlite3.connect(service.root / "feedback.db") as conn:
        assert conn.execute("SELECT booking_id FROM messages").fetchall() == [("B1",)]

    # Unsubscribing (GET asks, POST does it) is honoured for good, for every booking.
    stop = re.search(r"(http://\S+/unsubscribe\?t=\S+)", yuki).group(1)
    with service.client() as client:
        asked = client.get(stop.replace(service.url, ""))
        assert "ボタンを押すと、今後ご感想のお願いをお送りしません。" in asked.text
        token = re.search(r'name="t" value="([^"]+)"', asked.text).group(1)
        assert client.post("/unsubscribe", data={"t": token}).status_code == 200
        one_click = client.post(stop.replace(service.url, ""),  # RFC 8058, from a mail program
                                data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 200
    csv_path.write_text(BOOKINGS + "B6,Yuki,yuki@example.com,ja,Husky,2026-11-02\n")
    third = service.cli_result("feedback", "invite", "bookings.csv", "--today", "2027-06-01")
    assert "B6: skipped (unsubscribed)" in third.stdout
    assert "B2: sent" in third.stdout  # now due, and Sanna was never invited before
    invited = {"emma@example.com", "yuki@example.com", "sanna@example.com"}
    assert sorted(m["To"] for m in smtp.wait_for(5) if m["To"] in invited) == sorted(invited)


def test_csv_without_required_columns(running):
    service, _ = running
    (service.root / "bad.csv").write_text("id,email\n1,a@example.com\n")
    result = service.cli_result("feedback", "invite", "bad.csv")
    assert result.returncode == 1
    assert "bad.csv:1: missing column(s) booking_id, name, lang, trip, end_date" in result.stderr

