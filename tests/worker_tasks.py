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
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:  # the process ended meanwhile
            continue
        for task in tasks:
            try:  # a thread (the pool's sender, say) or a child may end while this looks
                with open(f"/proc/{parent}/task/{task}/children", encoding="utf-8") as handle:
                    children = list(map(int, handle.read().split()))
            except FileNotFoundError:
                continue
            for child in children:
                try:
                    with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                        found.append(cmdline.read().replace(b"\0", b" ").decode())
                except FileNotFoundError:
                    continue
                frontier.append(child)
    return found


def note(path: Path, name: str) -> None:
    """A task that writes down that it ran, after those that ran before it."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(name + "\n")
