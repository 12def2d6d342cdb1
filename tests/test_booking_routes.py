"""Booking requests through the service's routes in process (Starlette's TestClient, a real
SQLite file; mail stays in the outbox): the visitor's request, its page and cancelling it,
every refusal with its message in the form's language, and the staff's queue, moves, mails,
calendar file and report. The real process is driven in test_booking_security and
test_browser."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from luotsi.forms import tokens
from luotsi.forms.booking import TripOffer
from luotsi.service.store import now

from .feedback_forms import JSON, booking_form, form
from .servers import SECRET, trip_offers, write_trips
from .test_service_routes import REFUSED_POSTS, SITE, csrf, running_app, sign_in


@pytest.fixture
def app(tmp_path):
    with running_app(tmp_path, rate_limit=1000) as client:
        yield client


def local(url: str) -> str:
    """A URL of the service as the test client asks for it."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def outbox(app, request_id: int | None = None) -> list[dict]:
    fields = ("kind", "recipient", "reply_to", "subject", "body", "attachment_name",
              "attachment", "request_id")
    rows = app.store.query(f"SELECT {', '.join(fields)} FROM outbox ORDER BY id")
    return [m for m in (dict(zip(fields, row, strict=True)) for row in rows)
            if request_id is None or m["request_id"] == request_id]


def request_in(app, answer) -> tuple[dict, str]:
    """The stored request an accepted answer names, and its status page's path."""
    target = answer.json()["next"] if answer.status_code == 201 else answer.headers["location"]
    reference = answer.json()["reference"] if answer.status_code == 201 else None
    [found] = [r for r in app.store.requests() if reference in (None, r["reference"])][:1]
    return found, local(target)


def test_a_request_is_committed_with_its_mails_and_opens_its_own_page(app):
    answer = app.post("/booking", data=booking_form(
        page=f"{SITE}/trips/aurora/?utm_source=print&utm_campaign=poster-aurora#ask"),
        headers=JSON)
    assert answer.status_code == 201
    body = answer.json()
    assert re.fullmatch(r"FT-\d{4}-00001", body["reference"])  # Fixture Travel's initials
    assert body["message"].startswith("Kiitos! Saimme varauspyyntösi ja vastaamme 24 tunnin")
    found, page = request_in(app, answer)
    assert (found["trip"], found["adults"], found["children"], found["campaign"]) == (
        "aurora", 2, 1, "poster-aurora")
    customer, staff = outbox(app)
    assert (customer["kind"], customer["recipient"], customer["reply_to"]) == (
        "booking-received", "aino@example.com", "bookings@fixture.example")
    assert customer["subject"] == f"Saimme varauspyyntösi {body['reference']} — Fixture Travel"
    assert "Hinta-arvio: 4 470,00 €" in customer["body"].replace("\xa0", " ")
    link = re.search(r"http://\S+/booking/status\?t=\S+", customer["body"]).group(0)
    assert "aino" not in link.lower() and "@" not in link  # nothing personal in the address
    assert (staff["recipient"], staff["reply_to"]) == ("bookings@fixture.example",
                                                       "aino@example.com")
    assert "Campaign: poster-aurora" in staff["body"] and "> Kasvisruokaa, kiitos" in \
        staff["body"]
    shown = app.get(page)
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    assert shown.headers["referrer-policy"] == "strict-origin"  # the token stays here
    text = shown.text.replace("\xa0", " ")
    assert f"Varauspyyntö {body['reference']}" in text and "Pyyntö vastaanotettu" in text
    assert "4 470,00 €" in text and 'name="robots" content="noindex' in text
    assert app.get(local(link)).status_code == 200  # the mailed link opens the same page


