"""An iCalendar file (RFC 5545) for a confirmed trip, sent with the confirmation mail.

All-day dates (``DTSTART;VALUE=DATE``, ``DTEND`` the day after the last one, as the RFC
counts), a UID made from the booking's reference so that a second confirmation updates the
same calendar entry instead of adding one, text values escaped, lines ending in CRLF and
folded at 75 octets without splitting a character.
"""

from __future__ import annotations

import datetime as dt

LINE_OCTETS = 75


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, any line break as ``\\n``."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return "\\n".join(text.splitlines())


def fold(line: str) -> str:
    """One content line as lines of at most 75 octets, each continuation starting with a
    space; a UTF-8 character is never cut."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = LINE_OCTETS if not out else LINE_OCTETS - 1  # the space takes one octet
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def calendar(uid: str, title: str, first_day: dt.date, last_day: dt.date, url: str,
             description: str, stamp: dt.datetime, location: str = "") -> str:
    """A calendar with one all-day event from ``first_day`` to ``last_day`` (inclusive)."""
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Luotsi//Booking requests//EN",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:{escape(uid)}",
        f"DTSTAMP:{stamp.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART;VALUE=DATE:{first_day.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{(last_day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
        f"SUMMARY:{escape(title)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{url}",
        *([f"LOCATION:{escape(location)}"] if location else []),
        "STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
