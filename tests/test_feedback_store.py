"""The same store on SQLite and on a real PostgreSQL server: migrations, atomic writes, the
outbox lease and failed mail, answers, invitations answered twice, sessions, unsubscribe
links, retention and erasure down to the raw database files."""

from __future__ import annotations

import json
import threading

import pytest
from luotsi.service import addresses
from luotsi.service import store as store_module
from luotsi.service.store import Mail, open_store

from .feedback_forms import add_request
from .servers import Postgres

pytestmark = pytest.mark.xdist_group("postgres")


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    server = Postgres(tmp_path_factory.mktemp("pg")).start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        db = open_store(f"sqlite:///{tmp_path / 'feedback.db'}")
    else:
        server = request.getfixturevalue("postgres")
        db = open_store(server.create_database(f"t{abs(hash(tmp_path)) % 10**9}"))
    yield db
    db.close()


VALUES = {"lang": "fi", "topic": "booking", "name": "Aino", "email": "Aino@Example.com",
          "message": "Hei", "page": ""}
MAILS = [Mail("thanks", "Aino@Example.com", "Kiitos", "..."),
         Mail("staff", "bookings@x.example", "booking", "...", reply_to="Aino@Example.com")]


def test_migrations_are_idempotent(store):
    assert store.migrate() == len(store_module.MIGRATIONS)
    assert store.migrate() == len(store_module.MIGRATIONS)


def test_message_and_mails_are_written_together(store):
    message_id = store.add_message(VALUES, MAILS)
    assert store.message(message_id)["email"] == "Aino@Example.com"
    assert [(m["kind"], m["message_id"]) for m in store.outbox()] == [
        ("thanks", message_id), ("staff", message_id)]

    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.transaction() as conn:
        store.execute(conn, "INSERT INTO spam (created_at, reason, payload) VALUES (1, 'x', 'y')")
        raise Boom
    assert store.count("spam") == 0  # rolled back


def test_outbox_lease_hands_each_mail_to_one_worker(store):
    store.add_message(VALUES, MAILS)
    claimed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        items = store.claim_due_mail()
        with lock:
            claimed.extend(i.id for i in items)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 2
    first = claimed[0]
    store.mail_results([], again=[(first, 1, 1, "down", 0)])
    assert [i.id for i in store.claim_due_mail()] == [first]  # due again after the failure
    store.mail_results([first])
    assert store.claim_due_mail() == []


def test_answers_filters_report_data_and_erasure(store):
    first = store.add_message(VALUES, MAILS)
    store.add_message({**VALUES, "email": "other@example.com", "topic": "general",
                       "message": "Toinen"}, [])
    assert store.mark_answered(first, "soitettu") is True
    assert store.mark_answered(first) is False  # answered once
    assert [m["id"] for m in store.messages(status="answered")] == [first]
    assert [m["message"] for m in store.messages(text="toin")] == ["Toinen"]
    assert [t for t, _, _ in store.answered_times()] == ["booking"]
    about = store.about_email("aino@example.com")
    assert len(about["messages"]) == 1 and len(about["mails"]) == 2
    assert store.erase_email("AINO@example.com")["messages"] == 1
    left = store.about_email("aino@example.com")
    assert [left[k] for k in ("messages", "mails", "spam", "invitations")] == [[]] * 4
    assert store.count("messages") == 1


def test_retention_purges_old_messages(store, monkeypatch):
    store.add_message(VALUES, MAILS)
    monkeypatch.setattr(store_module, "now", lambda: 10**10)  # far in the future
    assert store.purge(365) == 1
    assert store.count("messages") == 0 and store.count("outbox") == 0


