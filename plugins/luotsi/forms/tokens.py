"""Signed form tokens: a time trap, and an optional arithmetic question, with no server state.

A token records when the form was issued (and the question's answer, hashed); it is signed
with the service's secret, so it cannot be forged or altered. A bot that posts within a
second of fetching the form, or replays a day-old token, is refused; a person is not.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    a: int
    b: int

    @property
    def text(self) -> str:
        return f"{self.a} + {self.b}"


def _sign(secret: bytes, payload: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.digest(secret, payload, "sha256")).decode().rstrip("=")


def _answer_hash(secret: bytes, nonce: str, answer: int) -> str:
    return _sign(secret, f"answer:{nonce}:{answer}".encode())[:16]


def issue(secret: bytes, question: bool = False, at: float | None = None
          ) -> tuple[str, Question | None]:
    """A fresh token (and the question it carries, when asked for)."""
    nonce = secrets.token_urlsafe(9)
    data: dict[str, object] = {"t": round(at if at is not None else time.time(), 3), "n": nonce}
    asked = None
    if question:
        asked = Question(secrets.randbelow(8) + 2, secrets.randbelow(8) + 2)
        data["q"] = [asked.a, asked.b]
        data["h"] = _answer_hash(secret, nonce, asked.a + asked.b)
    return seal(secret, "form", data), asked


def read(secret: bytes, token: str) -> dict[str, object] | None:
    """The token's data, or None when it is malformed or not signed by us."""
    data = unseal(secret, "form", token)
    return data if data is not None and isinstance(data.get("t"), int | float) else None


def check(secret: bytes, token: str, answer: str, min_seconds: float, max_seconds: float,
          at: float | None = None) -> str | None:
    """None when the token is good; else the message key (missing/expired/too fast/answer)."""
    data = read(secret, token) if token else None
    if data is None:
        return "confirm"
    age = (at if at is not None else time.time()) - float(data["t"])  # type: ignore[arg-type]
    if age < min_seconds:
        return "too_fast"
    if age > max_seconds:
        return "expired"
    if "h" in data:
        if not answer.strip().lstrip("-").isdigit():
            return "question"
        if not hmac.compare_digest(str(data["h"]),
                                   _answer_hash(secret, str(data["n"]), int(answer.strip()))):
            return "wrong_answer"
    return None


def question_of(secret: bytes, token: str) -> Question | None:
    data = read(secret, token)
    if data and isinstance(data.get("q"), list):
        a, b = data["q"]  # type: ignore[misc]
        return Question(int(a), int(b))
    return None


def seal(secret: bytes, purpose: str, data: dict[str, object]) -> str:
    """Signed, URL-safe data for one purpose (an invitation, an unsubscribe link, a session):
    a token made for one purpose is refused for another."""
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()
                                       ).decode().rstrip("=")
    return f"{payload}.{_sign(secret, f'{purpose}:{payload}'.encode())}"


def unseal(secret: bytes, purpose: str, token: str) -> dict[str, object] | None:
    payload, _, signature = token.partition(".")
    if not payload or not same(signature, _sign(secret, f"{purpose}:{payload}".encode())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def random_token(secret: bytes, purpose: str) -> str:
    """A random token that says nothing (a booking's status link): the store keeps only its
    hash. It is also signed, so that a forged one is refused before any database lookup."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(secret, f'{purpose}:{nonce}'.encode())[:22]}"


def random_token_ok(secret: bytes, purpose: str, token: str) -> bool:
    """``token`` was made by :func:`random_token` for ``purpose`` with this secret."""
    nonce, _, signature = token.partition(".")
    return 0 < len(token) <= 100 and bool(nonce) and same(
        signature, _sign(secret, f"{purpose}:{nonce}".encode())[:22])


def same(given: str, expected: str) -> bool:
    """A constant-time comparison that also takes what no signature is made of (compare_digest
    raises on non-ASCII text, and a visitor may send any)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())
