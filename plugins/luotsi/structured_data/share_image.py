"""Share images (1200×630, as OpenGraph asks) for posts that have no picture of their own.

A link shared without an image gets little attention. Each image shows the post's title and
the company's name in the page's language; it is named by a hash of exactly what is drawn,
so an unchanged title is never drawn twice and a changed one never shows a stale card.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw

from .. import cache_files, jpeg_rows
from ..background import Background
from ..digests import sha256
from ..drawing import draw_text, find_fonts_for_workers, fit, fonts

WIDTH, HEIGHT = 1200, 630
TITLE_TOP = 110
# Quality 85 with 4:2:0 chroma looks as sharp as 90 with 4:4:4 for light text on a dark
# field (looked at side by side at 2×), encodes about twice as fast and is a third smaller.
JPEG = {"quality": 85, "subsampling": 2, "optimize": False}
MCU = 16  # rows of pixels per row of MCUs with 4:2:0 chroma
# Pixels above the title and below its last line, beyond any glyph: a band whose edge rows
# hold ink is not used (the whole card is encoded). 16 px left none of 3,000 titles with
# accents, descenders and CJK to the whole card, and encodes two rows of MCUs fewer than 32
# (0.83-0.84 against 0.87-0.89 ms a one-line card).
BAND_MARGIN = 16
_VERSION = "4"
AHEAD = 2  # tasks the workers may have unfinished for a card to be queued ahead of its page
BACKGROUND, ACCENT, TEXT, MUTED = (14, 42, 71), (120, 220, 170), (255, 255, 255), (190, 205, 220)


@dataclass(frozen=True, slots=True)
class Card:
    title: str
    site_name: str
    lang: str
    name: str = field(init=False, compare=False)  # the file's name, from the three above

    def __post_init__(self) -> None:
        digest = sha256(f"{_VERSION}\0{self.title}\0{self.site_name}\0{self.lang}"
                        .encode()).hexdigest()
        object.__setattr__(self, "name", f"{digest[:16]}.jpg")


@functools.cache
def _base(site_name: str) -> Image.Image:
    """What every card of a site shares, drawn once per worker: the background, the accent
    bar and the company's name."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 24, WIDTH, HEIGHT), fill=ACCENT)
    draw_text(draw, (80, HEIGHT - 120), site_name, fonts(40, bold=False), MUTED)
    return image


@functools.cache
def _background(site_name: str) -> jpeg_rows.Rows:
    """The card without a title, encoded once per worker, row by row."""
    return jpeg_rows.split(jpeg_rows.encode(_base(site_name), **JPEG))


Title = tuple[tuple[Any, Any], list[str], int]  # fonts, lines, size


def _fit(card: Card) -> Title:
    """The title's lines at the largest size that fits four lines."""
    measure = ImageDraw.Draw(_base(card.site_name))
    return fit(measure, card.title, (76, 64, 54, 46), WIDTH - 160, 4)


def _title(image: Image.Image, title: Title, top: int = 0) -> None:
    """The title on ``image``, whose first row is the card's row ``top``."""
    draw = ImageDraw.Draw(image)
    title_fonts, lines, size = title
    y = TITLE_TOP
    for line in lines:
        draw_text(draw, (80, y - top), line, title_fonts, TEXT)
        y += int(size * 1.25)


def _title_rows(title: Title) -> tuple[int, int]:
    """The MCU rows the title can touch: from above its first line to below its last."""
    _, lines, size = title
    bottom = TITLE_TOP + len(lines) * int(size * 1.25)
    return (max(0, TITLE_TOP - BAND_MARGIN) // MCU, -(-(bottom + BAND_MARGIN) // MCU))


def whole(card: Card) -> bytes:
    """The card drawn and encoded whole (the reference the banded card must equal)."""
    image = _base(card.site_name).copy()
    _title(image, _fit(card))
    return jpeg_rows.encode(image, **JPEG)


def banded(card: Card) -> bytes | None:
    """The card with only the band of rows that holds its title drawn and encoded, the rest
    taken from the background's JPEG; None if the title does not stay inside its band."""
    title = _fit(card)
    first, last = _title_rows(title)
    if last > HEIGHT // MCU - 1:  # the last, partial row of MCUs is the background's
        return None
    base = _base(card.site_name)
    band = base.crop((0, first * MCU, WIDTH, last * MCU))
    _title(band, title, first * MCU)
    for y in (0, band.height - 1):  # ink at the band's edge may go on beyond it
        if band.crop((0, y, WIDTH, y + 1)).tobytes() != \
                base.crop((0, first * MCU + y, WIDTH, first * MCU + y + 1)).tobytes():
            return None
    rows = jpeg_rows.split(jpeg_rows.encode(band, **JPEG))
    return jpeg_rows.splice(_background(card.site_name), first, rows)


def render(card: Card, path: str) -> None:
    """Draw ``card`` into ``path`` (JPEG)."""
    data = banded(card) or whole(card)
    with cache_files.replacing(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)


def render_batch(batch: list[tuple[Card, str]]) -> int:
    """Draw a batch of cards (in a worker process); returns how many were drawn."""
    for card, path in batch:
        render(card, path)
    return len(batch)


class ShareCards:
    """The cards a build's pages ask for, drawn on other cores while pages are written.

    A card is queued the moment its page's head is rendered, so drawing overlaps with
    writing; :meth:`finish` collects them and puts them into the output."""

    def __init__(self, background: Background, cache_dir: str):
        self.background, self.cache_dir = background, cache_dir
        background.before_start(find_fonts_for_workers)
        background.workers_only(render_batch)
        self.cards: dict[str, Card] = {}  # name → card, in the order pages asked for them
        self.ahead: set[str] = set()  # cards queued before a page asked for them
        self.drawn = 0
        # the cards drawn by earlier builds, listed once rather than looked up per page
        self.cached = cache_files.listing(cache_dir)

    def want(self, card: Card) -> None:
        if card.name in self.cards:
            return
        self.cards[card.name] = card
        if card.name not in self.ahead:
            self._queue(card)

    def ahead_of_pages(self, card: Card) -> None:
        """Queue the card a post's page will ask for, as the post is read, if the workers
        have next to nothing to do. They convert their share of the Markdown first, then sat
        idle while the build turned it into posts and until the first pages were written
        (about half a second of a core at 1,000 posts × 4 languages); these cards fill that
        time. No more than that: work queued after them waits behind them, and when the
        staff photos (about 100 MB in a worker while one is encoded) still came after the
        posts, queueing every card pushed them later into the build, where its own process
        is larger (peak 221-227 MB instead of 214). Published only if a page asks for it, so
        a guess gone wrong costs a drawing, never a stray file."""
        if card.name not in self.cards and card.name not in self.ahead and \
                self.background.unfinished() < AHEAD:
            self.ahead.add(card.name)
            self._queue(card)

    def _queue(self, card: Card) -> None:
        if card.name not in self.cached:
            self.background.batch(render_batch, (card, os.path.join(self.cache_dir, card.name)),
                                  size=16)

    def finish(self, output_dir: str) -> int:
        """Wait for the cards still being drawn, publish all; returns how many were drawn."""
        self.drawn = sum(self.background.results(render_batch))
        cache_files.publish(self.cards, self.cache_dir, output_dir)
        return self.drawn
