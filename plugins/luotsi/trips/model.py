"""A trip's bookable facts, read from Markdown fields and checked for the author.

The facts feed the trip page, the listing and the ``TouristTrip``/``Offer`` JSON-LD, so
they are parsed once here into plain values; a field that cannot be parsed becomes a
finding that says how to write it, never a half-filled offer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import list_currencies

from ..forms.booking import TripOffer

AVAILABILITY = ("InStock", "LimitedAvailability", "SoldOut", "PreOrder", "Discontinued")
_DURATION = re.compile(r"^P(?:(\d+)D|(\d+)W)$|^PT(\d+)H$")

Problem = tuple[str, str, str]  # field, problem, fix


@dataclass
class Trip:
    price: Decimal
    currency: str
    duration: str  # ISO 8601, e.g. P3D
    availability: str = "InStock"
    valid_from: dt.date | None = None
    valid_through: dt.date | None = None
    itinerary: list[str] = field(default_factory=list)
    departures: list[dt.date] = field(default_factory=list)  # fixed start dates, in order
    group_size: int | None = None  # the most persons one booking may bring

    @property
    def duration_parts(self) -> tuple[int, str]:
        """(amount, unit) with unit one of day, week, hour, for a translated label."""
        days, weeks, hours = _DURATION.match(self.duration).groups()  # type: ignore[union-attr]
        if days:
            return int(days), "day"
        if weeks:
            return int(weeks), "week"
        return int(hours), "hour"

    @property
    def days(self) -> int:
        """Calendar days the trip takes from its start date: a trip of hours takes one."""
        amount, unit = self.duration_parts
        return amount * {"day": 1, "week": 7}.get(unit, 0) or 1

    def offer(self, key: str, lang: str, title: str, url: str) -> TripOffer:
        """What a booking request for this language version is checked against."""
        return TripOffer(key, lang, title, url, self.price, self.currency, self.availability,
                         self.days, self.valid_from, self.valid_through,
                         tuple(self.departures), self.group_size)

    @property
    def price_number(self) -> int | float:
        """The price as a JSON number: an integer when it has no cents."""
        return int(self.price) if self.price == self.price.to_integral() else float(self.price)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def parse_trip(meta: dict[str, Any], default_currency: str) -> tuple[Trip | None, list[Problem]]:
    """The trip in ``meta`` (Pelican metadata, lower-case keys), or the problems found."""
    problems: list[Problem] = []
    raw_price = str(meta.get("price", "")).strip().replace(",", ".")
    price = Decimal(0)
    try:
        price = Decimal(raw_price)
        if price < 0 or not price.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problems.append(("price", f"price {raw_price!r} is not an amount" if raw_price else
                         "the trip has no price", "write the price per person as a number, "
                         "e.g. Price: 1290 or Price: 89.50 (no currency sign)"))
    currency = str(meta.get("currency") or default_currency).strip().upper()
    if currency not in list_currencies():
        problems.append(("currency", f"currency {currency!r} is not an ISO 4217 code",
                         "write a three-letter code such as EUR, SEK or USD"))
    duration = str(meta.get("duration", "")).strip().upper()
    if not _DURATION.match(duration):
        problems.append(("duration", f"duration {duration!r} is not understood" if duration
                         else "the trip has no duration",
                         "write it in ISO 8601: P3D for three days, P2W for two weeks, "
                         "PT4H for four hours"))
    availability = str(meta.get("availability") or "InStock").strip()
    if availability not in AVAILABILITY:
        problems.append(("availability", f"availability {availability!r} is unknown",
                         "write one of " + ", ".join(AVAILABILITY)))
    dates: dict[str, dt.date | None] = {}
    for name in ("valid_from", "valid_through"):
        value = meta.get(name) or meta.get(name.replace("_", "-"))
        try:
            dates[name] = _date(value) if value else None
        except ValueError:
            label = name.replace("_", "-").title()
            problems.append((label, f"{label} {value!r} is not a date",
                             f"write it as YYYY-MM-DD, e.g. {label}: 2026-12-01"))
            dates[name] = None
    if dates["valid_from"] and dates["valid_through"] and \
            dates["valid_through"] < dates["valid_from"]:
        problems.append(("Valid-Through", "Valid-Through is before Valid-From",
                         "swap the two dates or correct one of them"))
    itinerary = [p.strip() for p in str(meta.get("itinerary", "")).split(";") if p.strip()]
    departures = _departures(meta.get("departures"), dates["valid_from"],
                             dates["valid_through"], problems)
    group_size = _group_size(meta.get("group_size") or meta.get("group-size"), problems)
    if problems:
        return None, problems
    return Trip(price, currency, duration, availability, dates["valid_from"],
                dates["valid_through"], itinerary, departures, group_size), []


def _departures(value: Any, first: dt.date | None, last: dt.date | None,
                problems: list[Problem]) -> list[dt.date]:
    """``Departures:`` as dates in order; each one that is not a date, is listed twice or
    falls outside the season is a finding."""
    found: list[dt.date] = []
    for text in (p.strip() for p in str(value or "").split(";")):
        if not text:
            continue
        try:
            day = _date(text)
        except ValueError:
            problems.append(("Departures", f"departure {text!r} is not a date",
                             "write the start dates as YYYY-MM-DD separated by ;, e.g. "
                             "Departures: 2026-12-07; 2026-12-14"))
            continue
        if day in found:
            problems.append(("Departures", f"departure {text} is listed twice",
                             "remove one of them"))
        elif (first and day < first) or (last and day > last):
            problems.append(("Departures", f"departure {text} is outside the season "
                             f"{first or '…'} – {last or '…'}",
                             "move it into the season, or correct Valid-From or "
                             "Valid-Through"))
        else:
            found.append(day)
    return sorted(found)


def _group_size(value: Any, problems: list[Problem]) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        problems.append(("Group-Size", f"group size {text!r} is not a whole number of at "
                         "least 1", "write the most persons one booking may bring, e.g. "
                         "Group-Size: 6"))
        return None
    return int(text)