def test_service_runs_on_postgresql(postgres, tmp_path):
    import time

    from .feedback_forms import JSON, form
    from .servers import Service, SmtpSink

    smtp = SmtpSink().start()
    url = postgres.create_database("service")
    service = Service(tmp_path / "svc", smtp.port, database=url).start()
    try:
        with service.client(headers=JSON) as client:
            assert client.post("/feedback", data=form()).status_code == 201
        assert len(smtp.wait_for(2)) == 2
        db = open_store(url)
        assert [m["message"] for m in db.messages()] == [form()["message"]]
        deadline = time.monotonic() + 5
        while any(m["sent_at"] is None for m in db.outbox()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(m["sent_at"] for m in db.outbox())
    finally:
        service.stop()
        smtp.stop()


def test_a_failed_mail_waits_for_nobody_and_can_be_retried(store):
    store.add_message(VALUES, MAILS)
    first, second = (i.id for i in store.claim_due_mail())
    store.mail_results([], again=[(second, 1, 1, "421 try later", 0)],
                       failed=[(first, 1, 0, "cannot be composed: bad address")])
    assert [i.id for i in store.claim_due_mail()] == [second]  # the failed one is not due
    failed = store.outbox(failed_only=True)
    assert [(m["id"], m["last_error"]) for m in failed] == [
        (first, "cannot be composed: bad address")] and failed[0]["failed_at"]
    assert store.next_mail_due() is not None
    assert store.retry_mail(first) == 1 and store.outbox(failed_only=True) == []
    store.mail_results([second])
    assert [(i.id, i.attempts, i.refusals) for i in store.claim_due_mail()] == [(first, 0, 0)]


def test_a_second_answer_to_an_invitation_replaces_the_first(store):
    values = {**VALUES, "booking_id": "B1", "publish": True}
    first = store.add_message({**values, "message": "Ensimmäinen"}, MAILS)
    store.set_testimonial(first, "Ensimmäinen", "Aino")
    store.mark_answered(first)
    second = store.add_message({**values, "message": "Toinen"}, MAILS[1:])
    assert second == first
    row = store.message(first)
    assert (row["message"], row["status"], row["testimonial_text"]) == ("Toinen", "new", None)
    assert [m["kind"] for m in store.outbox()] == ["staff"]  # the first answer's mails went
    other = store.add_message({**VALUES, "booking_id": "B2"}, [])
    assert other != first and store.count("messages") == 2


def test_sessions_end_on_the_server(store):
    store.add_session("secret-session-id", "aino", max_age=3600)
    assert store.session("secret-session-id", 3600) == "aino"
    assert store.session("secret-session-id", -1) is None  # expired
    assert store.query("SELECT id_hash FROM sessions") != [("secret-session-id",)]
    store.end_session("secret-session-id")
    assert store.session("secret-session-id", 3600) is None


def test_unsubscribe_links_are_random_tokens_kept_as_hashes(store):
    row = {"booking_id": "B1", "email": "Emma@Example.com", "lang": "en", "trip": "Husky",
           "end_date": "2026-01-01"}
    store.record_invitation(row, "sent", "due", Mail("invite", row["email"], "s", "b"),
                            unsubscribe_token="opaque-token-1")
    key = addresses.hashed("emma@example.com")
    assert store.unsubscribe_link("opaque-token-1", 365) == (key, "en")
    assert store.unsubscribe_link("opaque-token-2", 365) is None
    assert store.unsubscribe_link("opaque-token-1", 0) is None  # older than allowed
    assert "opaque-token-1" not in repr(store.query("SELECT * FROM unsubscribe_links"))
    store.unsubscribe(key)
    assert store.is_unsubscribed("EMMA@example.com")


SECRET_TEXT = "Salainen viesti 4711 huskyista"
ADDRESS = "ÄIJÄ@example.com"


def fill_traces(store) -> None:
    """A message, its mails, a honeypot post (as JSON, the way old versions escaped it),
    an invitation with its unsubscribe link, a booking request with its timeline, link and
    mails, and someone else's message."""
    store.add_message({**VALUES, "email": ADDRESS, "message": SECRET_TEXT},
                      [Mail("thanks", ADDRESS, "Kiitos", f"> {SECRET_TEXT}"),
                       Mail("staff", "bookings@x.example", "b", SECRET_TEXT, reply_to=ADDRESS)])
    request_id, _ = add_request(store, email=ADDRESS, name="Äijä", message=SECRET_TEXT)
    store.move_request(request_id, "confirmed", f"Nähdään, {SECRET_TEXT}", "aino",
                       lambda old, new: True, frozenset(), lambda r: [
                           Mail("booking-confirmed", ADDRESS, "ok", SECRET_TEXT,
                                attachment_name="RT-2026-00001.ics", attachment=SECRET_TEXT)],
                       "link-2")
    store.add_spam("honeypot", json.dumps({"email": ADDRESS, "message": SECRET_TEXT}))
    store.record_invitation({"booking_id": "B9", "email": ADDRESS, "lang": "fi",
                             "trip": "Husky", "end_date": "2026-01-01"}, "sent", "due",
                            Mail("invite", ADDRESS, "s", "b"), unsubscribe_token="t-9")
    store.add_message({**VALUES, "email": "other@example.com", "message": "Toinen"}, [])
    for _ in range(3):  # rows rewritten as the mailer works: older copies in the log
        for mail in store.claim_due_mail():
            store.mail_results([], again=[(mail.id, 1, 0, "down", 0)])


def raw_files(paths) -> bytes:
    return b"".join(p.read_bytes() for p in paths if p.is_file())


def test_erase_removes_every_trace_and_export_showed_them(store, request, tmp_path):
    fill_traces(store)
    about = store.about_email("äijä@EXAMPLE.com")  # other case, non-ASCII capitals
    assert [len(about[k]) for k in ("messages", "booking_requests", "mails", "spam",
                                    "invitations", "unsubscribe_links")] == [1, 1, 6, 1, 1, 1]
    assert [e["status"] for e in about["booking_requests"][0]["events"]] == [
        "received", "confirmed"]
    erased = store.erase_email("äijä@EXAMPLE.com")
    assert erased == {"messages": 1, "booking_requests": 1, "mails": 6, "spam": 1,
                      "invitations": 1, "unsubscribe_links": 1}
    for table in ("booking_requests", "booking_events", "booking_links"):
        assert store.count(table) == 0, table
    after = store.about_email(ADDRESS)
    assert all(after[k] == [] for k in erased) and len(after["opt_out"]) == 1
    assert [m["message"] for m in store.messages()] == ["Toinen"]
    if store.engine == "sqlite":
        files = [tmp_path / f"feedback.db{suffix}" for suffix in ("", "-wal", "-shm")]
    else:
        server = request.getfixturevalue("postgres")
        oid = store.query("SELECT oid FROM pg_database WHERE datname = current_database()")
        files = list((server.data / "base" / str(oid[0][0])).rglob("*"))
    data = raw_files(files)
    assert b"other@example.com" in data  # the files are readable: the search means something
    for needle in (ADDRESS.encode(), "äijä".encode(), SECRET_TEXT.encode(), b"\\u00c4IJ"):
        assert needle not in data, needle


def old_store(version: int, engine: str, request, tmp_path, monkeypatch):
    """A new database on ``engine`` migrated to ``version`` only, as an older release left
    it; ``monkeypatch.undo()`` lets the next ``migrate()`` bring it up to date."""
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:version])
    if engine == "sqlite":
        return open_store(f"sqlite:///{tmp_path / f'v{version}.db'}")
    return open_store(request.getfixturevalue("postgres").create_database(
        f"v{version}_{abs(hash(tmp_path)) % 10**9}"))


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_migrating_a_database_with_an_invitation_answered_twice(engine, request, tmp_path,
                                                                monkeypatch):
    """Version 3 allowed two answers per booking; migration 4 keeps both texts and ties the
    first to the booking, so that the unique index can be built."""
    old = old_store(3, engine, request, tmp_path, monkeypatch)
    for text in ("Ensimmäinen", "Toinen"):
        with old.transaction() as conn:
            old.execute(conn, "INSERT INTO messages (created_at, lang, topic, message, "
                        "booking_id) VALUES (1, 'fi', 'booking', ?, 'B1')", (text,))
    monkeypatch.undo()
    assert old.migrate() == len(store_module.MIGRATIONS)
    assert old.query("SELECT message, booking_id FROM messages ORDER BY id") == [
        ("Ensimmäinen", "B1"), ("Toinen", "")]
    old.close()


