"""What a visitor does, in a real headless Chromium (Debian's, driven by Playwright): the
demo site served on loopback, the feedback service beside it, with and without JavaScript."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sqlite3
import threading
import time
from http.server import ThreadingHTTPServer

import icalendar
import pytest

from .browser import CHROMIUM, FLAGS, Quiet
from .conftest import build_demo
from .servers import Service, SmtpSink, free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "correct horse battery staple"

@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The demo built for a loopback port, a static server for it, the service and SMTP."""
    root = tmp_path_factory.mktemp("stack")
    site_port = free_port()
    smtp = SmtpSink().start()
    service = Service(root / "svc", smtp.port, site_port=site_port)
    build_demo(root / "svc", site_port,
               LUOTSI_FEEDBACK=f"{{**LUOTSI_FEEDBACK, 'url': {service.url!r}}}")
    toml = root / "svc" / "feedback.toml"
    toml.write_text(toml.read_text().replace('"pelicanconf.py"', '"demo_settings.py"')
                    .replace('"qr/codes.json"', '"output/qr/codes.json"')
                    .replace('"booking/trips.json"', '"output/booking/trips.json"'))
    service.cli("feedback", "add-admin", "aino", "--password-stdin", stdin=PASSWORD + "\n")
    output = root / "svc" / "output"
    httpd = ThreadingHTTPServer(("127.0.0.1", site_port),
                                functools.partial(Quiet, directory=str(output)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    service.start()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield {"site": f"http://127.0.0.1:{site_port}", "service": service, "smtp": smtp,
               "browser": browser, "db": root / "svc" / "feedback.db"}
        browser.close()
    service.stop()
    httpd.shutdown()
    smtp.stop()


def messages(db) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT lang, message FROM messages ORDER BY id").fetchall()


def test_contact_form_with_javascript_thanks_in_place(stack):
    page = stack["browser"].new_page()
    page.goto(f"{stack['site']}/en/contact/")
    page.fill("#feedback-name", "Emma")
    page.fill("#feedback-email", "emma@example.com")
    page.fill("#feedback-message", "Do you have room for two on 3 March?")
    page.check("#feedback-consent")
    time.sleep(0.7)  # a person takes longer than the time trap's minimum
    page.click("#feedback button[type=submit]")
    status = page.locator("#feedback .form-status")
    status.wait_for()
    page.wait_for_function("document.querySelector('#feedback .form-status').textContent != ''")
    assert status.inner_text() == ("Thank you! We received your message and will answer "
                                   "within 24 hours.")
    assert page.url == f"{stack['site']}/en/contact/"  # no page load: sent in place
    assert ("en", "Do you have room for two on 3 March?") in messages(stack["db"])
    page.close()


def test_errors_are_shown_per_field_with_javascript(stack):
    page = stack["browser"].new_page()
    page.goto(f"{stack['site']}/de/kontakt/")
    page.fill("#feedback-email", "kein-mail")
    page.fill("#feedback-message", "Hallo")
    page.check("#feedback-consent")
    page.locator("#feedback").evaluate("f => f.noValidate = true")  # test the server's check
    time.sleep(0.7)
    page.click("#feedback button[type=submit]")
    error = page.locator('#feedback [data-error-for="email"]')
    page.wait_for_function(
        "document.querySelector('#feedback [data-error-for=email]').textContent != ''")
    assert error.inner_text().startswith("Bitte geben Sie eine E-Mail-Adresse an")
    assert page.get_attribute("#feedback-email", "aria-invalid") == "true"
    page.close()


def test_contact_form_without_javascript_confirms_then_shows_thank_you_page(stack):
    context = stack["browser"].new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{stack['site']}/yhteystiedot/")
    page.fill("#feedback-message", "Ilman JavaScriptiä lähetetty viesti")
    page.check("#feedback-consent")
    page.click("#feedback button[type=submit]")
    assert page.url.startswith(stack["service"].url)  # the service asks once to confirm
    assert "Tarkista viestisi ja vahvista painamalla Lähetä." in page.content()
    assert page.input_value("#feedback-message") == "Ilman JavaScriptiä lähetetty viesti"
    time.sleep(0.7)
    page.click("#feedback button[type=submit]")
    assert page.url.startswith(f"{stack['site']}/feedback/thanks/")
    assert page.locator("h1").inner_text() == "Kiitos viestistäsi"
    assert ("fi", "Ilman JavaScriptiä lähetetty viesti") in messages(stack["db"])
    context.close()


def test_helpful_widget_on_a_page(stack):
    """Pages other than the contact page ask one yes/no question; the comment is one click
    away (posts have their own short prompt instead, see test_layout)."""
    page = stack["browser"].new_page()
    page.goto(f"{stack['site']}/en/about/")
    assert not page.locator("#helpful-message").is_visible()
    page.click("#helpful details summary")
    page.fill("#helpful-message", "Great tips")
    time.sleep(0.7)
    page.click("#helpful button[value=yes]")
    page.wait_for_function("document.querySelector('#helpful .form-status').textContent != ''")
    assert page.locator("#helpful .form-status").inner_text() == "Thank you for your feedback!"
    with sqlite3.connect(stack["db"]) as conn:
        assert conn.execute("SELECT helpful, message FROM messages WHERE helpful IS NOT NULL"
                            ).fetchall() == [("yes", "Great tips")]
    page.close()


def test_share_links_are_plain_links_and_the_page_talks_to_no_third_party(stack):
    context = stack["browser"].new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{stack['site']}/en/blog/a-day-on-a-husky-safari/")
    page.wait_for_load_state("networkidle")
    links = page.locator("nav.share a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert [h.split("/")[2] if "://" in h else h.split(":")[0] for h in hrefs] == [
        "www.facebook.com", "www.linkedin.com", "x.com", "wa.me", "mailto"]
    assert all(links.nth(i).evaluate("a => a.tagName") == "A" for i in range(links.count()))
    assert all(url.startswith("http://127.0.0.1:") or url.startswith("data:")
               for url in requested), requested
    assert context.cookies() == []
    context.close()


# -- a booking request, from the printed poster to the confirmed trip in the calendar --------
def customer_mails(stack, address: str, count: int) -> list:
    """The mails to ``address``, once ``count`` of them have arrived."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [r for r in stack["smtp"].received if r.rcpt_tos == [address]]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{len(found)} mail(s) to {address}, not {count}")


def status_link(received) -> str:
    return re.search(r"http://\S+/booking/status\?t=\S+",
                     received.message.get_body(("plain",)).get_content()).group(0)


def staff_confirms(stack, page, reference: str) -> None:
    """A staff member signs in, opens the request from the queue and confirms it."""
    service = stack["service"].url
    page.goto(f"{service}/admin/login")
    page.fill("input[name=user]", "aino")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{service}/admin/bookings")
    page.click(f"text={reference}")
    assert page.locator("h1").inner_text() == f"Booking request {reference}"
    page.select_option("#status", "confirmed")
    page.fill("#note", "Tervetuloa! Welcome!")
    page.click("form[action$='/status'] button[type=submit]")
    assert "confirmed" in page.locator("dd strong").first.inner_text()


def calendar_of(received) -> icalendar.Calendar:
    [attached] = list(received.message.iter_attachments())
    assert attached.get_content_type() == "text/calendar"
    data = attached.get_payload(decode=True)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF lines only
    return icalendar.Calendar.from_ical(data)


def stored_request(stack, reference: str) -> dict:
    with sqlite3.connect(stack["db"]) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM booking_requests WHERE reference = ?",
                                 (reference,)).fetchone())


def test_a_booking_from_the_posters_code_to_the_calendar_with_javascript(stack):
    output = stack["service"].root / "output"
    codes = json.loads((output / "qr" / "codes.json").read_text())["codes"]
    [code] = [c for c, target in codes.items() if "/en/trips/aurora-photography-week/" in
              target and "utm_campaign=poster-aurora-photography-week" in target]
    context = stack["browser"].new_context()
    page = context.new_page()
    page.goto(f"{stack['service'].url}/q/{code}")  # the phone scans the poster
    assert page.url.startswith(f"{stack['site']}/en/trips/aurora-photography-week/?")
    assert page.url.endswith("#ask")
    page.select_option("#booking-departure", "2027-03-08")
    page.fill("#booking-adults", "3")
    page.fill("#booking-children", "1")
    assert page.locator("[data-estimate]").inner_text() == "4 × €1,490.00 = €5,960.00"
    page.fill("#booking-name", "Emma Brown")
    page.fill("#booking-email", "emma.booking@example.com")
    page.check("#booking-consent")
    time.sleep(0.7)  # a person takes longer than the time trap's minimum
    page.click("#booking button[type=submit]")
    page.wait_for_url(f"{stack['service'].url}/booking/status?*")
    assert page.locator(".message").inner_text().startswith(
        "Thank you! We received your booking request and will answer within 24 hours.")
    reference = page.locator("h1").inner_text().removeprefix("Booking request ")
    request = stored_request(stack, reference)
    assert (request["campaign"], request["adults"], request["departure"]) == (
        "poster-aurora-photography-week", 3, "2027-03-08")
    [received] = customer_mails(stack, "emma.booking@example.com", 1)
    link = status_link(received)
    assert "emma" not in link.lower()
    page.goto(link)
    assert "Request received" in page.locator(".timeline").inner_text()
    staff_confirms(stack, context.new_page(), reference)
    confirmation = customer_mails(stack, "emma.booking@example.com", 2)[1]
    assert str(confirmation.message["Subject"]).startswith(f"Your booking {reference} is "
                                                          "confirmed")
    assert "Tervetuloa! Welcome!" in confirmation.message.get_body(("plain",)).get_content()
    event = calendar_of(confirmation).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == dt.date(2027, 3, 8)
    assert event.decoded("DTEND") == dt.date(2027, 3, 13)  # five days; the end is exclusive
    assert str(event["SUMMARY"]) == "Aurora photography week in Rovaniemi"
    assert str(event["UID"]) == f"{reference}@revontuli.example"
    page.goto(status_link(confirmation))
    timeline = page.locator(".timeline").inner_text()
    assert "Seen by our staff" in timeline and "Confirmed" in timeline
    assert "Tervetuloa! Welcome!" in timeline
    context.close()


def test_a_booking_without_javascript_confirms_once_then_shows_its_page(stack):
    context = stack["browser"].new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{stack['site']}/trips/revontulikuvausviikko/")
    page.select_option("#booking-departure", "2027-03-08")
    page.fill("#booking-adults", "2")
    page.fill("#booking-name", "Aino Virtanen")
    page.fill("#booking-email", "aino.booking@example.com")
    page.fill("#booking-message", "Ilman JavaScriptiä")
    page.check("#booking-consent")
    page.click("#booking button[type=submit]")
    assert page.url.startswith(stack["service"].url)  # the service asks once to confirm
    assert "Tarkista pyyntösi ja lähetä se painamalla painiketta." in page.content()
    assert page.locator("[data-estimate]").inner_text().replace("\xa0", " ") == \
        "2 × 1 490,00 € = 2 980,00 €"
    time.sleep(0.7)
    page.click("#booking button[type=submit]")
    assert page.url.startswith(f"{stack['service'].url}/booking/status?")
    assert page.locator(".message").inner_text().startswith("Kiitos! Saimme varauspyyntösi")
    reference = page.locator("h1").inner_text().removeprefix("Varauspyyntö ")
    assert stored_request(stack, reference)["campaign"] == ""  # no script, no campaign
    [received] = customer_mails(stack, "aino.booking@example.com", 1)
    page.goto(status_link(received))
    assert "Pyyntö vastaanotettu" in page.locator(".timeline").inner_text()
    staff_confirms(stack, context.new_page(), reference)
    confirmation = customer_mails(stack, "aino.booking@example.com", 2)[1]
    assert str(confirmation.message["Subject"]).startswith(f"Varauksesi {reference} on "
                                                          "vahvistettu")
    event = calendar_of(confirmation).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == dt.date(2027, 3, 8)
    assert str(event["SUMMARY"]) == "Revontulikuvausviikko Rovaniemellä"
    page.goto(status_link(confirmation))
    assert "Vahvistettu" in page.locator(".timeline").inner_text()
    page.click("text=Peru tämä pyyntö")  # the page's link only asks
    assert stored_request(stack, reference)["status"] == "confirmed"
    page.click("text=Kyllä, peru se")
    assert "Pyyntösi on peruttu." in page.locator(".message").inner_text()
    assert stored_request(stack, reference)["status"] == "cancelled"
    context.close()
