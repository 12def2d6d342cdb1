"""The store's queries about booking requests: writing one with its reference and mails,
moving it through its states, finding it by its status link, listing, figures, retention.

A mix-in of :class:`.store.Store`, so that one connection, one transaction and one group
commit serve feedback and bookings alike; the same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

REQUEST_FIELDS = ("id", "reference", "created_at", "updated_at", "lang", "trip", "trip_title",
                  "trip_url", "departure", "ends_on", "adults", "children", "price", "currency",
                  "waitlist", "name", "email", "phone", "message", "page", "campaign", "status",
                  "first_answer_at", "confirmed_at")
EVENT_FIELDS = ("at", "status", "note", "actor")
_COLUMNS = ", ".join(REQUEST_FIELDS)
_NEW = ("lang", "trip", "trip_title", "trip_url", "departure", "ends_on", "adults", "children",
        "price", "currency", "waitlist", "name", "email", "phone", "message", "page",
        "campaign")

# The mails (:class:`.store.Mail`) a request causes, written once it has its reference.
Compose = Callable[[dict[str, Any]], Sequence[Any]]


def kept_since(retention_days: int, at: float) -> tuple[float, str]:
    """(time, day) before which a request is past its retention: it last changed before the
    time, and its trip ended before the day. A request is kept while either is later."""
    cutoff = at - retention_days * 86400
    return cutoff, dt.datetime.fromtimestamp(cutoff, dt.UTC).date().isoformat()


_KEPT = "(updated_at >= ? OR ends_on >= ?)"
_TABLES = (("outbox", "request_id"), ("booking_links", "request_id"),
           ("booking_events", "request_id"), ("booking_requests", "id"))


class BookingQueries:
    """Mixed into :class:`.store.Store`, whose connection and helpers it uses."""

    execute: Callable[..., Any]
    query: Callable[..., list[tuple[Any, ...]]]
    transaction: Callable[[], Any]
    insert_mail: Callable[..., None]
    _row_lock: Callable[[], str]

    def write_request(self, values: dict[str, Any], link_hash: str, prefix: str, year: int,
                      compose: Compose, conn: Any, at: float) -> tuple[int, str]:
        """A new request inside a transaction: its reference (the year's next number), its
        first event, the hash of its status link and the mails ``compose`` writes once the
        reference is known. Returns (id, reference)."""
        number = int(self.execute(
            conn, "INSERT INTO booking_numbers (year, counter) VALUES (?, 1) ON CONFLICT (year) "
            "DO UPDATE SET counter = booking_numbers.counter + 1 RETURNING counter",
            (year,)).fetchone()[0])
        reference = f"{prefix}-{year}-{number:05d}"
        request_id = int(self.execute(
            conn, f"INSERT INTO booking_requests (reference, created_at, updated_at, "
            f"{', '.join(_NEW)}) VALUES (?, ?, ?, {', '.join('?' * len(_NEW))}) RETURNING id",
            (reference, at, at, *(values[k] for k in _NEW))).fetchone()[0])
        self.execute(conn, "INSERT INTO booking_events (request_id, at, status, actor) VALUES "
                     "(?, ?, 'received', 'customer')", (request_id, at))
        self._add_link(conn, request_id, link_hash, at)
        request = {**values, "id": request_id, "reference": reference, "created_at": at,
                   "status": "received"}
        for mail in compose(request):
            self.insert_mail(conn, mail, at, request_id=request_id)
        return request_id, reference

    def _request_rows(self, where: str, params: Sequence[Any], conn: Any = None,
                      suffix: str = "ORDER BY created_at DESC, id DESC") -> list[dict[str, Any]]:
        sql = f"SELECT {_COLUMNS} FROM booking_requests WHERE {where} {suffix}"
        rows = (self.execute(conn, sql, params).fetchall() if conn is not None
                else self.query(sql, params))
        return [dict(zip(REQUEST_FIELDS, row, strict=True)) for row in rows]

    def request(self, request_id: int) -> dict[str, Any] | None:
        """A request with its timeline (``events``, oldest first)."""
        found = self._request_rows("id = ?", (request_id,))
        if not found:
            return None
        events = self.query("SELECT at, status, note, actor FROM booking_events WHERE "
                            "request_id = ? ORDER BY at, id", (request_id,))
        return {**found[0], "events": [dict(zip(EVENT_FIELDS, e, strict=True))
                                       for e in events]}

    def _add_link(self, conn: Any, request_id: int, link_hash: str, at: float) -> None:
        self.execute(conn, "INSERT INTO booking_links (token_hash, request_id, created_at) "
                     "VALUES (?, ?, ?)", (link_hash, request_id, at))

    def request_by_link(self, link_hash: str, retention_days: int, at: float
                        ) -> dict[str, Any] | None:
        """The request whose status link has this hash, when the link is younger than the
        retention period (and the request is still kept)."""
        rows = self.query("SELECT request_id FROM booking_links WHERE token_hash = ? AND "
                          "created_at >= ?", (link_hash, kept_since(retention_days, at)[0]))
        return self.request(int(rows[0][0])) if rows else None

    def requests(self, *, status: str = "", trip: str = "", departs_from: str = "",
                 departs_until: str = "", text: str = "", limit: int = 500
                 ) -> list[dict[str, Any]]:
        """The staff's queue, newest first, filtered by status, trip, departure dates and a
        text in the name, address, reference or message."""
        where, params = ["1=1"], []
        for clause, value in (("status = ?", status), ("trip = ?", trip),
                              ("departure >= ?", departs_from),
                              ("departure <= ?", departs_until)):
            if value:
                where.append(clause)
                params.append(value)
        if text:
            where.append("(LOWER(name) LIKE ? OR LOWER(email) LIKE ? OR LOWER(reference) LIKE ? "
                         "OR LOWER(message) LIKE ?)")
            params += [f"%{text.lower()}%"] * 4
        return self._request_rows(" AND ".join(where), params,
                                  suffix=f"ORDER BY created_at DESC, id DESC LIMIT {int(limit)}")

    def move_request(self, request_id: int, status: str, note: str, actor: str,
                     allowed: Callable[[str, str], bool], answers: frozenset[str],
                     compose: Compose, link_hash: str = "") -> dict[str, Any] | None:
        """Move a request to ``status`` with a note, and queue the mails ``compose`` writes
        for the request as it now is (with the hash of the new status link they carry),
        atomically; None when the request does not exist or ``allowed(old, new)`` refuses
        the move (two staff members clicking at once: the second finds the first one's
        status). A move in ``answers`` is the first answer."""
        at = now()
        with self.transaction() as conn:
            found = self._request_rows("id = ?", (request_id,), conn, suffix=self._row_lock())
            if not found or not allowed(found[0]["status"], status):
                return None
            request = found[0]
            first = request["first_answer_at"] or (at if status in answers else None)
            confirmed = at if status == "confirmed" else request["confirmed_at"]
            self.execute(conn, "UPDATE booking_requests SET status = ?, updated_at = ?, "
                         "first_answer_at = ?, confirmed_at = ? WHERE id = ?",
                         (status, at, first, confirmed, request_id))
            self.execute(conn, "INSERT INTO booking_events (request_id, at, status, note, "
                         "actor) VALUES (?, ?, ?, ?, ?)", (request_id, at, status, note, actor))
            request.update(status=status, updated_at=at, first_answer_at=first,
                           confirmed_at=confirmed)
            for mail in compose(request):
                self.insert_mail(conn, mail, at, request_id=request_id)
            if link_hash:
                self._add_link(conn, request_id, link_hash, at)
        return request

    def request_times(self) -> list[tuple[str, float, float | None, float | None]]:
        """(trip, requested at, first answered at, confirmed at) of every request."""
        return [(str(r[0]), float(r[1]), r[2], r[3]) for r in self.query(
            "SELECT trip, created_at, first_answer_at, confirmed_at FROM booking_requests")]

    def request_sources(self) -> list[tuple[str, str, float]]:
        """(trip, campaign, requested at) of every request."""
        return [(str(r[0]), str(r[1]), float(r[2])) for r in self.query(
            "SELECT trip, campaign, created_at FROM booking_requests ORDER BY created_at")]

    def purge_requests(self, conn: Any, retention_days: int, at: float) -> int:
        """Delete requests past their retention (their timeline and mails go with them)."""
        cutoff, day = kept_since(retention_days, at)
        gone = [r[0] for r in self.execute(conn, "SELECT id FROM booking_requests WHERE NOT "
                                           f"{_KEPT}", (cutoff, day)).fetchall()]
        for request_id in gone:
            self.delete_request(conn, request_id)
        return len(gone)

    def delete_request(self, conn: Any, request_id: int) -> None:
        """A request, its timeline, links and mails (not left to the cascade, which SQLite
        honours only with foreign keys on)."""
        for table, column in _TABLES:
            self.execute(conn, f"DELETE FROM {table} WHERE {column} = ?", (request_id,))


def now() -> float:
    return dt.datetime.now(dt.UTC).timestamp()
