"""The service's routes in process, through Starlette's TestClient: fast, and beside the
tests that drive the real process (test_feedback_service and the others), not instead of
them. Mail stays in the outbox here (no mailer process); the store is a real SQLite file."""

from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager

import pytest
from luotsi.service.admin import hash_password
from luotsi.service.app import create_app
from luotsi.service.config import load
from starlette.testclient import TestClient

from .feedback_forms import JSON, form
from .servers import SECRET, Service

SITE = "http://127.0.0.1:8000"


@contextmanager
def running_app(root, **settings):
    files = Service(root, smtp_port=1, **settings)  # writes the settings, starts nothing
    (root / "feedback-admins").write_text(f"aino:{hash_password('a-long-password')}\n")
    (root / "qr").mkdir()
    (root / "qr" / "codes.json").write_text(json.dumps(
        {"codes": {"abcdefgh": f"{SITE}/en/blog/x/?utm_source=print"}}))
    config = load(str(root / "feedback.toml"), env={"LUOTSI_FEEDBACK_SECRET": SECRET})
    application = create_app(config, start_worker=False)
    with TestClient(application, base_url=files.url, headers={"Origin": SITE}) as client:
        client.store = application.state.service.store
        yield client


@pytest.fixture
def app(tmp_path):
    with running_app(tmp_path, rate_limit=1000) as client:
        yield client


def sign_in(app) -> dict[str, str]:
    """Signs ``app`` in; returns the headers of a same-origin admin POST."""
    own = {"Origin": str(app.base_url).rstrip("/")}
    assert app.post("/admin/login", data={"user": "aino", "password": "a-long-password"},
                    headers=own, follow_redirects=False).status_code == 303
    return own


def csrf(app) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', app.get("/admin/").text).group(1)


def test_a_message_is_committed_with_its_two_mails_before_the_answer(app):
    answer = app.post("/feedback", data=form(), headers=JSON)
    assert answer.status_code == 201 and answer.json()["ok"] is True
    assert app.store.count("messages") == 1
    assert [(m["kind"], m["recipient"]) for m in app.store.outbox()] == [
        ("thanks", "aino@example.com"), ("staff", "bookings@fixture.example")]


def test_without_javascript_confirm_then_redirect(app):
    first = app.post("/feedback", data=form(token=""))
    assert first.status_code == 200 and "Lähetä" in first.text
    token = first.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    time.sleep(0.6)
    second = app.post("/feedback", data=form(token=token), follow_redirects=False)
    assert second.status_code == 303
    assert second.headers["location"].startswith(f"{SITE}/feedback/thanks/?from=")


# Posts that never reach the fields: (headers, body or None for a good form, status).
REFUSED_POSTS = [
    ({"Origin": "https://evil.example"}, None, 403),
    ({"Origin": ""}, None, 403),
    ({"Origin": "null"}, None, 403),
    ({"Content-Type": "text/plain"}, "lang=fi", 415),
    ({"Content-Type": "application/x-www-form-urlencoded"}, "x=" + "a" * 40000, 413),
    ({"Content-Type": "application/x-www-form-urlencoded"}, b"message=%ff%fe", 400),
]


@pytest.mark.parametrize(("headers", "body", "status"), REFUSED_POSTS)
def test_refusals_store_nothing(app, headers, body, status):
    answer = app.post("/feedback", data=None if body else form(), content=body,
                      headers={**JSON, **headers})
    assert answer.status_code == status
    assert answer.json()["ok"] is False and answer.json()["message"]
    assert app.store.count("messages") == 0


