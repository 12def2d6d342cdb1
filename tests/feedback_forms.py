"""A valid feedback form and token, for the tests that post to the service."""

from __future__ import annotations

import time

from luotsi.forms import tokens

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
