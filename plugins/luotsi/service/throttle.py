"""Slowing down password guessing without locking the owner out.

Wrong sign-ins are counted per (account, client) and per client. After a few free mistakes,
each further one makes that key wait longer before its next try (1 s, 2 s, 4 s, … up to a
cap); mistakes are forgotten after a quarter of an hour without one. Nothing is counted per
account alone: an attacker elsewhere can make *their* tries slow, never the owner's, who signs
in from another address. A right password clears the keys it used. In memory, per service
instance, like the rate limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class _Mistakes:
    count: int = 0
    last: float = 0.0


class LoginThrottle:
    def __init__(self, free: int = 5, cap: float = 60.0, forget: float = 900.0,
                 keep: int = 10_000):
        self.free, self.cap, self.forget, self.keep = free, cap, forget, keep
        self._mistakes: dict[tuple[str, ...], _Mistakes] = {}

    @staticmethod
    def keys(account: str, client: str) -> list[tuple[str, ...]]:
        return [("pair", account, client), ("client", client)]

    def delay(self, count: int) -> float:
        """Seconds to wait after ``count`` mistakes."""
        return 0.0 if count < self.free else min(self.cap, 2.0 ** (count - self.free))

    def wait(self, account: str, client: str, at: float | None = None) -> float:
        """Seconds before this account may be tried again from this client (0: now)."""
        at = time.monotonic() if at is None else at
        waits = [m.last + self.delay(m.count) - at for k in self.keys(account, client)
                 if (m := self._mistakes.get(k)) is not None]
        return max([0.0, *waits])

    def failed(self, account: str, client: str, at: float | None = None) -> None:
        at = time.monotonic() if at is None else at
        for key in self.keys(account, client):
            mistakes = self._mistakes.setdefault(key, _Mistakes())
            mistakes.count = 1 if at - mistakes.last > self.forget else mistakes.count + 1
            mistakes.last = at
        if len(self._mistakes) > self.keep:  # memory stays bounded under a flood
            for key in [k for k, m in self._mistakes.items() if at - m.last > self.cap]:
                del self._mistakes[key]

    def succeeded(self, account: str, client: str) -> None:
        for key in self.keys(account, client):
            self._mistakes.pop(key, None)
