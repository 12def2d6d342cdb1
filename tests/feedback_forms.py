"""Valid feedback and booking forms and tokens, for the tests that post to the service, and
a booking request written straight into a store."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from functools import partial
from typing import Any

from luotsi.forms import tokens
from luotsi.service.store import Mail, token_hash

from .servers import SECRET

JSON = {"Accept": "application/json"}


def good_token(age: float = 5.0, question: bool = False) -> str:
    return tokens.issue(SECRET.encode(), question, at=time.time() - age)[0]


def form(**override: str) -> dict[str, str]:
    values = {"lang": "fi", "topic": "booking", "name": "Aino", "email": "aino@example.com",
              "message": "Onko huskyretkellä tilaa 12.2.?", "consent": "yes",
              "page": "http://127.0.0.1:8000/yhteystiedot/", "token": good_token()}
    values.update(override)
    return values


def booking_form(trip: str = "aurora", days: int = 30, **override: str) -> dict[str, str]:
    """A booking request for a fixture trip (tests/servers.py), ``days`` from today."""
    values = {"lang": "fi", "trip": trip, "departure": (dt.date.today() + dt.timedelta(
                  days=days)).isoformat(), "adults": "2", "children": "1", "name": "Aino",
              "email": "aino@example.com", "phone": "+358 40 123 4567",
              "message": "Kasvisruokaa, kiitos", "consent": "yes",
              "page": f"http://127.0.0.1:8000/trips/{trip}/", "token": good_token()}
    values.update(override)
    return values


REQUEST = {"lang": "fi", "trip": "aurora", "trip_title": "Revontuliviikko",
           "trip_url": "https://x.example/trips/aurora/", "departure": "2027-01-11",
           "ends_on": "2027-01-15", "adults": 2, "children": 0, "price": "1490",
           "currency": "EUR", "waitlist": 0, "name": "Aino", "email": "aino@example.com",
           "phone": "", "message": "Hei", "page": "", "campaign": ""}


def add_request(store: Any, year: int = 2026, link: str = "", **override: Any
                ) -> tuple[int, str]:
    """A booking request written as the service writes one, with a customer mail and a staff
    notice; returns (id, reference)."""
    values = {**REQUEST, **override}

    def mails(request: dict[str, Any]) -> list[Mail]:
        return [Mail("booking-received", request["email"], request["reference"],
                     request["message"]),
                Mail("staff", "bookings@x.example", request["reference"], request["message"],
                     reply_to=request["email"])]

    return store.write_batch([partial(store.write_request, values,
                                      token_hash(link or uuid.uuid4().hex), "RT", year,
                                      mails)])[0]
