"""A printable A4 poster for a page: its title, its QR code, the short link, the company.

Drawn at 150 dpi (1240×1754), which prints sharply at A4 and stays a small file; cached by
a hash of everything drawn on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PIL import Image, ImageDraw

from ..cache_files import replacing
from ..digests import sha256
from ..drawing import draw_text, fit, fonts, length
from .render import Code

WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi
_VERSION = "1"


@dataclass(frozen=True)
class Poster:
    title: str
    link: str  # shown under the code, for people who type it
    contact: str  # the company's contact line
    code: Code  # what the poster's QR code says
    qr_png: str  # path of the code's PNG in the cache

    @property
    def name(self) -> str:
        digest = sha256("\0".join((_VERSION, self.title, self.link, self.contact,
                                    os.path.basename(self.qr_png))).encode())
        return f"poster-{digest.hexdigest()[:16]}.png"


def render(poster: Poster, path: str) -> None:
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 40), fill=(14, 42, 71))
    title_fonts, lines, size = fit(draw, poster.title, (96, 80, 68, 56), WIDTH - 200, 3)
    y = 140
    for line in lines:
        draw_text(draw, (100, y), line, title_fonts, (14, 42, 71))
        y += int(size * 1.25)
    with Image.open(poster.qr_png) as qr:
        side = 760
        code = qr.convert("L").resize((side, side), Image.Resampling.NEAREST)
    image.paste(code, ((WIDTH - side) // 2, 560))
    for text, size, top in ((poster.link, 40, 1360), (poster.contact, 34, 1560)):
        text_fonts = fonts(size, bold=False)
        x = max(60, int((WIDTH - length(draw, text, text_fonts)) / 2))
        draw_text(draw, (x, top), text, text_fonts, (40, 40, 40))
    with replacing(path) as tmp:
        image.save(tmp, "PNG", dpi=(150, 150))
