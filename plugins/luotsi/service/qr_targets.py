"""Which short QR code goes where: the map the build writes to ``qr/codes.json``, re-read
whenever the build rewrites it, so that a new post's printed code works without a restart."""

from __future__ import annotations

import json
import os


class Targets:
    """The code → URL map, re-read when the build rewrites it."""

    def __init__(self, path: str):
        self.path = path
        self._mtime = -1.0
        self._map: dict[str, str] = {}

    def get(self) -> dict[str, str]:
        try:
            mtime = os.path.getmtime(self.path)
        except OSError:
            return self._map
        if mtime != self._mtime:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            self._map = {str(k): str(v) for k, v in data.get("codes", {}).items()}
            self._mtime = mtime
        return self._map
