"""Tasks the tests hand to the build's workers (importable by name, as a worker needs), and
the processes a test has started, as the tests look for them."""

from __future__ import annotations

import os
import time
from pathlib import Path


def touch_later(path: Path) -> None:
    """A task slow enough that the ones queued behind it are still queued when a test
    stops the pool; the file says whether it ran."""
    time.sleep(0.2)
    path.touch()


def descendants(pid: int) -> list[str]:
    """The command lines of every process started below ``pid``, at any depth."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for task in os.listdir(f"/proc/{parent}/task"):
            with open(f"/proc/{parent}/task/{task}/children", encoding="utf-8") as handle:
                for child in map(int, handle.read().split()):
                    with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                        found.append(cmdline.read().replace(b"\0", b" ").decode())
                    frontier.append(child)
    return found
