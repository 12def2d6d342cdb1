"""QR codes: encoded with zxing-cpp, drawn as one compact SVG path, and, for posters only, as
a bitmap.

zxing-cpp (C++) was chosen by measurement (``bench/build.py --qr-libraries``): it encodes a
page's URL about fifty times faster than segno, a pure-Python encoder. Even so, encoding was
a tenth of what the build's own process did on a cold build of a large site, so the workers
make the codes as soon as every page's URL is known, ahead of the pages that show them (a
page whose code is not made yet makes it itself). Codes are cached by a hash of what they
say, so a rebuild reads them back instead. Every code keeps the 4-module quiet zone the standard
requires. A page's code lives inline in the page (for print) and as an SVG file for download;
only posters need pixels, drawn from the same modules.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageOps

from .. import cache_files
from ..cache_files import replacing
from ..digests import sha256

QUIET_ZONE = 4  # modules; ISO/IEC 18004 requires four
_VERSION = "3"
_DARK = bytes(1 if value < 128 else 0 for value in range(256))  # zxing's grey → 1 = dark
_INK = bytes(0 if value else 255 for value in range(256))  # 1 = dark → a black pixel
_TEXT = bytes(ord("1") if value < 128 else ord("0") for value in range(256))  # grey → "1"/"0"
_RUNS = re.compile(r"1+0*")  # a dark run and the light gap after it


class _Runs(dict[str, str]):
    """Path commands of a dark run of ``n`` modules and the gap of ``k`` after it, made once:
    a filled 1×n box, then a move to where the next run starts (``z`` returns to the box's
    corner). A row is its runs' commands joined, with no formatting per run."""

    def __missing__(self, token: str) -> str:
        n = token.index("0") if "0" in token else len(token)
        self[token] = command = f"h{n}v1h-{n}zm{len(token)} 0"
        return command


_RUN_COMMANDS = _Runs()


@dataclass(frozen=True, slots=True)
class Code:
    payload: str
    error: str = "m"

    @property
    def name(self) -> str:
        digest = sha256(f"{_VERSION}\0{self.error}\0{self.payload}".encode())
        return digest.hexdigest()[:16]

    @property
    def file(self) -> str:
        """The code's SVG file name, in the cache folder and in the output."""
        return self.name + ".svg"


def modules(code: Code) -> tuple[int, bytes]:
    """(side, one byte per module, 1 = dark) of the code, without its quiet zone."""
    side, grey = _grey(code)
    return side, grey.translate(_DARK)


def _grey(code: Code) -> tuple[int, bytes]:
    barcode = zxingcpp.create_barcode(code.payload, zxingcpp.BarcodeFormat.QRCode,
                                      ec_level=code.error.upper())
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))
    return image.shape[0], image.tobytes()


def svg_text(code: Code) -> str:
    """The code as an SVG: a white square and one path of the dark runs of each row, every
    row starting at the quiet zone's edge and moving on relatively from run to run."""
    side, grey = _grey(code)
    text = grey.translate(_TEXT).decode("ascii")
    commands = _RUN_COMMANDS
    rows = []
    for y in range(side):
        row = text[y * side:(y + 1) * side]
        dark = row.find("1")
        if dark >= 0:
            rows.append(f"M{QUIET_ZONE + dark} {QUIET_ZONE + y}"
                        + "".join([commands[run] for run in _RUNS.findall(row, dark)]))
    size = side + 2 * QUIET_ZONE
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
            f'<path fill="#fff" d="M0 0h{size}v{size}H0z"/><path d="{"".join(rows)}"/></svg>')


def cached_svg(code: Code, cache_dir: str) -> str:
    """The code's SVG, from the cache folder or made (and kept there) now."""
    path = os.path.join(cache_dir, code.file)
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        pass
    return _save(code, path)


def _save(code: Code, path: str) -> str:
    text = svg_text(code)
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    return text


def make_batch(batch: list[tuple[Code, str]]) -> int:
    """Make codes into the cache folder ahead of the pages that show them (in a worker, on
    another core: encoding is most of what a page's code costs the build when it writes the
    page). A code the build made first is left alone; the two would be the same bytes.
    Returns how many were made."""
    made = 0
    for code, cache_dir in batch:
        path = os.path.join(cache_dir, code.file)
        if not os.path.exists(path):
            _save(code, path)
            made += 1
    return made


def inline_svg(code: Code, cache_dir: str, label: str) -> str:
    """The code as an element to put in a page, labelled for screen readers (``label`` is
    escaped by the caller)."""
    return cached_svg(code, cache_dir).replace("<svg ", f'<svg role="img" aria-label="{label}" ',
                                               1)


def png(code: Code, scale: int, path: str) -> None:
    """A 1-bit PNG of the code, ``scale`` pixels per module, for a poster."""
    side, matrix = modules(code)
    image = Image.frombytes("L", (side, side), matrix.translate(_INK))
    image = ImageOps.expand(image, border=QUIET_ZONE, fill=255).convert("1")
    size = (side + 2 * QUIET_ZONE) * scale
    image = image.resize((size, size), Image.Resampling.NEAREST)
    with replacing(path) as tmp:
        image.save(tmp, "PNG", optimize=True)


def publish(codes: list[Code], cache_dir: str, output_dir: str) -> None:
    """Every code's SVG file into the output (made now if no page showed it)."""
    made = cache_files.listing(cache_dir)
    make_batch([(code, cache_dir) for code in codes if code.file not in made])
    cache_files.publish((code.file for code in codes), cache_dir, output_dir)
