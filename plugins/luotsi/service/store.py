"""Durable storage of messages, the mail outbox and QR scans, on SQLite or PostgreSQL.

One schema and one set of queries serve both engines (``?`` placeholders are rewritten for
psycopg). A message and the mails it causes are written in one transaction, committed (on
SQLite with WAL and ``synchronous=FULL``, so the commit has reached the disk) before the
service says "thank you": a crash after that answer cannot lose the message or its mails.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from . import addresses
from .booking_store import REQUEST_FIELDS, BookingQueries, now

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE messages (
        id {serial},
        created_at {real} NOT NULL,
        lang TEXT NOT NULL,
        topic TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT '',
        page TEXT NOT NULL DEFAULT '',
        helpful TEXT,
        status TEXT NOT NULL DEFAULT 'new',
        answered_at {real},
        answer_note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX messages_created ON messages (created_at);
    CREATE INDEX messages_email ON messages (email);
    CREATE TABLE outbox (
        id {serial},
        message_id INTEGER REFERENCES messages (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        reply_to TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at {real} NOT NULL,
        claimed_until {real} NOT NULL DEFAULT 0,
        sent_at {real},
        last_error TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
    CREATE TABLE spam (
        id {serial},
        created_at {real} NOT NULL,
        reason TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE TABLE scans (
        id {serial},
        code TEXT NOT NULL,
        scanned_at {real} NOT NULL
    );
    CREATE INDEX scans_code ON scans (code, scanned_at);
    """,
    """
    ALTER TABLE messages ADD COLUMN publish_consent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN testimonial_text TEXT;
    ALTER TABLE messages ADD COLUMN testimonial_name TEXT;
    ALTER TABLE messages ADD COLUMN booking_id TEXT NOT NULL DEFAULT '';
    CREATE TABLE invitations (
        id {serial},
        booking_id TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL,
        lang TEXT NOT NULL,
        trip TEXT NOT NULL,
        end_date TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        decided_at {real} NOT NULL,
        reminders INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX invitations_email ON invitations (email);
    CREATE TABLE unsubscribes (
        email TEXT PRIMARY KEY,
        unsubscribed_at {real} NOT NULL
    );
    """,
    """
    ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT NOT NULL DEFAULT '';
    """,
    # Mails that cannot be sent end as failed, counted apart from tries the server was
    # unreachable; staff sessions live on the server, so that signing out ends them;
    # unsubscribe links are random tokens kept as hashes; an invitation is answered once
    # (a later answer updates the first: answers given twice before this migration keep
    # their text, and only the first stays tied to the booking).
    """
    ALTER TABLE outbox ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN failed_at {real};
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        created_at {real} NOT NULL
    );
    CREATE TABLE unsubscribe_links (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        lang TEXT NOT NULL,
        created_at {real} NOT NULL
    );
    CREATE INDEX unsubscribe_links_email ON unsubscribe_links (email);
    UPDATE messages SET booking_id = '' WHERE booking_id <> '' AND id NOT IN
        (SELECT MIN(id) FROM messages WHERE booking_id <> '' GROUP BY booking_id);
    CREATE UNIQUE INDEX messages_booking ON messages (booking_id) WHERE booking_id <> '';
    """,
    # Booking requests from trip pages: a per-year reference sequence (one row per year,
    # locked by the increment, so that instances sharing PostgreSQL never hand out a number
    # twice), the request's timeline, its status links (random tokens, kept as hashes: one
    # per mail that carried one), and mails that belong to a request (one with a calendar
    # attached). Few indexes: each costs every request more pages to flush, and the staff's
    # queue and erasing read few rows.
    """
    CREATE TABLE booking_numbers (
        year INTEGER PRIMARY KEY,
        counter INTEGER NOT NULL
    );
    CREATE TABLE booking_requests (
        id {serial},
        reference TEXT NOT NULL UNIQUE,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL,
        lang TEXT NOT NULL,
        trip TEXT NOT NULL,
        trip_title TEXT NOT NULL,
        trip_url TEXT NOT NULL,
        departure TEXT NOT NULL,
        ends_on TEXT NOT NULL,
        adults INTEGER NOT NULL,
        children INTEGER NOT NULL,
        price TEXT NOT NULL,
        currency TEXT NOT NULL,
        waitlist INTEGER NOT NULL DEFAULT 0,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        phone TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT '',
        page TEXT NOT NULL DEFAULT '',
        campaign TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'received',
        first_answer_at {real},
        confirmed_at {real}
    );
    CREATE INDEX booking_requests_trip ON booking_requests (trip, departure);
    CREATE TABLE booking_events (
        id {serial},
        request_id INTEGER NOT NULL REFERENCES booking_requests (id) ON DELETE CASCADE,
        at {real} NOT NULL,
        status TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        actor TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX booking_events_request ON booking_events (request_id, at);
    CREATE TABLE booking_links (
        token_hash TEXT PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES booking_requests (id) ON DELETE CASCADE,
        created_at {real} NOT NULL
    );
    CREATE INDEX booking_links_request ON booking_links (request_id);
    ALTER TABLE outbox ADD COLUMN request_id INTEGER REFERENCES booking_requests (id)
        ON DELETE CASCADE;
    ALTER TABLE outbox ADD COLUMN attachment_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE outbox ADD COLUMN attachment TEXT NOT NULL DEFAULT '';
    """,
)

