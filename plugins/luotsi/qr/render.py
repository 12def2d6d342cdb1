"""QR images, made with segno and cached by payload hash.

segno was chosen by measurement (``bench/build.py --qr-libraries``): it makes an SVG code
about twice as fast as qrcode, writes compact path-based SVG without Pillow, and its PNGs
are equally fast. Every code keeps the 4-module quiet zone the standard requires.
"""

from __future__ import annotations

import functools
import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import segno

from .. import cache_files

QUIET_ZONE = 4  # modules; ISO/IEC 18004 requires four
_VERSION = "1"


@dataclass(frozen=True)
class Code:
    payload: str
    error: str = "m"
    png_scale: int = 12  # pixels per module: a 40-module code is ~580 px, 5 cm at 300 dpi

    @property
    def name(self) -> str:
        digest = hashlib.sha256(f"{_VERSION}\0{self.error}\0{self.png_scale}\0{self.payload}"
                                .encode()).hexdigest()
        return digest[:16]


def make(code: Code, cache_dir: str) -> None:
    """Write ``<name>.svg`` and ``<name>.png`` into ``cache_dir``."""
    qr = segno.make(code.payload, error=code.error, micro=False)
    base = os.path.join(cache_dir, code.name)
    qr.save(base + ".svg.tmp", kind="svg", scale=1, border=QUIET_ZONE, xmldecl=False,
            svgns=True, nl=False, svgclass=None, lineclass=None, omitsize=True)
    qr.save(base + ".png.tmp", kind="png", scale=code.png_scale, border=QUIET_ZONE)
    os.replace(base + ".png.tmp", base + ".png")
    os.replace(base + ".svg.tmp", base + ".svg")  # last: its presence means "done"


def make_all(codes: list[Code], cache_dir: str) -> int:
    """Make the codes not cached yet (in parallel); returns how many were made."""
    os.makedirs(cache_dir, exist_ok=True)
    todo = [c for c in dict.fromkeys(codes)
            if not os.path.exists(os.path.join(cache_dir, c.name + ".svg"))]
    workers = min(len(todo) // 8 + 1, os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(make, todo, [cache_dir] * len(todo), chunksize=32))
    else:
        for code in todo:
            make(code, cache_dir)
    return len(todo)


@functools.lru_cache(maxsize=4096)
def _svg_text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def inline_svg(code: Code, cache_dir: str, label: str) -> str:
    """The cached SVG as an element to put in a page, labelled for screen readers."""
    svg = _svg_text(os.path.join(cache_dir, code.name + ".svg"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def publish(codes: list[Code], cache_dir: str, output_dir: str) -> None:
    cache_files.publish((code.name + suffix for code in codes for suffix in (".svg", ".png")),
                        cache_dir, output_dir)
