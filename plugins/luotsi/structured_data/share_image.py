"""Share images (1200×630, as OpenGraph asks) for posts that have no picture of their own.

A link shared without an image gets little attention. Each image shows the post's title and
the company's name in the page's language; it is named by a hash of exactly what is drawn,
so an unchanged title is never drawn twice and a changed one never shows a stale card.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageDraw

from .. import cache_files
from ..drawing import draw_text, fit, fonts

WIDTH, HEIGHT = 1200, 630
_VERSION = "2"
BACKGROUND, ACCENT, TEXT, MUTED = (14, 42, 71), (120, 220, 170), (255, 255, 255), (190, 205, 220)


@dataclass(frozen=True)
class Card:
    title: str
    site_name: str
    lang: str

    @property
    def name(self) -> str:
        digest = hashlib.sha256(f"{_VERSION}\0{self.title}\0{self.site_name}\0{self.lang}"
                                .encode()).hexdigest()
        return f"{digest[:16]}.jpg"


def render(card: Card, path: str) -> None:
    """Draw ``card`` into ``path`` (JPEG)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 24, WIDTH, HEIGHT), fill=ACCENT)
    title_fonts, lines, size = fit(draw, card.title, (76, 64, 54, 46), WIDTH - 160, 4)
    y = 110
    for line in lines:
        draw_text(draw, (80, y), line, title_fonts, TEXT)
        y += int(size * 1.25)
    draw_text(draw, (80, HEIGHT - 120), card.site_name, fonts(40, bold=False), MUTED)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp"
    # JPEG without chroma subsampling keeps the letters crisp and encodes ~8× faster than PNG.
    image.save(tmp, "JPEG", quality=90, subsampling=0, optimize=False)
    os.replace(tmp, path)


def make_all(cards: list[Card], cache_dir: str, output_dir: str) -> int:
    """Draw the cards not yet cached (in parallel), then copy all into the output.

    Returns how many were drawn, which the benchmark and tests read.
    """
    todo = [c for c in dict.fromkeys(cards) if not os.path.exists(os.path.join(cache_dir, c.name))]
    if len(todo) > 1 and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(min(len(todo), os.cpu_count() or 1)) as pool:
            list(pool.map(render, todo, [os.path.join(cache_dir, c.name) for c in todo],
                          chunksize=16))
    else:
        for card in todo:
            render(card, os.path.join(cache_dir, card.name))
    cache_files.publish((card.name for card in cards), cache_dir, output_dir)
    return len(todo)