_ENGINE_TYPES = {
    "sqlite": {"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "real": "REAL"},
    "postgresql": {"serial": "BIGSERIAL PRIMARY KEY", "real": "DOUBLE PRECISION"},
}

MESSAGE_FIELDS = ("id", "created_at", "lang", "topic", "name", "email", "message", "page",
                  "helpful", "status", "answered_at", "answer_note", "publish_consent",
                  "testimonial_text", "testimonial_name", "booking_id")


@dataclass
class Mail:
    kind: str  # "thanks" or "staff"
    recipient: str
    subject: str
    body: str
    reply_to: str = ""
    list_unsubscribe: str = ""  # one-click unsubscribe URL (RFC 8058) of invitations
    attachment_name: str = ""  # a file sent with the mail: a confirmation's calendar (.ics)
    attachment: str = ""


@dataclass
class OutboxItem:
    id: int
    message_id: int | None
    kind: str
    recipient: str
    subject: str
    body: str
    reply_to: str
    attempts: int
    list_unsubscribe: str = ""
    refusals: int = 0
    attachment_name: str = ""
    attachment: str = ""


Write = Callable[[Any, float], Any]  # one write of a group commit: (connection, time) → id


def token_hash(token: str) -> str:
    """Secrets (session ids, unsubscribe tokens) are kept only as this hash."""
    return hashlib.sha256(token.encode()).hexdigest()


class WriteLock:
    """One writer at a time: among this process's threads (a thread lock) and, for SQLite,
    among the processes that share the database file (``flock`` on a file beside it).

    SQLite admits one writer too, but a writer that finds the database locked polls it with
    growing sleeps (1, 2, 5, 10 … 100 ms), and the web process's committer, which takes the
    lock again as soon as it has committed, always won: under a steady stream of requests the
    mailer could not write for 30 s, and then failed ("database is locked"). ``flock`` queues
    the waiting writer in the kernel and wakes it as soon as the lock is free."""

    def __init__(self, path: str):
        self._thread = threading.Lock()
        self._path = path
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._thread.acquire()
        try:
            if self._path:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread.release()


class Store(BookingQueries):
    """A database connection factory plus every query the service makes (those about
    booking requests in :class:`.booking_store.BookingQueries`)."""

    engine = "sqlite"

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()
        self._write_lock = WriteLock(self.url.removeprefix("sqlite:///") + ".lock"
                                     if self.engine == "sqlite" else "")

    # -- connections -------------------------------------------------------------------
    def _connect(self) -> Any:
        path = self.url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # a commit is on disk before we answer
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left over
        conn.execute("PRAGMA busy_timeout=30000")
        # Checkpoints run in the background (see checkpoint()), not inside a visitor's commit.
        conn.execute("PRAGMA wal_autocheckpoint=0")
        return conn

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _sql(self, sql: str) -> str:
        return sql

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A write transaction; SQLite allows one writer, so writers queue here, not on
        SQLite's busy timeout."""
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(self._sql(sql), tuple(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._conn().execute(self._sql(sql), tuple(params)).fetchall())

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file without blocking writers; the
        service calls it every second from its own thread."""
        self._conn().execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _lock_migrations(self, conn: Any) -> None:
        """SQLite's write transaction already admits one migrator."""

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- schema ------------------------------------------------------------------------
    def migrate(self) -> int:
        """Apply the migrations not applied yet; returns the schema version."""
        with self.transaction() as conn:
            self._lock_migrations(conn)
            self.execute(conn, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            rows = self.execute(conn, "SELECT version FROM schema_version").fetchall()
            version = rows[0][0] if rows else 0
            if not rows:
                self.execute(conn, "INSERT INTO schema_version (version) VALUES (0)")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.format(**_ENGINE_TYPES[self.engine]).split(";"):
                    if statement.strip():
                        self.execute(conn, statement)
                self.execute(conn, "UPDATE schema_version SET version = ?", (number,))
                version = number
        return version

    # -- messages ----------------------------------------------------------------------
    def add_message(self, values: dict[str, Any], mails: Sequence[Mail]) -> int:
        """Store a message and its mails atomically; returns the message id."""
        return self.add_messages([(values, mails)])[0]

    def add_messages(self, batch: Sequence[tuple[dict[str, Any], Sequence[Mail]]]) -> list[int]:
        """Store several messages with their mails in one transaction (one disk flush)."""
        return self.write_batch([partial(self.write_message, values, mails)
                                 for values, mails in batch])

    def write_batch(self, writes: Sequence[Write]) -> list[Any]:
        """Several writes (messages, booking requests) in one transaction: one flush to disk
        for all of them (:mod:`.committer`); each returns what its writer returns."""
        at = now()
        with self.transaction() as conn:
            return [write(conn, at) for write in writes]

    def write_message(self, values: dict[str, Any], mails: Sequence[Mail], conn: Any,
                      at: float) -> int:
        """A message and its mails, inside a transaction. A message answering an invitation
        that was answered before replaces that answer (same id, back to 'new', any
        testimonial taken from it withdrawn) and its unsent mails."""
        message_id = int(self.execute(
            conn,
            "INSERT INTO messages (created_at, lang, topic, name, email, message, page, "
            "helpful, publish_consent, booking_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (booking_id) WHERE booking_id <> '' DO UPDATE SET "
            "lang = excluded.lang, topic = excluded.topic, name = excluded.name, "
            "email = excluded.email, message = excluded.message, page = excluded.page, "
            "helpful = excluded.helpful, publish_consent = excluded.publish_consent, "
            "status = 'new', answered_at = NULL, answer_note = '', "
            "testimonial_text = NULL, testimonial_name = NULL RETURNING id",
            (at, values["lang"], values["topic"], values.get("name", ""),
             values.get("email", ""), values.get("message", ""), values.get("page", ""),
             values.get("helpful"), 1 if values.get("publish") else 0,
             values.get("booking_id", ""))).fetchone()[0])
        if values.get("booking_id"):
            self.execute(conn, "DELETE FROM outbox WHERE message_id = ? AND sent_at IS NULL",
                         (message_id,))
        for mail in mails:
            self.insert_mail(conn, mail, at, message_id=message_id)
        return message_id

    def insert_mail(self, conn: Any, mail: Mail, at: float, message_id: int | None = None,
                    request_id: int | None = None) -> None:
        """Queue one mail in the outbox, inside the caller's transaction."""
        self.execute(conn, "INSERT INTO outbox (message_id, request_id, kind, recipient, "
                     "subject, body, reply_to, next_attempt_at, list_unsubscribe, "
                     "attachment_name, attachment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (message_id, request_id, mail.kind, mail.recipient, mail.subject,
                      mail.body, mail.reply_to, at, mail.list_unsubscribe,
                      mail.attachment_name, mail.attachment))

    def add_spam(self, reason: str, payload: str) -> None:
        with self.transaction() as conn:
            self.execute(conn, "INSERT INTO spam (created_at, reason, payload) VALUES (?, ?, ?)",
                         (now(), reason, payload[:20000]))

    def messages(self, *, status: str = "", topic: str = "", lang: str = "", text: str = "",
                 limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
        where, params = ["1=1"], []
        for column, value in (("status", status), ("topic", topic), ("lang", lang)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if text:
            where.append("(LOWER(message) LIKE ? OR LOWER(name) LIKE ? OR LOWER(email) LIKE ?)")
            params += [f"%{text.lower()}%"] * 3
        rows = self.query(f"SELECT {', '.join(MESSAGE_FIELDS)} FROM messages WHERE "
                          f"{' AND '.join(where)} ORDER BY created_at DESC, id DESC "
                          f"LIMIT ? OFFSET ?", [*params, limit, offset])
        return [dict(zip(MESSAGE_FIELDS, row, strict=True)) for row in rows]

    def message(self, message_id: int) -> dict[str, Any] | None:
        rows = self.query(f"SELECT {', '.join(MESSAGE_FIELDS)} FROM messages WHERE id = ?",
                          (message_id,))
        return dict(zip(MESSAGE_FIELDS, rows[0], strict=True)) if rows else None

    def mark_answered(self, message_id: int, note: str = "") -> bool:
        with self.transaction() as conn:
            cursor = self.execute(conn, "UPDATE messages SET status = 'answered', answered_at = "
                                  "?, answer_note = ? WHERE id = ? AND status <> 'answered'",
                                  (now(), note, message_id))
            return cursor.rowcount == 1

    def set_testimonial(self, message_id: int, text: str | None, name: str | None) -> bool:
        """Publish (or, with ``None``, withdraw) a message as a testimonial; only a message whose
        sender ticked the publishing consent can become one."""
        with self.transaction() as conn:
            cursor = self.execute(conn, "UPDATE messages SET testimonial_text = ?, "
                                  "testimonial_name = ? WHERE id = ? AND publish_consent = 1",
                                  (text, name, message_id))
            return cursor.rowcount == 1

    def withdraw_consent(self, email: str) -> int:
        """The sender takes back the permission to publish: no testimonial from them remains."""
        with self.transaction() as conn:
            return int(self.execute(conn, "UPDATE messages SET publish_consent = 0, "
                                    "testimonial_text = NULL, testimonial_name = NULL WHERE "
                                    "LOWER(email) = ?", (email.strip().lower(),)).rowcount)

    def testimonials(self) -> list[dict[str, Any]]:
        rows = self.query("SELECT id, created_at, lang, testimonial_text, testimonial_name FROM "
                          "messages WHERE publish_consent = 1 AND testimonial_text IS NOT NULL "
                          "AND testimonial_text <> '' ORDER BY created_at DESC, id DESC")
        return [dict(zip(("id", "created_at", "lang", "text", "name"), r, strict=True))
                for r in rows]

    # -- invitations -------------------------------------------------------------------
    def invitation(self, booking_id: str) -> dict[str, Any] | None:
        fields = ("booking_id", "email", "status", "reason", "decided_at", "reminders")
        rows = self.query(f"SELECT {', '.join(fields)} FROM invitations WHERE booking_id = ?",
                          (booking_id,))
        return dict(zip(fields, rows[0], strict=True)) if rows else None

    def has_feedback_for(self, booking_id: str) -> bool:
        return bool(self.query("SELECT 1 FROM messages WHERE booking_id = ?", (booking_id,)))

    def last_invited(self, email: str) -> float | None:
        keys = addresses.hashes(email)
        rows = self.query("SELECT MAX(decided_at) FROM invitations WHERE status = 'sent' AND "
                          f"email IN ({', '.join('?' * len(keys))})", keys)
        return float(rows[0][0]) if rows and rows[0][0] is not None else None

    def is_unsubscribed(self, email: str) -> bool:
        keys = addresses.hashes(email)
        return bool(self.query(f"SELECT 1 FROM unsubscribes WHERE email IN "
                               f"({', '.join('?' * len(keys))})", keys))

    def unsubscribe(self, key: str) -> None:
        """Record the opt-out of the address whose hash (:func:`.addresses.hashed`) is
        ``key``, for good."""
        with self.transaction() as conn:
            self._opt_out(conn, key)

    def _opt_out(self, conn: Any, key: str) -> None:
        if not self.execute(conn, "SELECT 1 FROM unsubscribes WHERE email = ?",
                            (key,)).fetchall():
            self.execute(conn, "INSERT INTO unsubscribes (email, unsubscribed_at) VALUES (?, ?)",
                         (key, now()))

    def unsubscribe_link(self, token: str, max_age_days: int) -> tuple[str, str] | None:
        """(address hash, language) of an unsubscribe token that is ours and not too old."""
        rows = self.query("SELECT email, lang FROM unsubscribe_links WHERE token_hash = ? AND "
                          "created_at >= ?", (token_hash(token), now() - max_age_days * 86400))
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    def record_invitation(self, row: dict[str, str], status: str, reason: str,
                          mail: Mail | None, reminder: bool = False,
                          unsubscribe_token: str = "") -> None:
        """Record a decision about a booking, with its mail in the outbox and the hash of the
        mail's unsubscribe token, atomically."""
        at = now()
        key = addresses.hashed(row["email"])
        with self.transaction() as conn:
            if reminder:
                self.execute(conn, "UPDATE invitations SET reminders = reminders + 1, "
                             "decided_at = ?, reason = ? WHERE booking_id = ?",
                             (at, reason, row["booking_id"]))
            else:
                self.execute(conn, "INSERT INTO invitations (booking_id, email, lang, trip, "
                             "end_date, status, reason, decided_at) VALUES (?, ?, ?, ?, ?, ?, "
                             "?, ?)", (row["booking_id"], key, row["lang"],
                                       row["trip"], row["end_date"], status, reason, at))
            if unsubscribe_token:
                self.execute(conn, "INSERT INTO unsubscribe_links (token_hash, email, lang, "
                             "created_at) VALUES (?, ?, ?, ?)",
                             (token_hash(unsubscribe_token), key, row["lang"], at))
            if mail is not None:
                self.insert_mail(conn, mail, at)

    def count(self, table: str) -> int:
        assert re.fullmatch(r"[a-z_]+", table)
        return int(self.query(f"SELECT COUNT(*) FROM {table}")[0][0])

    def ping(self) -> None:
        """Raises when the database cannot be read (the health check)."""
        self.query("SELECT 1")

    def answered_times(self) -> list[tuple[str, float, float]]:
        """(topic, created_at, answered_at) of every answered message."""
        return [(r[0], float(r[1]), float(r[2])) for r in self.query(
            "SELECT topic, created_at, answered_at FROM messages WHERE answered_at IS NOT NULL")]

    # -- outbox ------------------------------------------------------------------------
    _PENDING = "sent_at IS NULL AND failed_at IS NULL"

    def claim_due_mail(self, limit: int = 20, lease: float = 60.0) -> list[OutboxItem]:
        """Due mails, leased to this worker so that another instance does not send them too."""
        at = now()
        with self.transaction() as conn:
            rows = self.execute(
                conn, "SELECT id, message_id, kind, recipient, subject, body, reply_to, "
                f"attempts, list_unsubscribe, refusals, attachment_name, attachment FROM outbox "
                f"WHERE {self._PENDING} AND "
                "next_attempt_at <= ? AND claimed_until <= ? ORDER BY next_attempt_at LIMIT ?"
                + self._lock_clause(),
                (at, at, limit)).fetchall()
            for row in rows:
                self.execute(conn, "UPDATE outbox SET claimed_until = ? WHERE id = ?",
                             (at + lease, row[0]))
        return [OutboxItem(*row) for row in rows]

    def _lock_clause(self) -> str:
        return ""

    def _row_lock(self) -> str:
        """What makes a SELECT lock the rows it reads until the transaction ends; SQLite's
        write transaction already excludes every other writer."""
        return ""

    def release_claims(self) -> None:
        """At start-up: a SQLite database serves one instance, so leases left by a killed
        process are stale and its mails can go out now rather than when the lease ends."""
        with self.transaction() as conn:
            self.execute(conn, "UPDATE outbox SET claimed_until = 0 WHERE sent_at IS NULL")

    def mail_results(self, sent: Sequence[int],
                     again: Sequence[tuple[int, int, int, str, float]] = (),
                     failed: Sequence[tuple[int, int, int, str]] = ()) -> None:
        """Record a batch's outcome in one transaction: sent ids, (id, attempts, refusals,
        error, retry at) of mails to try again, (id, attempts, refusals, error) of mails
        that failed for good."""
        at = now()
        with self.transaction() as conn:
            for item_id in sent:
                self.execute(conn, "UPDATE outbox SET sent_at = ?, claimed_until = 0, "
                             "last_error = '' WHERE id = ?", (at, item_id))
            for item_id, attempts, refusals, error, retry_at in again:
                self.execute(conn, "UPDATE outbox SET attempts = ?, refusals = ?, last_error = "
                             "?, next_attempt_at = ?, claimed_until = 0 WHERE id = ?",
                             (attempts, refusals, error[:500], retry_at, item_id))
            for item_id, attempts, refusals, error in failed:
                self.execute(conn, "UPDATE outbox SET attempts = ?, refusals = ?, last_error = "
                             "?, failed_at = ?, claimed_until = 0 WHERE id = ?",
                             (attempts, refusals, error[:500], at, item_id))

    def retry_mail(self, item_id: int | None = None) -> int:
        """Put a failed mail (or, with None, every failed mail) back in the queue, with its
        tries counted from zero; returns how many."""
        where, params = ("id = ? AND ", (item_id,)) if item_id is not None else ("", ())
        with self.transaction() as conn:
            return int(self.execute(
                conn, "UPDATE outbox SET failed_at = NULL, refusals = 0, attempts = 0, "
                f"next_attempt_at = ?, claimed_until = 0 WHERE {where}failed_at IS NOT NULL",
                (now(), *params)).rowcount)

    def next_mail_due(self) -> float | None:
        rows = self.query(f"SELECT MIN(next_attempt_at) FROM outbox WHERE {self._PENDING}")
        return float(rows[0][0]) if rows and rows[0][0] is not None else None

    OUTBOX_FIELDS = ("id", "message_id", "request_id", "kind", "recipient", "reply_to",
                     "subject", "attempts",
                     "refusals", "sent_at", "failed_at", "last_error")

    def outbox(self, failed_only: bool = False) -> list[dict[str, Any]]:
        where = "WHERE failed_at IS NOT NULL " if failed_only else ""
        rows = self.query(f"SELECT {', '.join(self.OUTBOX_FIELDS)} FROM outbox {where}"
                          "ORDER BY id")
        return [dict(zip(self.OUTBOX_FIELDS, row, strict=True)) for row in rows]

    # -- staff sessions ----------------------------------------------------------------
    def add_session(self, session_id: str, username: str, max_age: float) -> None:
        """Start a session, and forget every session older than ``max_age``."""
        with self.transaction() as conn:
            self.execute(conn, "DELETE FROM sessions WHERE created_at < ?", (now() - max_age,))
            self.execute(conn, "INSERT INTO sessions (id_hash, username, created_at) VALUES "
                         "(?, ?, ?)", (token_hash(session_id), username, now()))

    def session(self, session_id: str, max_age: float) -> str | None:
        """The user of a session that was started less than ``max_age`` seconds ago and not
        ended."""
        rows = self.query("SELECT username FROM sessions WHERE id_hash = ? AND created_at >= ?",
                          (token_hash(session_id), now() - max_age))
        return str(rows[0][0]) if rows else None

    def end_session(self, session_id: str) -> None:
        with self.transaction() as conn:
            self.execute(conn, "DELETE FROM sessions WHERE id_hash = ?",
                         (token_hash(session_id),))

    # -- scans -------------------------------------------------------------------------
    def add_scan(self, code: str) -> None:
        with self.transaction() as conn:
            self.execute(conn, "INSERT INTO scans (code, scanned_at) VALUES (?, ?)",
                         (code, now()))

    def scans(self) -> list[tuple[str, float]]:
        return [(r[0], float(r[1])) for r in
                self.query("SELECT code, scanned_at FROM scans ORDER BY scanned_at")]

    # -- privacy -----------------------------------------------------------------------
    def purge(self, older_than_days: int) -> int:
        """Delete messages (with their mails), spam, unsubscribe links and booking requests
        older than the retention period; deleted rows are overwritten and the write-ahead log
        emptied. A booking request is kept until both its last change and its trip are that
        old."""
        at = now()
        cutoff = at - older_than_days * 86400
        with self.transaction() as conn:
            removed = self.execute(conn, "DELETE FROM messages WHERE created_at < ?",
                                   (cutoff,)).rowcount
            self.execute(conn, "DELETE FROM outbox WHERE message_id IS NULL AND request_id IS "
                         "NULL AND next_attempt_at < ? AND sent_at IS NOT NULL", (cutoff,))
            self.execute(conn, "DELETE FROM spam WHERE created_at < ?", (cutoff,))
            self.execute(conn, "DELETE FROM unsubscribe_links WHERE created_at < ?", (cutoff,))
            removed += self.purge_requests(conn, older_than_days, at)
        if removed:
            self.scrub(rewrite=False)
        return int(removed)

    def _traces(self, conn: Any, email: str) -> dict[str, list[dict[str, Any]]]:
        """Every row about ``email``, table by table, compared by :func:`.addresses.key`
        (Unicode case folding, IDNA) in Python, since SQLite's LOWER folds only ASCII."""
        key, hashes = addresses.key(email), addresses.hashes(email)

        def rows(sql: str, fields: Sequence[str], params: Sequence[Any] = ()
                 ) -> list[dict[str, Any]]:
            return [dict(zip(fields, r, strict=True))
                    for r in self.execute(conn, sql, params).fetchall()]

        def same(address: str) -> bool:
            return bool(address) and addresses.key(address) == key

        messages = [m for m in rows(f"SELECT {', '.join(MESSAGE_FIELDS)} FROM messages WHERE "
                                    "email <> '' ORDER BY id", MESSAGE_FIELDS)
                    if same(m["email"])]
        ids = {m["id"] for m in messages}
        requests = [r for r in rows(f"SELECT {', '.join(REQUEST_FIELDS)} FROM "
                                    "booking_requests ORDER BY id", REQUEST_FIELDS)
                    if same(r["email"])]
        for request in requests:
            request["events"] = rows("SELECT at, status, note, actor FROM booking_events "
                                     "WHERE request_id = ? ORDER BY at, id",
                                     ("at", "status", "note", "actor"), (request["id"],))
        request_ids = {r["id"] for r in requests}
        fields = (*self.OUTBOX_FIELDS, "body", "attachment_name", "attachment")
        mails = [m for m in rows(f"SELECT {', '.join(fields)} FROM outbox ORDER BY id", fields)
                 if m["message_id"] in ids or m["request_id"] in request_ids
                 or same(m["recipient"]) or same(m["reply_to"])]
        spam = [s for s in rows("SELECT id, created_at, reason, payload FROM spam ORDER BY id",
                                ("id", "created_at", "reason", "payload"))
                if _mentions(s["payload"], key)]
        marks = ", ".join("?" * len(hashes))
        invitations = rows(f"SELECT id, booking_id, lang, trip, end_date, status, reason, "
                           f"decided_at, reminders FROM invitations WHERE email IN ({marks}) "
                           "ORDER BY id", ("id", "booking_id", "lang", "trip", "end_date",
                                           "status", "reason", "decided_at", "reminders"),
                           hashes)
        links = rows(f"SELECT token_hash, lang, created_at FROM unsubscribe_links WHERE email "
                     f"IN ({marks})", ("token_hash", "lang", "created_at"), hashes)
        opt_outs = rows(f"SELECT email, unsubscribed_at FROM unsubscribes WHERE email IN "
                        f"({marks})", ("email", "unsubscribed_at"), hashes)
        return {"messages": messages, "booking_requests": requests, "mails": mails,
                "spam": spam, "invitations": invitations, "unsubscribe_links": links,
                "opt_out": opt_outs}

    def about_email(self, email: str) -> dict[str, Any]:
        """Everything stored about an address (for a data-subject access request): exactly
        what :meth:`erase_email` erases, and the opt-out it keeps."""
        traces = self._traces(self._conn(), email)
        for link in traces["unsubscribe_links"]:
            del link["token_hash"]  # a secret's hash: the date says all the person needs
        return {"email": email.strip(), **traces}

    def erase_email(self, email: str) -> dict[str, int]:
        """Erase every message and booking request from ``email`` (with the request's
        timeline), every mail to or about it, its spam, its invitations and unsubscribe
        links, then rewrite the database files so that no copy
        is left in free pages or the write-ahead log. The opt-out (a hash) is kept, and made
        if there was none: someone who asked to be erased gets no invitation again.
        Returns how many rows went, per table."""
        with self.transaction() as conn:
            traces = self._traces(conn, email)
            for request in traces["booking_requests"]:
                self.delete_request(conn, request["id"])
            for table, column, rows in (
                    ("outbox", "id", traces["mails"]), ("messages", "id", traces["messages"]),
                    ("spam", "id", traces["spam"]), ("invitations", "id", traces["invitations"]),
                    ("unsubscribe_links", "token_hash", traces["unsubscribe_links"])):
                for row in rows:
                    self.execute(conn, f"DELETE FROM {table} WHERE {column} = ?", (row[column],))
            self._opt_out(conn, addresses.hashed(email))
        self.scrub(rewrite=True)
        return {table: len(rows) for table, rows in traces.items() if table != "opt_out"}

    def scrub(self, rewrite: bool) -> None:
        """Leave no copy of deleted rows in the files: deleted cells are already overwritten
        (``secure_delete``); the write-ahead log, which holds earlier versions of the pages,
        is copied back and truncated to nothing; with ``rewrite``, VACUUM rebuilds the file
        without free pages (rows deleted before ``secure_delete`` was on)."""
        conn = self._conn()
        with self._write_lock:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if rewrite:
                conn.execute("VACUUM")
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if busy:
                    raise RuntimeError("another connection kept the write-ahead log busy; "
                                       "run the command again")


def _mentions(payload: str, key: str) -> bool:
    """A spam post (kept as JSON of the form) from or naming the address in any field."""
    try:
        data = json.loads(payload)
    except ValueError:
        return key in payload.casefold()
    values = data.values() if isinstance(data, dict) else []
    return any(isinstance(v, str) and "@" in v and addresses.key(v) == key for v in values)


class PostgresStore(Store):
    """The same queries on PostgreSQL, for sites that run several service instances."""

    engine = "postgresql"

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        conn = self._conn()
        with conn.transaction():
            yield conn

    def _lock_clause(self) -> str:
        return " FOR UPDATE SKIP LOCKED"

    def _row_lock(self) -> str:
        return " FOR UPDATE"

    def release_claims(self) -> None:
        """Other instances may be sending right now: their leases expire by themselves."""

    def checkpoint(self) -> None:
        """PostgreSQL checkpoints by itself."""

    def _lock_migrations(self, conn: Any) -> None:
        """One migrator at a time when several instances start together."""
        conn.execute("SELECT pg_advisory_xact_lock(7272)")

    SCRUBBED = ("messages", "outbox", "spam", "invitations", "unsubscribe_links",
                "booking_requests", "booking_events", "booking_links")

    def scrub(self, rewrite: bool) -> None:
        """VACUUM FULL writes the tables (and their TOAST data and indexes) into new files
        and drops the old ones, which still held the deleted rows. PostgreSQL's own
        write-ahead log keeps them until it is recycled; see the README."""
        if rewrite:
            for table in self.SCRUBBED:
                self._conn().execute(f"VACUUM FULL {table}")


def open_store(url: str, migrate: bool = True) -> Store:
    """``sqlite:///path/to/file.db`` or ``postgresql://user@host/db``; ``migrate=False`` for
    a helper process of a service that has migrated it already (the mailer)."""
    if url.startswith("sqlite:///"):
        store: Store = Store(url)
    elif url.startswith(("postgresql://", "postgres://")):
        store = PostgresStore(url)
    else:
        raise ValueError(f"database URL {url!r} is neither sqlite:///… nor postgresql://…")
    if migrate:
        store.migrate()
    return store