# -- booking requests ------------------------------------------------------------------------
def test_a_request_gets_the_years_next_reference_and_its_mails_with_it(store):
    made = [add_request(store, year=year) for year in (2026, 2026, 2027, 2026)]
    assert [reference for _, reference in made] == [
        "RT-2026-00001", "RT-2026-00002", "RT-2027-00001", "RT-2026-00003"]
    request_id = made[0][0]
    found = store.request(request_id)
    assert found["status"] == "received" and found["reference"] == "RT-2026-00001"
    assert [e["status"] for e in found["events"]] == ["received"]
    assert [(m["kind"], m["request_id"]) for m in store.outbox()][:2] == [
        ("booking-received", request_id), ("staff", request_id)]


def test_references_stay_unique_when_two_instances_write_at_once(store):
    """Two stores on one database, as two service instances: every number once, none
    skipped."""
    other = open_store(store.url)
    failures: list[BaseException] = []

    def write(target, count):
        try:
            for _ in range(count):
                add_request(target)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(target, 15)) for target in (store, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.close()
    assert not failures
    references = sorted(r["reference"] for r in store.requests())
    assert references == [f"RT-2026-{n:05d}" for n in range(1, 31)]


def test_a_request_moves_only_where_it_may_and_records_its_answer_times(store):
    request_id, _ = add_request(store)
    allowed = {("received", "offered"), ("offered", "confirmed")}
    answers = frozenset({"offered", "confirmed", "declined"})

    def move(status):
        return store.move_request(request_id, status, f"note {status}", "aino",
                                  lambda old, new: (old, new) in allowed, answers,
                                  lambda r: [Mail(f"booking-{status}", r["email"], "s", "b")],
                                  f"link-{status}")

    assert move("confirmed") is None  # received → confirmed is not allowed here
    offered = move("offered")
    assert offered["status"] == "offered" and offered["first_answer_at"] is not None
    confirmed = move("confirmed")
    assert confirmed["first_answer_at"] == offered["first_answer_at"]
    assert confirmed["confirmed_at"] >= confirmed["first_answer_at"]
    assert move("offered") is None  # the second of two clicks finds the first one's status
    found = store.request(request_id)
    assert [(e["status"], e["note"]) for e in found["events"]] == [
        ("received", ""), ("offered", "note offered"), ("confirmed", "note confirmed")]
    assert [m["kind"] for m in store.outbox() if m["request_id"] == request_id] == [
        "booking-received", "staff", "booking-offered", "booking-confirmed"]
    times = store.request_times()
    assert times[0][0] == "aurora" and times[0][2] is not None and times[0][3] is not None


def test_status_links_work_for_the_retention_period_and_old_requests_are_purged(store):
    from luotsi.service.store import now, token_hash

    past, future = "2020-01-01", "2999-01-01"
    old_id, _ = add_request(store, link="old-link", departure=past, ends_on=past)
    kept_id, _ = add_request(store, link="kept-link", departure=future, ends_on=future)
    fresh_id, _ = add_request(store, link="fresh-link", departure=past, ends_on=past)
    long_ago = now() - 400 * 86400
    with store.transaction() as conn:
        for request_id in (old_id, kept_id):
            store.execute(conn, "UPDATE booking_requests SET created_at = ?, updated_at = ? "
                          "WHERE id = ?", (long_ago, long_ago, request_id))
            store.execute(conn, "UPDATE booking_links SET created_at = ? WHERE request_id = ?",
                          (long_ago, request_id))
    assert store.request_by_link(token_hash("fresh-link"), 365, now())["id"] == fresh_id
    assert store.request_by_link(token_hash("old-link"), 365, now()) is None  # expired
    assert store.request_by_link(token_hash("kept-link"), 365, now()) is None
    assert store.request_by_link(token_hash("no-such-link"), 365, now()) is None
    assert store.purge(365) == 1  # the old request; the one whose trip is ahead stays
    assert sorted(r["id"] for r in store.requests()) == [kept_id, fresh_id]
    assert store.query("SELECT COUNT(*) FROM outbox WHERE request_id = ?", (old_id,)) == [(0,)]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_migrating_a_version_4_database_keeps_its_messages_and_mail(engine, request,
                                                                   tmp_path, monkeypatch):
    old = old_store(4, engine, request, tmp_path, monkeypatch)
    with old.transaction() as conn:  # as version 4 wrote them
        message_id = old.execute(conn, "INSERT INTO messages (created_at, lang, topic, email) "
                                 "VALUES (1, 'fi', 'booking', 'aino@example.com') RETURNING id"
                                 ).fetchone()[0]
        old.execute(conn, "INSERT INTO outbox (message_id, kind, recipient, subject, body, "
                    "next_attempt_at) VALUES (?, 'thanks', 'aino@example.com', 's', 'b', 1)",
                    (message_id,))
    monkeypatch.undo()
    assert old.migrate() == len(store_module.MIGRATIONS)
    assert [m["email"] for m in old.messages()] == ["aino@example.com"]
    assert [(m.kind, m.attachment_name) for m in old.claim_due_mail()] == [("thanks", "")]
    assert add_request(old)[1] == "RT-2026-00001"
    old.close()