def test_without_javascript_the_service_shows_the_estimate_then_the_requests_page(app):
    first = app.post("/booking", data=booking_form(token="", adults="3", children="0"))
    assert first.status_code == 200
    text = first.text.replace("\xa0", " ")
    assert "Tarkista pyyntösi ja lähetä se painamalla painiketta." in text
    assert "3 × 1 490,00 € = 4 470,00 €" in text  # the estimate, in the form's locale
    assert app.store.count("booking_requests") == 0
    token = re.search(r'name="token" value="([^"]+)"', first.text).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', first.text))
    assert fields["trip"] == "aurora" and fields["page"] == f"{SITE}/trips/aurora/"
    second = app.post("/booking", data=booking_form(token=tokens.issue(
        SECRET.encode(), at=tokens.read(SECRET.encode(), token)["t"] - 5)[0], adults="3",
        children="0"), follow_redirects=False)
    assert second.status_code == 303
    found, page = request_in(app, second)
    assert page.endswith("&sent=1") and found["adults"] == 3
    assert "Kiitos! Saimme varauspyyntösi" in app.get(page).text


def test_the_campaign_comes_from_the_referer_without_javascript(app):
    referer = f"{SITE}/trips/aurora/?utm_source=print&utm_medium=qr&utm_campaign=poster-x"
    app.post("/booking", data=booking_form(), headers={**JSON, "Referer": referer})
    app.post("/booking", data=booking_form(), headers={**JSON, "Referer": f"{SITE}/other/?"
                                                        "utm_campaign=elsewhere"})
    assert [r["campaign"] for r in app.store.requests()] == ["", "poster-x"]


def day(n: int) -> str:
    return (dt.date.today() + dt.timedelta(days=n)).isoformat()


REFUSALS = [  # (fields, field, message in Finnish)
    ({"trip": "husky", "departure": day(500)}, "departure", "Valitse päivä väliltä"),
    ({"departure": day(31)}, "departure", "Valitse jokin lähtöpäivistä."),
    ({"trip": "husky", "departure": day(-1)}, "departure",
     "Tämä päivä on jo mennyt. Valitse myöhäisempi."),
    ({"departure": "31.12.2026"}, "departure", "Valitse jokin lähtöpäivistä."),
    ({"adults": "0", "children": "2"}, "persons",
     "Kerro, montako teitä tulee: vähintään yksi aikuinen."),
    ({"adults": "5", "children": "2"}, "persons",
     "Yhdessä varauksessa voi olla enintään 6 henkeä."),
    ({"adults": "2½"}, "adults", "Kirjoita kokonaisluku."),
    ({"children": "-1"}, "children", "Kirjoita kokonaisluku."),
    ({"trip": "nowhere"}, "trip", "Tätä matkaa ei voi pyytää täältä."),
    ({"trip": "gone"}, "trip", "Tätä matkaa ei voi pyytää täältä."),
    ({"trip": "hike", "departure": day(90)}, "trip",
     "Tämä matka on loppuunmyyty. Voit liittyä sen jonotuslistalle."),
    ({"name": ""}, "name", "Kirjoita nimesi."),
    ({"email": ""}, "email", "Anna sähköpostiosoite, johon voimme vastata"),
    ({"email": "aino@evil.example,x@example.com"}, "email", "Anna sähköpostiosoite"),
    ({"phone": "soita minulle"}, "phone", "Kirjoita puhelinnumero numeroin"),
    ({"consent": ""}, "consent", "Rastita ruutu, jotta voimme tallentaa pyyntösi"),
    ({"name": "Aino\r\nBcc: x@evil.example"}, "name", "Kirjoita tämä yhdelle riville."),
    ({"phone": "+358\u2028Bcc: x"}, "phone", "Kirjoita tämä yhdelle riville."),
    ({"message": "<script>alert(1)</script>"}, "message", "Kirjoita pelkkää tekstiä"),
    ({"message": "x" * 5001}, "message", "Tämä on liian pitkä: enintään 5000 merkkiä"),
    ({"page": "https://evil.example/trips/aurora/"}, "page", "Lomake lähetettiin"),
]


@pytest.mark.parametrize(("fields", "field", "message"), REFUSALS,
                         ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(REFUSALS)])
