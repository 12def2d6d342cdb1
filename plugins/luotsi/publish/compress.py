"""Pre-compressed copies (``.gz`` at level 9, ``.br`` at quality 11) of every text asset, so
the server sends compressed bytes without compressing on each request."""

from __future__ import annotations

import gzip
import os
from concurrent.futures import ProcessPoolExecutor

import brotli

from ..cache_files import replacing

TEXT = (".html", ".css", ".js", ".xml", ".json", ".svg", ".txt", ".vcf", ".webmanifest")
MIN_SIZE = 256  # smaller files gain nothing


def _compress(path: str) -> int:
    with open(path, "rb") as handle:
        data = handle.read()
    written = 0
    for suffix, make in ((".gz", lambda d: gzip.compress(d, 9, mtime=0)),
                         (".br", lambda d: brotli.compress(d, quality=11))):
        target = path + suffix
        if os.path.exists(target) and os.path.getmtime(target) >= os.path.getmtime(path):
            continue
        with replacing(target) as tmp, open(tmp, "wb") as handle:
            handle.write(make(data))
        written += 1
    return written


def precompress(output: str) -> int:
    """Write the missing or outdated copies; returns how many files were written."""
    paths = [os.path.join(folder, name) for folder, _, names in os.walk(output)
             for name in names if name.endswith(TEXT)
             and os.path.getsize(os.path.join(folder, name)) >= MIN_SIZE]
    if len(paths) > 50 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            return sum(pool.map(_compress, paths, chunksize=64))
    return sum(_compress(path) for path in paths)
