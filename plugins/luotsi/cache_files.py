"""Generated files (photos, share images, QR codes, posters) are made once into the cache
folder and then put into each build's output from there."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .digests import blake2b


@contextmanager
def replacing(path: str) -> Iterator[str]:
    """A temporary name to write to; it becomes ``path`` when the block ends well.

    Readers never see half a file, and the name is unique to the process and thread: two
    workers making the same file (two staff members with the same photo) must not move each
    other's temporary file away."""
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):  # a stat: asking mkdir for a folder that exists costs more
        os.makedirs(folder, exist_ok=True)
    tmp = f"{path}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def listing(folder: str) -> set[str]:
    """The names in ``folder`` (none if it does not exist yet): what earlier builds made,
    listed once rather than looked up file by file."""
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def text_hash(text: str) -> str:
    """The key of what is kept by the text it is made from (a page's JSON-LD, a post's HTML)."""
    return blake2b(text.encode(), digest_size=20).hexdigest()


def read_kept(path: str, version: str, name: str) -> dict[str, Any]:
    """What the last build kept under ``name`` in the JSON file at ``path``, by hash, if it
    was made the same way (``version``); otherwise nothing, and everything is made afresh."""
    try:
        with open(path, encoding="utf-8") as handle:
            stored = json.load(handle)
    except (OSError, ValueError):
        return {}
    kept = stored.get(name) if isinstance(stored, dict) and \
        stored.get("version") == version else None
    return kept if isinstance(kept, dict) else {}


def write_kept(path: str, version: str, name: str, kept: dict[str, Any]) -> None:
    """Only what this build used: the file never grows beyond the site."""
    write_json(path, {"version": version, name: kept})


def write_json(path: str, data: object) -> None:
    """``data`` as compact JSON at ``path``, replaced whole. ``json.dump`` to a file always takes
    the pure-Python encoder: for a build's caches (every page's audit results) that was seconds;
    ``json.dumps`` without indent takes the C one."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data))


def publish(names: Iterable[str], cache_dir: str, output_dir: str) -> None:
    """Put the cached files ``names`` into ``output_dir`` unless they are there already.

    A hard link costs no copy (the cache and the output usually share a disk); across disks
    the file is copied."""
    os.makedirs(output_dir, exist_ok=True)
    for name in dict.fromkeys(names):
        target = os.path.join(output_dir, name)
        source = os.path.join(cache_dir, name)
        try:  # rather than a look first: a new output holds none of them (7,200 looks a build)
            os.link(source, target)
        except FileExistsError:
            continue
        except OSError:
            if not os.path.exists(target):
                shutil.copyfile(source, target)
