"""The same store on SQLite and on a real PostgreSQL server: migrations, atomic writes, the
outbox lease, answers, retention and erasure."""

from __future__ import annotations

import threading

import pytest
from luotsi.service import store as store_module
from luotsi.service.store import Mail, open_store

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
