"""A placeholder staff portrait: a neutral silhouette, drawn rather than shipped, so that a new
profile builds (responsive variants, bylines, the audit's "every person has a photo") before
the real portrait arrives."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

BACKGROUND = (223, 230, 236)
FIGURE = (148, 162, 176)


def placeholder_portrait(size: int = 960) -> bytes:
    """A square JPEG of a head and shoulders, without any metadata."""
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    unit = size / 12
    draw.ellipse((4 * unit, 2 * unit, 8 * unit, 6.5 * unit), fill=FIGURE)  # head
    draw.ellipse((1.5 * unit, 7 * unit, 10.5 * unit, 15 * unit), fill=FIGURE)  # shoulders
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)  # no exif, icc or comment
    return buffer.getvalue()
