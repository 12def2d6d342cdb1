"""What a trip's booking-request form and the service that receives it agree on: the trip's
bookable facts (:class:`TripOffer`, written by the build to ``booking/trips.json`` and read by
the service), the form's fields and limits, and the messages shown about them.

The static trip page and the service's confirmation page render the same template from the
same :class:`TripOffer`, so the dates offered, the group size and the price per person
cannot differ between what a visitor saw and what the service accepts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .fields import LIMITS, N_

# Fields of the booking form and their limits (characters); the spam-trap and time-trap
# fields are the feedback form's, so that one set of rules guards both.
BOOKING_LIMITS = {
    **{name: LIMITS[name] for name in ("name", "email", "message", "page", "lang", "answer",
                                       "token", "website", "consent")},
    "privacy": LIMITS["page"], "trip": 100, "departure": 10, "adults": 3, "children": 3,
    "phone": 40, "waitlist": 3,
}
MAX_PERSONS = 50  # one booking, when the trip sets no Group-Size
BOOKING_HORIZON_DAYS = 730  # how far ahead a trip without a season may be requested

BOOKING_MESSAGES = {
    "required_name": N_("Please write your name."),
    "booking_email": N_("Please give an e-mail address we can answer to, such as "
                        "name@example.com."),
    "phone": N_("Please write a phone number in digits, such as +358 40 123 4567, or leave "
                "the field empty."),
    "trip": N_("This trip cannot be requested here. Please open it again from our list of "
               "trips."),
    "sold_out": N_("This trip is sold out. You can join its waiting list instead."),
    "departure": N_("Please choose one of the departure dates."),
    "departure_date": N_("Please choose a date, such as %(example)s."),
    "departure_season": N_("Please choose a date between %(first)s and %(last)s."),
    "departure_past": N_("This date has passed. Please choose a later one."),
    "count": N_("Please write a whole number."),
    "persons_none": N_("Please tell us how many are coming: at least one adult."),
    "persons_many": N_("One booking can have at most %(max)s persons."),
    "booking_consent": N_("Please tick the box to let us store your request and answer it."),
    "booking_confirm": N_("Please check your request and press the button to send it."),
    "booking_heading": N_("Your booking request"),
    "waitlist_heading": N_("Your place on the waiting list"),
}

_KEY = re.compile(r"[^\s/?#<>\"'&]{1,100}")


@dataclass(frozen=True)
class TripOffer:
    """One language version of a trip, as far as a booking request is concerned."""

    key: str  # the trip's translation key (its folder): the same in every language
    lang: str
    title: str
    url: str  # absolute URL of this language's trip page
    price: Decimal  # per person
    currency: str
    availability: str  # schema.org name: InStock, LimitedAvailability, SoldOut, …
    days: int  # calendar days from the start date (a trip of hours takes one)
    valid_from: dt.date | None = None
    valid_through: dt.date | None = None
    departures: tuple[dt.date, ...] = ()
    group_size: int | None = None

    @property
    def waitlist(self) -> bool:
        """A sold-out trip takes requests for its waiting list instead."""
        return self.availability == "SoldOut"

    @property
    def bookable(self) -> bool:
        return self.availability != "Discontinued"

    @property
    def max_persons(self) -> int:
        return self.group_size or MAX_PERSONS

    def estimate(self, persons: int) -> Decimal:
        """Price times persons: what the form shows, clearly labelled as an estimate."""
        return self.price * persons

    def end(self, start: dt.date) -> dt.date:
        """The last day of a trip that starts on ``start``."""
        return start + dt.timedelta(days=self.days - 1)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "lang": self.lang, "title": self.title, "url": self.url,
                "price": str(self.price), "currency": self.currency,
                "availability": self.availability, "days": self.days,
                "valid_from": _iso(self.valid_from), "valid_through": _iso(self.valid_through),
                "departures": [d.isoformat() for d in self.departures],
                "group_size": self.group_size}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TripOffer:
        """The offer as the build wrote it; :class:`ValueError` for anything else."""
        if not _KEY.fullmatch(str(data.get("key", ""))):
            raise ValueError(f"trip key {data.get('key')!r}")
        group = data.get("group_size")
        return cls(key=str(data["key"]), lang=str(data["lang"]), title=str(data["title"]),
                   url=str(data["url"]), price=Decimal(str(data["price"])),
                   currency=str(data["currency"]), availability=str(data["availability"]),
                   days=max(1, int(data.get("days", 1))),
                   valid_from=_day(data.get("valid_from")),
                   valid_through=_day(data.get("valid_through")),
                   departures=tuple(sorted(_day(d) for d in data.get("departures", []))),
                   group_size=int(group) if group else None)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _day(value: Any) -> Any:
    return dt.date.fromisoformat(str(value)) if value else None
