"""Durable storage of messages, the mail outbox and QR scans, on SQLite or PostgreSQL.

One schema and one set of queries serve both engines (``?`` placeholders are rewritten for
psycopg). A message and the mails it causes are written in one transaction, committed (on
SQLite with WAL and ``synchronous=FULL``, so the commit has reached the disk) before the
service says "thank you": a crash after that answer cannot lose the message or its mails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

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


def email_key(email: str) -> str:
    """Invitations and opt-outs keep a hash of the address, not the address: enough to cap
    and to honour an unsubscribe, and nothing to leak or to erase."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def now() -> float:
    return dt.datetime.now(dt.UTC).timestamp()


class Store:
    """A database connection factory plus every query the service makes."""

    engine = "sqlite"

    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()
        self._write_lock = threading.Lock()

    # -- connections -------------------------------------------------------------------
    def _connect(self) -> Any:
        path = self.url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # a commit is on disk before we answer
        conn.execute("PRAGMA foreign_keys=ON")
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

    def _insert_id(self, conn: Any, sql: str, params: Sequence[Any]) -> int:
        return int(self.execute(conn, sql, params).lastrowid)

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file without blocking writers; the
        service calls it every second from its own thread."""
        self._conn().execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- schema ------------------------------------------------------------------------
    def migrate(self) -> int:
        """Apply the migrations not applied yet; returns the schema version."""
        with self.transaction() as conn:
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
        at = now()
        ids = []
        with self.transaction() as conn:
            for values, mails in batch:
                message_id = self._insert_id(
                    conn,
                    "INSERT INTO messages (created_at, lang, topic, name, email, message, page, "
                    "helpful, publish_consent, booking_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (at, values["lang"], values["topic"], values.get("name", ""),
                     values.get("email", ""), values.get("message", ""), values.get("page", ""),
                     values.get("helpful"), 1 if values.get("publish") else 0,
                     values.get("booking_id", "")))
                for mail in mails:
                    self.execute(conn, "INSERT INTO outbox (message_id, kind, recipient, "
                                 "subject, body, reply_to, next_attempt_at) VALUES "
                                 "(?, ?, ?, ?, ?, ?, ?)",
                                 (message_id, mail.kind, mail.recipient, mail.subject, mail.body,
                                  mail.reply_to, at))
                ids.append(message_id)
        return ids

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
        rows = self.query("SELECT MAX(decided_at) FROM invitations WHERE email = ? AND "
                          "status = 'sent'", (email_key(email),))
        return float(rows[0][0]) if rows and rows[0][0] is not None else None

    def is_unsubscribed(self, email: str) -> bool:
        return bool(self.query("SELECT 1 FROM unsubscribes WHERE email = ?",
                               (email_key(email),)))

    def unsubscribe(self, email: str) -> None:
        with self.transaction() as conn:
            if not self.execute(conn, "SELECT 1 FROM unsubscribes WHERE email = ?",
                                (email_key(email),)).fetchall():
                self.execute(conn, "INSERT INTO unsubscribes (email, unsubscribed_at) VALUES "
                             "(?, ?)", (email_key(email), now()))

    def record_invitation(self, row: dict[str, str], status: str, reason: str,
                          mail: Mail | None, reminder: bool = False) -> None:
        """Record a decision about a booking, with its mail in the outbox, atomically."""
        at = now()
        with self.transaction() as conn:
            if reminder:
                self.execute(conn, "UPDATE invitations SET reminders = reminders + 1, "
                             "decided_at = ?, reason = ? WHERE booking_id = ?",
                             (at, reason, row["booking_id"]))
            else:
                self.execute(conn, "INSERT INTO invitations (booking_id, email, lang, trip, "
                             "end_date, status, reason, decided_at) VALUES (?, ?, ?, ?, ?, ?, "
                             "?, ?)", (row["booking_id"], email_key(row["email"]), row["lang"],
                                       row["trip"], row["end_date"], status, reason, at))
            if mail is not None:
                self.execute(conn, "INSERT INTO outbox (message_id, kind, recipient, subject, "
                             "body, reply_to, next_attempt_at, list_unsubscribe) VALUES "
                             "(NULL, ?, ?, ?, ?, ?, ?, ?)",
                             (mail.kind, mail.recipient, mail.subject, mail.body,
                              mail.reply_to, at, mail.list_unsubscribe))

    def count(self, table: str) -> int:
        assert re.fullmatch(r"[a-z_]+", table)
        return int(self.query(f"SELECT COUNT(*) FROM {table}")[0][0])

    def answered_times(self) -> list[tuple[str, float, float]]:
        """(topic, created_at, answered_at) of every answered message."""
        return [(r[0], float(r[1]), float(r[2])) for r in self.query(
            "SELECT topic, created_at, answered_at FROM messages WHERE answered_at IS NOT NULL")]

    # -- outbox ------------------------------------------------------------------------
    def claim_due_mail(self, limit: int = 20, lease: float = 60.0) -> list[OutboxItem]:
        """Due mails, leased to this worker so that another instance does not send them too."""
        at = now()
        with self.transaction() as conn:
            rows = self.execute(
                conn, "SELECT id, message_id, kind, recipient, subject, body, reply_to, "
                "attempts, list_unsubscribe FROM outbox WHERE sent_at IS NULL AND "
                "next_attempt_at <= ? AND claimed_until <= ? ORDER BY next_attempt_at LIMIT ?"
                + self._lock_clause(),
                (at, at, limit)).fetchall()
            for row in rows:
                self.execute(conn, "UPDATE outbox SET claimed_until = ? WHERE id = ?",
                             (at + lease, row[0]))
        return [OutboxItem(*row) for row in rows]

    def _lock_clause(self) -> str:
        return ""

    def release_claims(self) -> None:
        """At start-up: a SQLite database serves one instance, so leases left by a killed
        process are stale and its mails can go out now rather than when the lease ends."""
        with self.transaction() as conn:
            self.execute(conn, "UPDATE outbox SET claimed_until = 0 WHERE sent_at IS NULL")

    def mail_results(self, sent: Sequence[int],
                     failed: Sequence[tuple[int, int, str, float]]) -> None:
        """Record a batch's outcome in one transaction: sent ids, and (id, attempts, error,
        retry at) of the failures."""
        at = now()
        with self.transaction() as conn:
            for item_id in sent:
                self.execute(conn, "UPDATE outbox SET sent_at = ?, claimed_until = 0, "
                             "last_error = '' WHERE id = ?", (at, item_id))
            for item_id, attempts, error, retry_at in failed:
                self.execute(conn, "UPDATE outbox SET attempts = ?, last_error = ?, "
                             "next_attempt_at = ?, claimed_until = 0 WHERE id = ?",
                             (attempts, error[:500], retry_at, item_id))

    def mail_sent(self, item_id: int) -> None:
        self.mail_results([item_id], [])

    def mail_failed(self, item_id: int, attempts: int, error: str, retry_at: float) -> None:
        self.mail_results([], [(item_id, attempts, error, retry_at)])

    def next_mail_due(self) -> float | None:
        rows = self.query("SELECT MIN(next_attempt_at) FROM outbox WHERE sent_at IS NULL")
        return float(rows[0][0]) if rows and rows[0][0] is not None else None

    def outbox(self) -> list[dict[str, Any]]:
        fields = ("id", "message_id", "kind", "recipient", "subject", "attempts", "sent_at",
                  "last_error")
        rows = self.query(f"SELECT {', '.join(fields)} FROM outbox ORDER BY id")
        return [dict(zip(fields, row, strict=True)) for row in rows]

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
        """Delete messages (with their mails) and spam older than the retention period."""
        cutoff = now() - older_than_days * 86400
        with self.transaction() as conn:
            removed = self.execute(conn, "DELETE FROM messages WHERE created_at < ?",
                                   (cutoff,)).rowcount
            self.execute(conn, "DELETE FROM outbox WHERE message_id IS NULL AND "
                         "next_attempt_at < ? AND sent_at IS NOT NULL", (cutoff,))
            self.execute(conn, "DELETE FROM spam WHERE created_at < ?", (cutoff,))
        return int(removed)

    def about_email(self, email: str) -> dict[str, Any]:
        """Everything stored about an address (for a data-subject access request)."""
        email = email.strip().lower()
        messages = [m for m in self.messages(limit=1_000_000) if m["email"].lower() == email]
        mails = [dict(zip(("kind", "recipient", "subject", "body", "sent_at"), r, strict=True))
                 for r in self.query("SELECT kind, recipient, subject, body, sent_at FROM "
                                     "outbox WHERE LOWER(recipient) = ? OR LOWER(reply_to) = ?",
                                     (email, email))]
        return {"email": email, "messages": messages, "mails": mails}

    def erase_email(self, email: str) -> int:
        """Erase every message from ``email`` and every mail to or about it."""
        email = email.strip().lower()
        with self.transaction() as conn:
            ids = [r[0] for r in self.execute(conn, "SELECT id FROM messages WHERE "
                                              "LOWER(email) = ?", (email,)).fetchall()]
            for message_id in ids:
                self.execute(conn, "DELETE FROM outbox WHERE message_id = ?", (message_id,))
            self.execute(conn, "DELETE FROM outbox WHERE LOWER(recipient) = ? OR "
                         "LOWER(reply_to) = ?", (email, email))
            self.execute(conn, "DELETE FROM messages WHERE LOWER(email) = ?", (email,))
        return len(ids)


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

    def _insert_id(self, conn: Any, sql: str, params: Sequence[Any]) -> int:
        return int(self.execute(conn, sql + " RETURNING id", params).fetchone()[0])

    def _lock_clause(self) -> str:
        return " FOR UPDATE SKIP LOCKED"

    def release_claims(self) -> None:
        """Other instances may be sending right now: their leases expire by themselves."""

    def checkpoint(self) -> None:
        """PostgreSQL checkpoints by itself."""

    def migrate(self) -> int:
        conn = self._conn()
        with conn.transaction():  # one migrator at a time when several instances start
            conn.execute("SELECT pg_advisory_xact_lock(7272)")
        return super().migrate()


def open_store(url: str) -> Store:
    """``sqlite:///path/to/file.db`` or ``postgresql://user@host/db``."""
    if url.startswith("sqlite:///"):
        store: Store = Store(url)
    elif url.startswith(("postgresql://", "postgres://")):
        store = PostgresStore(url)
    else:
        raise ValueError(f"database URL {url!r} is neither sqlite:///… nor postgresql://…")
    store.migrate()
    return store