def test_every_bad_input_is_refused_with_a_message_and_nothing_is_stored(app, fields, field,
                                                                         message):
    answer = app.post("/booking", data=booking_form(**fields), headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["errors"][field].startswith(message), answer.json()
    page = app.post("/booking", data=booking_form(**fields))  # and the same as a page
    assert page.status_code == 422 and message.split(":")[0] in page.text.replace("\xa0", " ")
    assert app.store.count("booking_requests") == 0 and app.store.count("outbox") == 0


def test_messages_follow_the_forms_language(app):
    english = app.post("/booking", data=booking_form(lang="en", adults="9"), headers=JSON)
    assert english.json()["errors"]["persons"] == "One booking can have at most 6 persons."
    japanese = app.post("/booking", data=booking_form(lang="ja", adults="0"), headers=JSON)
    assert japanese.json()["errors"]["persons"] == "参加人数をお知らせください（大人1名以上）。"
    season = app.post("/booking", data=booking_form(lang="en", trip="husky", departure=day(
        400)), headers=JSON).json()["errors"]["departure"]
    first = dt.date.today() + dt.timedelta(days=1)
    assert season.startswith(f"Please choose a date between {first:%b} {first.day}, ")


def test_a_sold_out_trip_takes_its_waiting_list(app):
    answer = app.post("/booking", data=booking_form(trip="hike", days=90, waitlist="yes"),
                      headers=JSON)
    assert answer.status_code == 201
    assert answer.json()["message"].startswith("Kiitos! Olet jonotuslistalla.")
    assert app.store.requests()[0]["waitlist"] == 1
    customer, staff = outbox(app)
    assert customer["subject"].startswith("Olet jonotuslistalla: FT-")
    assert staff["subject"].startswith("[Fixture Travel] waiting list FT-")


@pytest.mark.parametrize(("headers", "body", "status"), REFUSED_POSTS)
def test_requests_from_elsewhere_or_malformed_are_refused(app, headers, body, status):
    answer = app.post("/booking", data=None if body else booking_form(), content=body,
                      headers={**JSON, **headers})
    assert answer.status_code == status and answer.json()["message"]
    assert app.store.count("booking_requests") == 0


def test_a_bot_that_fills_the_hidden_field_is_told_it_worked_and_nothing_is_stored(app):
    answer = app.post("/booking", data=booking_form(website="http://spam.example"),
                      headers=JSON)
    assert answer.status_code == 201 and answer.json()["ok"] is True
    assert app.store.count("booking_requests") == 0 and app.store.count("spam") == 1
    assert app.store.count("outbox") == 0


def test_requests_and_messages_share_one_rate_limit(tmp_path):
    with running_app(tmp_path, rate_limit=3) as app:
        assert app.post("/feedback", data=form(), headers=JSON).status_code == 201
        assert app.post("/booking", data=booking_form(), headers=JSON).status_code == 201
        assert app.post("/booking", data=booking_form(), headers=JSON).status_code == 201
        refused = app.post("/booking", data=booking_form(), headers=JSON)
        assert refused.status_code == 429
        assert refused.json()["message"].startswith("Osoitteestasi on tullut liian monta")
        assert app.post("/feedback", data=form(), headers=JSON).status_code == 429
        assert app.store.count("booking_requests") == 2


def test_forged_or_unknown_status_links_get_one_page_in_the_visitors_language(app):
    app.post("/booking", data=booking_form(), headers=JSON)
    link = re.search(r"http://\S+/booking/status\?t=\S+", outbox(app)[0]["body"]).group(0)
    real = parse_qs(urlsplit(link).query)["t"][0]
    unknown = tokens.random_token(SECRET.encode(), "booking-status")  # signed, never stored
    other_purpose = tokens.random_token(SECRET.encode(), "unsubscribe")
    for token in (real[:-1] + ("A" if real[-1] != "A" else "B"), unknown, other_purpose, "",
                  "x" * 5000, real.split(".")[0], "\U0010ebc5.)iY}\U000d2596",
                  real.split(".")[0] + ".ä"):
        answer = app.get("/booking/status", params={"t": token},  # no sv: the next one
                         headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"})
        assert answer.status_code == 404, token
        assert "This link is not valid, or it has expired." in answer.text
        assert answer.headers["referrer-policy"] == "strict-origin"
    japanese = app.get("/booking/status", params={"t": unknown},
                       headers={"Accept-Language": "ja-JP"})
    assert "このリンクは無効か、有効期限が切れています。" in japanese.text
    assert app.get("/booking/status", params={"t": real}).status_code == 200


def test_cancelling_asks_on_get_and_cancels_once_on_post(app):
    answer = app.post("/booking", data=booking_form(), headers=JSON)
    found, page = request_in(app, answer)
    token = parse_qs(urlsplit(page).query)["t"][0]
    service = str(app.base_url).rstrip("/")
    asked = app.get("/booking/cancel", params={"t": token})
    assert asked.status_code == 200 and "Kyllä, peru se" in asked.text
    assert app.store.request(found["id"])["status"] == "received"  # a GET changes nothing
    foreign = app.post("/booking/cancel", data={"t": token},
                       headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    done = app.post("/booking/cancel", data={"t": token}, headers={"Origin": service})
    assert done.status_code == 200 and "Pyyntösi on peruttu." in done.text
    assert app.store.request(found["id"])["status"] == "cancelled"
    mails = [(m["kind"], m["recipient"]) for m in outbox(app, found["id"])]
    assert mails[2:] == [("booking-cancelled_by_you", "aino@example.com"),
                         ("staff", "bookings@fixture.example")]
    again = app.post("/booking/cancel", data={"t": token}, headers={"Origin": service})
    assert again.status_code == 409 and "Tätä pyyntöä ei voi enää perua täällä." in again.text
    assert len(outbox(app, found["id"])) == 4  # the replay sent nothing
    cancel_link = re.search(r"http://\S+/booking/status\?t=\S+",
                            outbox(app, found["id"])[2]["body"]).group(0)
    assert "Peruttu" in app.get(local(cancel_link)).text  # the new mail's link works too


def staff_move(app, own, request_id, status, **fields):
    return app.post(f"/admin/bookings/{request_id}/status", headers=own, follow_redirects=False,
                    data={"csrf": csrf(app), "status": status, **fields})


def test_staff_see_the_queue_move_requests_and_the_customer_is_told(app):
    app.post("/booking", data=booking_form(lang="ja"), headers=JSON)
    app.post("/booking", data=booking_form(trip="husky", days=10), headers=JSON)
    own = sign_in(app)
    queue = app.get("/admin/bookings", params={"trip": "aurora"})
    assert queue.status_code == 200 and "FT-" in queue.text and "husky (" not in queue.text
    dated = app.get("/admin/bookings", params={"from": day(5), "until": day(15)}).text
    assert dated.count('<a href="/admin/bookings/') == 1
    [found] = [r for r in app.store.requests() if r["trip"] == "aurora"]
    detail = app.get(f"/admin/bookings/{found['id']}")
    assert detail.status_code == 200 and app.store.request(found["id"])["status"] == "seen"
    assert staff_move(app, own, found["id"], "declined", csrf="forged").status_code == 403
    assert staff_move(app, own, found["id"], "received").status_code == 409
    assert staff_move(app, own, found["id"], "offered", payment_url="javascript:alert(1)"
                      ).status_code == 422
    offered = staff_move(app, own, found["id"], "offered", note="Hinta sisältää kuljetukset.",
                         payment_url="https://pay.example/revontuli")
    assert offered.status_code == 303
    offer_mail = outbox(app, found["id"])[-1]
    assert offer_mail["subject"].startswith("予約リクエスト FT-")  # the customer's language
    assert "Hinta sisältää kuljetukset." in offer_mail["body"]
    assert "https://pay.example/revontuli" in offer_mail["body"]
    assert staff_move(app, own, found["id"], "confirmed").status_code == 303
    confirmation = outbox(app, found["id"])[-1]
    assert confirmation["kind"] == "booking-confirmed"
    assert confirmation["attachment_name"] == f"{found['reference']}.ics"
    event = icalendar.Calendar.from_ical(confirmation["attachment"]).walk("VEVENT")[0]
    start = dt.date.fromisoformat(found["departure"])
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + dt.timedelta(days=5)  # five days, end exclusive
    assert str(event["UID"]) == f"{found['reference']}@fixture.example"
    status = app.get(local(re.search(r"http://\S+/booking/status\?t=\S+",
                                     confirmation["body"]).group(0))).text
    assert [label in status for label in ("リクエスト受付", "スタッフが確認しました",
                                          "お見積り送付済み", "確定")] == [True] * 4
    assert staff_move(app, own, found["id"], "declined").status_code == 409  # confirmed
    exported = app.get("/admin/bookings.csv").text
    assert found["reference"] in exported and exported.startswith('"reference"')


def test_only_signed_in_staff_reach_the_queue(app):
    assert app.get("/admin/bookings", follow_redirects=False).headers["location"] == \
        "/admin/login"
    assert app.get("/admin/bookings.csv", follow_redirects=False).status_code == 303
    assert app.post("/admin/bookings/1/status", data={"status": "declined"}).status_code == 403
    own = sign_in(app)
    assert app.get("/admin/bookings/99999999999999999999").status_code == 404
    assert staff_move(app, own, 424242, "declined").status_code == 404
    assert app.post("/admin/bookings/1/status", headers=own,  # any text, never a crash
                    data={"csrf": "ä€\U0010ffff", "status": "declined"}).status_code == 403


def test_the_report_draws_response_times_requests_and_scans_and_the_campaigns(app, tmp_path):
    codes = tmp_path / "qr" / "codes.json"
    codes.write_text(json.dumps({"codes": {
        "postercd": f"{SITE}/trips/aurora/?utm_source=print&utm_campaign=poster-aurora#ask",
        "abcdefgh": f"{SITE}/en/blog/x/?utm_source=print"}}))
    for code in ("postercd", "postercd", "postercd", "postercd", "abcdefgh"):
        app.get(f"/q/{code}", follow_redirects=False)
    campaign = f"{SITE}/trips/aurora/?utm_campaign=poster-aurora"
    app.post("/booking", data=booking_form(page=campaign), headers=JSON)
    app.post("/booking", data=booking_form(trip="husky", days=3), headers=JSON)
    own = sign_in(app)
    first = app.store.requests()[-1]
    staff_move(app, own, first["id"], "confirmed")
    with app.store.transaction() as conn:  # answered three hours after the request
        app.store.execute(conn, "UPDATE booking_requests SET first_answer_at = created_at + "
                          "10800, confirmed_at = created_at + 10800 WHERE id = ?",
                          (first["id"],))
    report = app.get("/admin/report").text
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", report, re.S)
    assert len(svgs) == 2 and "<script" not in report
    assert all('role="img"' in svg and "<title" in svg for svg in svgs)
    month = dt.datetime.fromtimestamp(now(), dt.UTC).strftime("%Y-%m")
    assert f"<td>{month}</td><td>all</td><td>2</td><td>1</td><td>3.0</td>" in report
    assert "<td>poster-aurora</td><td>4</td><td>1</td><td>25 %</td>" in report
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"<tr><td>{today}</td><td>2</td><td>5</td></tr>" in report  # beside the chart


def test_the_service_takes_a_rebuilt_trips_file_without_a_restart(app, tmp_path):
    new_trip = TripOffer("kayak", "fi", "Melonta", f"{SITE}/trips/kayak/", Decimal(120), "EUR",
                         "InStock", 1, dt.date.today(), dt.date.today() + dt.timedelta(days=60))
    before = app.post("/booking", data=booking_form(trip="kayak", days=3), headers=JSON)
    assert before.status_code == 422 and "trip" in before.json()["errors"]
    offers = [*trip_offers(SITE), new_trip]
    path = tmp_path / "booking" / "trips.json"
    write_trips(tmp_path, SITE, offers)
    stamp = path.stat().st_mtime + 2  # a later build, even on a coarse clock
    os.utime(path, (stamp, stamp))
    after = app.post("/booking", data=booking_form(trip="kayak", days=3), headers=JSON)
    assert after.status_code == 201
    assert app.store.requests()[0]["trip_title"] == "Melonta"
