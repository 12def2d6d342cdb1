"""Text on generated images (share cards, print posters) in any of the site's languages.

CJK fallback fonts often lack Latin letters and Latin fonts lack CJK, so text is drawn run
by run, each run in the font of its script, as fontconfig chooses fonts for a language.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess

from PIL import ImageDraw, ImageFont

# The font files the build's process found, for its workers (in their environment).
FONTS_FOUND = "LUOTSI_FONTS_FOUND"
LANGS = ("en", "ja")  # Latin and CJK: see fonts()


@functools.cache
def font_file(lang: str, bold: bool = True) -> str | None:
    """A font that covers ``lang``, as fontconfig chooses it (or as the build's process
    found it for its workers)."""
    found = json.loads(os.environ.get(FONTS_FOUND, "{}")).get(f"{lang}:{bold:d}")
    if isinstance(found, str) and os.path.isfile(found):
        return found
    pattern = f"sans:lang={lang}" + (":weight=bold" if bold else "")
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                               text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found and os.path.isfile(found) else None


def find_fonts_for_workers() -> None:
    """Ask fontconfig once, in the build's process, before its workers start
    (:meth:`Background.before_start`), and hand them the answers. ``fc-match`` is a child
    process, and a child forked from a large process shows all of that process's memory as
    its own until it runs its program: a build that asked for the first time when it drew
    share cards itself, at its end, was sampled at 315 MB instead of 214 (one build in about
    fifteen)."""
    os.environ[FONTS_FOUND] = json.dumps({f"{lang}:{bold:d}": font_file(lang, bold)
                                          for lang in LANGS for bold in (True, False)})


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# Latin and CJK need no complex shaping, and Pillow's basic layout draws them several times
# faster than libraqm would (share cards are drawn by the thousand).
LAYOUT = ImageFont.Layout.BASIC


@functools.cache
def fonts(size: int, bold: bool) -> tuple[Font, Font]:
    """(Latin, CJK) fonts: CJK fallback fonts often lack Latin letters, and the other way
    round, so each run of text is drawn with the font of its script."""
    def load(lang: str) -> Font:
        path = font_file(lang, bold)
        return ImageFont.truetype(path, size, layout_engine=LAYOUT) if path else \
            ImageFont.load_default(size)
    return load(LANGS[0]), load(LANGS[1])


_SCRIPT_RUNS = re.compile("[\u2e80-\U0010ffff]+|[^\u2e80-\U0010ffff]+")  # CJK or not


def _runs(text: str) -> list[tuple[str, bool]]:
    """The text cut where it changes between CJK and other scripts: (run, is CJK)."""
    return [(run, run[0] >= "\u2e80") for run in _SCRIPT_RUNS.findall(text)]


def length(draw: ImageDraw.ImageDraw, text: str, fonts: tuple[Font, Font]) -> float:
    # Wrapping measures every candidate line of thousands of titles: a Latin-only line is
    # one measurement, as wide as ``draw.textlength`` says.
    mode = draw.fontmode
    return sum(fonts[cjk].getlength(run, mode) for run, cjk in _runs(text))


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str,
          fonts: tuple[Font, Font], fill: tuple[int, int, int]) -> None:
    x, y = xy
    runs = _runs(text)
    for n, (run, cjk) in enumerate(runs):
        draw.text((x, y), run, font=fonts[cjk], fill=fill)
        if n < len(runs) - 1:  # only a following run needs to know where this one ends
            x += int(draw.textlength(run, font=fonts[cjk]))


_NO_LINE_START = set("、。，．・：；？！ー）」』】〉》!?),.:;")  # kinsoku: never begin a line


def wrap(draw: ImageDraw.ImageDraw, text: str, fonts: tuple[Font, Font], width: int
          ) -> list[str]:
    """Lines of at most ``width`` px: break at spaces, or anywhere between CJK characters."""
    tokens = re.findall(r"[\u2e80-\U0010ffff]|[^\s\u2e80-\U0010ffff]+|\s+", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        candidate = line + token
        if line.strip() and token.strip() and token not in _NO_LINE_START and \
                length(draw, candidate, fonts) > width:
            lines.append(line.strip())
            line = token
        else:
            line = candidate
    return [*lines, line.strip()] if line.strip() else lines




def fit(draw: ImageDraw.ImageDraw, text: str, sizes: tuple[int, ...], width: int,
        max_lines: int) -> tuple[tuple[Font, Font], list[str], int]:
    """The largest of ``sizes`` at which ``text`` wraps into ``max_lines`` lines (or the
    smallest, cut to ``max_lines``): (fonts, lines, size)."""
    for size in sizes:
        title_fonts = fonts(size, bold=True)
        lines = wrap(draw, text, title_fonts, width)
        if len(lines) <= max_lines:
            break
    return title_fonts, lines[:max_lines], size