def test_a_chunked_body_past_the_limit_is_refused(app):
    def chunks():
        for _ in range(100):  # 6.4 MB, with no Content-Length
            yield b"message=" + b"a" * 64_000

    answer = app.post("/feedback", content=chunks(), headers={
        **JSON, "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert app.store.count("messages") == 0


def test_honeypot_is_answered_as_accepted_and_kept_apart(app):
    answer = app.post("/feedback", data=form(website="http://spam.example"), headers=JSON)
    assert answer.status_code == 201
    assert app.store.count("messages") == 0 and app.store.count("spam") == 1


def test_cors_only_for_the_site(app):
    ok = app.options("/feedback", headers={"Origin": SITE,
                                           "Access-Control-Request-Method": "POST"})
    assert ok.headers["access-control-allow-origin"] == SITE
    foreign = app.options("/feedback", headers={"Origin": "https://evil.example",
                                                "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in foreign.headers
    token = app.get("/feedback/token")
    assert token.headers["access-control-allow-origin"] == SITE
    assert token.headers["cache-control"] == "no-store"
    admin = app.get("/admin/login")
    assert "access-control-allow-origin" not in admin.headers  # the admin is not shared


def test_every_answer_carries_the_security_headers(app):
    for answer in (app.get("/healthz"), app.get("/admin/login"), app.get("/q/zzzzzzzz")):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"


def test_qr_scan_is_counted_and_redirected_and_an_unknown_code_gets_a_page(app):
    scan = app.get("/q/abcdefgh", follow_redirects=False)
    assert scan.status_code == 302 and scan.headers["location"].endswith("utm_source=print")
    assert app.store.scans()[0][0] == "abcdefgh"
    unknown = app.get("/q/zzzzzzzz")
    assert unknown.status_code == 404
    assert "Tämä koodi ei ole käytössä" in unknown.text and 'name="robots"' in unknown.text


def test_admin_sign_in_csrf_and_unknown_message(app):
    own = {"Origin": str(app.base_url).rstrip("/")}
    assert app.get("/admin/", follow_redirects=False).headers["location"] == "/admin/login"
    assert app.post("/admin/login", data={"user": "aino", "password": "a-long-password"}
                    ).status_code == 403  # from the site's origin, not the service's
    wrong = app.post("/admin/login", data={"user": "aino", "password": "nope"}, headers=own)
    assert wrong.status_code == 401
    signed = app.post("/admin/login", data={"user": "aino", "password": "a-long-password"},
                      headers=own, follow_redirects=False)
    assert signed.status_code == 303
    app.post("/feedback", data=form(), headers=JSON)
    listing = app.get("/admin/")
    assert listing.status_code == 200 and "aino@example.com" in listing.text
    assert app.post("/admin/messages/1/answered", data={"csrf": "forged"},
                    headers=own).status_code == 403
    assert app.get("/admin/messages/424242").status_code == 404


def test_health_and_openapi(app):
    app.post("/feedback", data=form(), headers=JSON)
    health = app.get("/healthz")
    assert health.json() == {"ok": True}  # nothing about what is stored
    assert "/feedback" in app.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("char", ["\r", "\n", "\x85", "\u2028", "\u2029"])
def test_a_line_break_in_a_single_line_field_is_refused_in_the_forms_language(app, char):
    answer = app.post("/feedback", data=form(name=f"Aino{char}E-mail: x@evil.example"),
                      headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["errors"]["name"] == "Kirjoita tämä yhdelle riville."
    english = app.post("/feedback", data=form(lang="en", topic=f"general{char}"), headers=JSON)
    assert english.json()["errors"]["topic"] == "Please write this on one line."
    assert app.store.count("messages") == 0


def test_page_with_markup_is_refused(app):
    answer = app.post("/feedback", headers=JSON, data=form(
        page=f'{SITE}/"><script>alert(1)</script>'))
    assert answer.status_code == 422
    assert answer.json()["errors"]["page"] == "Lomake lähetettiin tuntemattomalta sivulta."
    assert app.store.count("messages") == 0


def test_honeypot_posts_count_against_the_rate_limit(tmp_path):
    with running_app(tmp_path, rate_limit=2) as app:
        codes = [app.post("/feedback", data=form(website="http://spam.example"),
                          headers=JSON).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        assert app.post("/feedback", data=form(), headers=JSON).status_code == 429
        assert app.store.count("spam") == 2 and app.store.count("messages") == 0


def test_a_declared_body_past_the_cap_is_refused_on_any_route(app):
    for method, path in (("GET", "/healthz"), ("POST", "/admin/logout"),
                         ("POST", "/nowhere")):
        answer = app.request(method, path, content=b"x" * 70_000)
        assert answer.status_code == 413, path
        assert answer.headers["connection"] == "close"
        assert answer.headers["x-frame-options"] == "DENY"


def test_an_oversized_sign_in_is_413_not_a_wrong_password(app):
    own = {"Origin": str(app.base_url).rstrip("/")}
    answer = app.post("/admin/login", headers=own,
                      data={"user": "aino", "password": "x" * 20_000})
    assert answer.status_code == 413 and "too large" in answer.text


def test_wrong_passwords_make_their_client_wait(app):
    own = {"Origin": str(app.base_url).rstrip("/")}
    codes = [app.post("/admin/login", data={"user": "aino", "password": "wrong"},
                      headers=own).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]  # five free mistakes, then a growing wait
    waited = app.post("/admin/login", data={"user": "aino", "password": "a-long-password"},
                      headers=own)
    assert waited.status_code == 429 and int(waited.headers["retry-after"]) >= 1


def test_signing_out_ends_the_session_on_the_server(app):
    own = sign_in(app)
    cookie = app.cookies.get("luotsi_admin")
    app.post("/admin/logout", data={"csrf": csrf(app)}, headers=own)
    app.cookies.set("luotsi_admin", cookie)  # a copy of the cookie, kept by someone
    assert app.get("/admin/", follow_redirects=False).headers["location"] == "/admin/login"
    assert app.store.count("sessions") == 0


def test_ids_no_row_can_have_are_404(app):
    own = sign_in(app)
    token = csrf(app)
    for path in ("/admin/messages/99999999999999999999",
                 "/admin/messages/9223372036854775808"):
        assert app.get(path).status_code == 404
        assert app.post(f"{path}/answered", data={"csrf": token},
                        headers=own).status_code == 404
        assert app.post(f"{path}/testimonial", data={"csrf": token, "text": "x",
                                                    "display_name": "x"},
                        headers=own).status_code == 404
    assert app.post("/admin/mail/99999999999999999999/retry", data={"csrf": token},
                    headers=own).status_code == 404


def test_failed_mail_is_listed_with_its_reason_and_can_be_retried(app):
    app.post("/feedback", data=form(), headers=JSON)
    mail = app.store.claim_due_mail()[0]
    app.store.mail_results([], failed=[(mail.id, 1, 0, "cannot be composed: <bad>")])
    own = sign_in(app)
    page = app.get("/admin/mail")
    assert "cannot be composed: &lt;bad&gt;" in page.text and "aino@example.com" in page.text
    retried = app.post(f"/admin/mail/{mail.id}/retry", data={"csrf": csrf(app)}, headers=own,
                       follow_redirects=False)
    assert retried.status_code == 303 and app.store.outbox(failed_only=True) == []
    forged = app.post("/admin/mail/retry", data={"csrf": "forged"}, headers=own)
    assert forged.status_code == 403


def test_what_start_up_made_is_kept_out_of_the_collectors_way_while_serving(tmp_path):
    import gc

    with running_app(tmp_path) as client:
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # modules, templates, catalogs: not walked by each collection
        assert client.post("/feedback", data=form(), headers=JSON).status_code == 201
        garbage = []
        garbage.append(garbage)  # a cycle made while serving is still collected
        del garbage
        assert gc.collect() >= 1 and gc.get_freeze_count() > frozen // 2
    assert gc.get_freeze_count() == 0


def test_a_form_shown_again_carries_its_own_visitors_values_only(app):
    # The theme's templates make parts once per language ({% cached %}); the form shown
    # again to a visitor without JavaScript must hold that visitor's values, escaped, and
    # never another visitor's.
    first = app.post("/feedback", data=form(name="<script>alert(1)</script>Visitor A",
                                            email="not-an-address", message="Secret of A"))
    second = app.post("/feedback", data=form(name="Visitor B", email="also bad",
                                             message="Words of B"))
    assert first.status_code == second.status_code == 422
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Visitor A" in first.text
    assert "<script>alert(1)" not in first.text and "Secret of A" in first.text
    assert "Visitor B" in second.text and "Words of B" in second.text
    assert "Visitor A" not in second.text and "Secret of A" not in second.text
