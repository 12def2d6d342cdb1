"""Tasks the tests hand to the build's workers: importable by name, as a worker needs."""

from __future__ import annotations

import time
from pathlib import Path


def touch_later(path: Path) -> None:
    """A task slow enough that the ones queued behind it are still queued when a test
    stops the pool; the file says whether it ran."""
    time.sleep(0.2)
    path.touch()
