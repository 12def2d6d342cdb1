"""Share images (1200×630, as OpenGraph asks) for posts that have no picture of their own.

A link shared without an image gets little attention. Each image shows the post's title and
the company's name in the page's language; it is named by a hash of exactly what is drawn,
so an unchanged title is never drawn twice and a changed one never shows a stale card.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
_VERSION = "1"
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
        return f"{digest[:16]}.png"


@functools.cache
def font_file(lang: str, bold: bool = True) -> str | None:
    """A font that covers ``lang``, as fontconfig chooses it."""
    pattern = f"sans:lang={lang}" + (":weight=bold" if bold else "")
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                               text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found and os.path.isfile(found) else None


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def _fonts(size: int, bold: bool) -> tuple[Font, Font]:
    """(Latin, CJK) fonts: CJK fallback fonts often lack Latin letters, and the other way
    round, so each run of text is drawn with the font of its script."""
    def load(lang: str) -> Font:
        path = font_file(lang, bold)
        return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)
    return load("en"), load("ja")


def _is_cjk(char: str) -> bool:
    return ord(char) >= 0x2E80


def _runs(text: str) -> list[tuple[str, bool]]:
    runs: list[tuple[str, bool]] = []
    for char in text:
        cjk = _is_cjk(char)
        if runs and runs[-1][1] == cjk:
            runs[-1] = (runs[-1][0] + char, cjk)
        else:
            runs.append((char, cjk))
    return runs


def _length(draw: ImageDraw.ImageDraw, text: str, fonts: tuple[Font, Font]) -> float:
    return sum(draw.textlength(run, font=fonts[cjk]) for run, cjk in _runs(text))


def _draw(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str,
          fonts: tuple[Font, Font], fill: tuple[int, int, int]) -> None:
    x, y = xy
    for run, cjk in _runs(text):
        draw.text((x, y), run, font=fonts[cjk], fill=fill)
        x += int(draw.textlength(run, font=fonts[cjk]))


_NO_LINE_START = set("、。，．・：；？！ー）」』】〉》!?),.:;")  # kinsoku: never begin a line


def _wrap(draw: ImageDraw.ImageDraw, text: str, fonts: tuple[Font, Font], width: int
          ) -> list[str]:
    """Lines of at most ``width`` px: break at spaces, or anywhere between CJK characters."""
    tokens = re.findall(r"[\u2e80-\U0010ffff]|[^\s\u2e80-\U0010ffff]+|\s+", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        candidate = line + token
        if line.strip() and token.strip() and token not in _NO_LINE_START and \
                _length(draw, candidate, fonts) > width:
            lines.append(line.strip())
            line = token
        else:
            line = candidate
    return [*lines, line.strip()] if line.strip() else lines


def render(card: Card, path: str) -> None:
    """Draw ``card`` into ``path`` (PNG)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 24, WIDTH, HEIGHT), fill=ACCENT)
    for size in (76, 64, 54, 46):  # the largest size at which the title fits four lines
        fonts = _fonts(size, bold=True)
        lines = _wrap(draw, card.title, fonts, WIDTH - 160)
        if len(lines) <= 4:
            break
    y = 110
    for line in lines[:4]:
        _draw(draw, (80, y), line, fonts, TEXT)
        y += int(size * 1.25)
    _draw(draw, (80, HEIGHT - 120), card.site_name, _fonts(40, bold=False), MUTED)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp"
    image.save(tmp, "PNG", compress_level=6)
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
    os.makedirs(output_dir, exist_ok=True)
    for card in dict.fromkeys(cards):
        target = os.path.join(output_dir, card.name)
        if not os.path.exists(target):
            try:  # a hard link costs no copy; the cache and output often share a disk
                os.link(os.path.join(cache_dir, card.name), target)
            except OSError:
                shutil.copyfile(os.path.join(cache_dir, card.name), target)
    return len(todo)
