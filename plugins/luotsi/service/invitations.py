"""Post-trip feedback invitations from a bookings CSV: one personal e-mail per customer, in
their language, some days after the trip, never too often, never after an unsubscribe.

Every decision (sent, or skipped and why) is recorded per booking, so running the command
again sends nothing twice; a trip that ended too recently is simply left for a later run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..forms import tokens
from .addresses import normalise
from .store import Mail, Store, now
from .validation import LINE_BREAKS

COLUMNS = ("booking_id", "name", "email", "lang", "trip", "end_date")


@dataclass
class Outcome:
    line: int
    booking_id: str
    action: str  # sent, reminder, skipped, waiting, invalid
    reason: str


def read_bookings(text: str, languages: tuple[str, ...]
                  ) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    """(line, row) of the good rows and (line, problem) of the bad ones."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [(1, f"missing column(s) {', '.join(missing)} — the header must name "
                        f"{', '.join(COLUMNS)}")]
    good, bad = [], []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        row = {k: (row.get(k) or "").strip() for k in COLUMNS}
        problems = []
        if not row["booking_id"]:
            problems.append("booking_id is empty")
        elif row["booking_id"] in seen:
            problems.append(f"booking {row['booking_id']!r} appears twice")
        address = normalise(row["email"])
        if address is None:
            problems.append(f"{row['email']!r} is not an e-mail address")
        else:
            row["email"] = address
        for column in ("name", "trip"):
            if LINE_BREAKS.search(row[column]):
                problems.append(f"{column} {row[column]!r} has a line break")
        if row["lang"] not in languages:
            problems.append(f"language {row['lang']!r} is not one of {', '.join(languages)}")
        try:
            dt.date.fromisoformat(row["end_date"])
        except ValueError:
            problems.append(f"end_date {row['end_date']!r} is not a date (write YYYY-MM-DD)")
        if not row["trip"]:
            problems.append("trip is empty")
        if problems:
            bad.append((line, "; ".join(problems)))
        else:
            seen.add(row["booking_id"])
            good.append((line, row))
    return good, bad


def decide(row: dict[str, str], store: Store, today: dt.date, days_after: int, cap_days: int,
           reminder_days: int) -> tuple[str, str]:
    """What to do with one booking now: (action, reason)."""
    previous = store.invitation(row["booking_id"])
    if store.is_unsubscribed(row["email"]):
        return ("done", "already recorded") if previous else ("skipped", "unsubscribed")
    due = dt.date.fromisoformat(row["end_date"]) + dt.timedelta(days=days_after)
    if previous:
        if previous["status"] == "sent" and reminder_days and previous["reminders"] == 0:
            days = (now() - previous["decided_at"]) / 86400
            if days >= reminder_days and not store.has_feedback_for(row["booking_id"]):
                return "reminder", f"no answer {int(days)} days after the invitation"
        return "done", f"already {previous['status']}"
    if today < due:
        return "waiting", f"the trip ended {row['end_date']}; invite from {due.isoformat()}"
    last = store.last_invited(row["email"])
    if last is not None and (now() - last) / 86400 < cap_days:
        when = dt.datetime.fromtimestamp(last, dt.UTC).date().isoformat()
        return "skipped", f"invited on {when}, within the {cap_days}-day cap"
    return "sent", f"{days_after} days after the trip"


def compose(row: dict[str, str], gettext: Any, site_name: str, service_url: str,
            secret: bytes, reminder: bool, stop: str) -> Mail:
    """The invitation; ``stop`` is its unsubscribe token, random, so that the link says
    nothing about the address (the store keeps the token's hash)."""
    form = tokens.seal(secret, "invite", {"b": row["booking_id"], "t": row["trip"],
                                          "l": row["lang"]})
    stop_url = f"{service_url}/unsubscribe?{urlencode({'t': stop})}"
    subject = (gettext("A reminder: how was your trip?") if reminder else
               gettext("How was your trip, %(name)s?") % {"name": row["name"] or ""}).strip()
    body = "\n\n".join([
        gettext("Hello %(name)s,") % {"name": row["name"]} if row["name"] else gettext("Hello,"),
        gettext("thank you for travelling with us on %(trip)s. We would love to hear how it "
                "went: what you liked, and what we should do better.") % {"trip": row["trip"]},
        gettext("Tell us here (it takes two minutes):") + "\n"
        + f"{service_url}/feedback/invited?{urlencode({'t': form})}",
        site_name,
        gettext("You will not get more than one such invitation. To get none at all, "
                "unsubscribe here:") + "\n" + stop_url,
    ]) + "\n"
    return Mail("invite", row["email"], f"{subject} — {site_name}", body,
                list_unsubscribe=stop_url)


def run(text: str, source: str, store: Store, config: Any, catalogs: dict[str, Any],
        today: dt.date) -> tuple[list[Outcome], list[str]]:
    """Process a bookings CSV; returns the outcomes and the ``source:line: problem`` lines."""
    site = config.site
    rows, bad = read_bookings(text, site.languages)
    problems = [f"{source}:{line}: {problem}" for line, problem in bad]
    outcomes = []
    for line, row in rows:
        action, reason = decide(row, store, today, config.invite_days_after,
                                config.invite_cap_days, config.invite_reminder_days)
        if action in ("sent", "reminder"):
            catalog = catalogs.get(row["lang"])
            gettext = catalog.gettext if catalog else (lambda s: s)
            stop = secrets.token_urlsafe(16)
            mail = compose(row, gettext, site.name, site.service_url, config.secret,
                           reminder=action == "reminder", stop=stop)
            store.record_invitation(row, "sent", reason, mail, reminder=action == "reminder",
                                    unsubscribe_token=stop)
        elif action == "skipped":
            store.record_invitation(row, "skipped", reason, None)
        outcomes.append(Outcome(line, row["booking_id"], action, reason))
    return outcomes, problems
