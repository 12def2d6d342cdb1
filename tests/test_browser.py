"""What a visitor does, in a real headless Chromium (Debian's, driven by Playwright): the
demo site served on loopback, the feedback service beside it, with and without JavaScript."""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from http.server import ThreadingHTTPServer

import pytest

from .browser import CHROMIUM, FLAGS, Quiet
from .conftest import build_demo
from .servers import Service, SmtpSink, free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("browser")]

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
    toml.write_text(toml.read_text().replace('"pelicanconf.py"', '"demo_settings.py"'))
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
