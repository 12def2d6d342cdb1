"""A JPEG made from a fixed background and a changed band of rows, without encoding the
background again.

Share cards are one background with a title on it, thousands per site, and encoding the
whole 1200×630 card was most of the cost of each. A JPEG written with a restart marker
after every row of MCUs (``restart_marker_rows=1``) codes each such row on its own: the DC
prediction starts afresh, the bits end on a byte. With the same quality, subsampling and
the standard Huffman tables, a row of pixels always becomes the same bytes. So the
background is encoded once, the band that holds the title is encoded alone, and the card's
JPEG is the background's rows with the band's rows in their place, byte for byte what
encoding the whole card would have given (the tests compare the two).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from PIL import Image

_RST = re.compile(rb"\xff[\xd0-\xd7]")
_SOF0 = b"\xff\xc0"


@dataclass(frozen=True)
class Rows:
    """A JPEG split at its restart markers: everything before the scan, and each MCU row's
    entropy-coded bytes."""

    header: bytes
    rows: tuple[bytes, ...]


def encode(image: Image.Image, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", restart_marker_rows=1, **options)
    return buffer.getvalue()


def split(data: bytes) -> Rows:
    """The rows of a baseline JPEG that has a restart marker after every MCU row."""
    position = 2  # after SOI
    while True:
        if data[position] != 0xFF:
            raise ValueError("not a JPEG segment")
        marker = data[position + 1]
        length = int.from_bytes(data[position + 2:position + 4], "big")
        position += 2 + length
        if marker == 0xDA:  # start of scan: the entropy-coded data follows
            break
    end = data.rindex(b"\xff\xd9")
    return Rows(data[:position], tuple(_RST.split(data[position:end])))


def _without_height(header: bytes) -> bytes:
    """The header with the frame's height blanked out (the only field a band changes)."""
    sof = header.index(_SOF0)
    return header[:sof + 5] + b"\0\0" + header[sof + 7:]


def splice(background: Rows, first_row: int, band: Rows) -> bytes | None:
    """``background`` with ``band``'s rows in place of its own from ``first_row`` on; None
    when the two were not encoded alike (other tables: encode the whole image instead)."""
    try:
        alike = _without_height(band.header) == _without_height(background.header)
    except ValueError:  # not baseline: no SOF0
        return None
    if not alike or first_row + len(band.rows) > len(background.rows):
        return None
    rows = [*background.rows[:first_row], *band.rows,
            *background.rows[first_row + len(band.rows):]]
    out = bytearray(background.header)
    for number, row in enumerate(rows):
        out += row
        if number < len(rows) - 1:
            out += bytes((0xFF, 0xD0 + number % 8))
    out += b"\xff\xd9"
    return bytes(out)
