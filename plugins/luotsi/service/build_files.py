"""Files the build writes for the service into its output (which short QR code goes where,
which trips can be requested), re-read whenever the build rewrites them, so that a new post's
printed code or a new departure works without a restart.

A file that is missing or cannot be read leaves the last good contents in place: the service
never stops answering because a build is half-way through writing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class BuildFile(Generic[T]):
    """The parsed contents of one JSON file, re-read when its modification time changes."""

    def __init__(self, path: str, parse: Callable[[Any], T], empty: T):
        self.path, self.parse = path, parse
        self._mtime = -1.0
        self._value = empty

    def get(self) -> T:
        try:
            mtime = os.path.getmtime(self.path)
        except OSError:
            return self._value
        if mtime != self._mtime:
            try:
                with open(self.path, encoding="utf-8") as handle:
                    self._value = self.parse(json.load(handle))
            except (OSError, ValueError, KeyError, TypeError):
                return self._value  # being rewritten: the next request reads it again
            self._mtime = mtime
        return self._value
