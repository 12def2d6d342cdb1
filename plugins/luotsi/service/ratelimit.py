"""Per-client rate limit: a sliding window of recent accepted submissions per address.

In memory, per service instance: a flood is stopped where it arrives. Addresses are kept
only as long as the window lasts.
"""

from __future__ import annotations

import time
from collections import deque


class RateLimit:
    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}

    def allow(self, client: str, at: float | None = None) -> bool:
        """Count one attempt by ``client``; False when it is over the limit."""
        at = time.monotonic() if at is None else at
        hits = self._hits.setdefault(client, deque())
        while hits and hits[0] <= at - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(at)
        if len(self._hits) > 10_000:  # forget idle clients so memory stays bounded
            for key in [k for k, v in self._hits.items() if not v or v[-1] <= at - self.window]:
                del self._hits[key]
        return True
