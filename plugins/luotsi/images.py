"""Pictures for the web, one pipeline for every picture the site shows: staff photos, the
pictures of posts, pages and trips, trip galleries and the home page's hero.

A picture is turned upright from its EXIF orientation, stripped of all metadata (a camera
writes GPS coordinates and serial numbers), refused when it is a decompression bomb, and
written at several widths in a modern format (AVIF, or WebP where Pillow lacks AVIF) plus
JPEG for old browsers. Work is keyed by a hash of the source bytes and of what is made from
them, and kept in a cache folder, so an unchanged picture is never decoded twice across
builds; pictures not cached yet are decoded in parallel.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import cache

from PIL import Image, ImageOps, UnidentifiedImageError, features

from . import cache_files

MAX_PIXELS = 40_000_000  # 40 megapixels is already far more than a web page needs
_VERSION = "2"

# Pillow format name, MIME type and encoder options of each modern format. The qualities
# were chosen by eye on the demo's pictures (bench/build.py --image-formats measures them).
FORMATS: dict[str, tuple[str, str, dict[str, object]]] = {
    "avif": ("AVIF", "image/avif", {"quality": 55, "speed": 7}),
    "webp": ("WEBP", "image/webp", {"quality": 80, "method": 4}),
}
JPEG_OPTIONS: dict[str, object] = {"quality": 82, "optimize": True, "progressive": True}


class ImageError(ValueError):
    """The picture cannot be used; the message says why and what to do."""


@cache
def modern_format(requested: str) -> str:
    """``requested`` if this Pillow can write it, else WebP (every Pillow build has it)."""
    return requested if requested != "avif" or features.check("avif") else "webp"


@dataclass(frozen=True)
class Recipe:
    """What is made from a source: its widths, the modern format, and optionally a crop to a
    fixed aspect (staff portraits are all 4:5, so that a card's ``sizes`` is exact)."""

    widths: tuple[int, ...]
    fmt: str = "avif"
    aspect: tuple[int, int] | None = None  # (width, height), e.g. (4, 5)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fmt", modern_format(self.fmt))


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    modern: str  # file name of the AVIF or WebP variant inside the published folder
    jpeg: str


@dataclass(frozen=True)
class Picture:
    """A processed picture as templates use it."""

    variants: tuple[Variant, ...]  # narrowest first
    folder: str  # site-relative folder the variants are published in
    alt: str = ""
    modern_type: str = "image/avif"

    @property
    def fallback(self) -> Variant:
        """What ``<img src>`` names: a middle size, for browsers that ignore ``srcset``."""
        return self.variants[min(1, len(self.variants) - 1)]

    @property
    def largest(self) -> Variant:
        return self.variants[-1]

    def share_variant(self, width: int = 1200) -> Variant:
        """The variant for OpenGraph and JSON-LD: the narrowest at least ``width`` wide (the
        size networks show), else the largest there is."""
        return next((v for v in self.variants if v.width >= width), self.largest)

    def with_alt(self, alt: str) -> Picture:
        return Picture(self.variants, self.folder, alt, self.modern_type)


def _key(data: bytes, recipe: Recipe) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"{_VERSION}:{recipe}:{FORMATS[recipe.fmt][2]}:{JPEG_OPTIONS}".encode())
    return digest.hexdigest()[:16]


def _cached(source: str, recipe: Recipe, cache_dir: str) -> tuple[str, list[Variant] | None]:
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise ImageError(f"picture file not found ({error.strerror})") from None
    key = _key(data, recipe)
    manifest = os.path.join(cache_dir, f"{key}.json")
    if not os.path.exists(manifest):
        return key, None
    with open(manifest, encoding="utf-8") as handle:
        return key, [Variant(**v) for v in json.load(handle)]


def process(source: str, recipe: Recipe, cache_dir: str) -> list[Variant]:
    """Variants of ``source`` in ``cache_dir``, made only when not cached already."""
    key, variants = _cached(source, recipe, cache_dir)
    if variants is not None:
        return variants
    variants = _render(source, key, recipe, cache_dir)
    with open(os.path.join(cache_dir, f"{key}.json.tmp"), "w", encoding="utf-8") as handle:
        json.dump([asdict(v) for v in variants], handle)
    os.replace(os.path.join(cache_dir, f"{key}.json.tmp"), os.path.join(cache_dir, f"{key}.json"))
    return variants


def process_many(sources: Mapping[str, str], recipe: Recipe, cache_dir: str
                 ) -> dict[str, list[Variant] | ImageError]:
    """``process`` for each named source; pictures not yet cached are decoded in parallel.

    Decoding a camera-sized JPEG takes a large fraction of a second, so a first build of a
    site with many pictures is bound by it; cached pictures only cost a hash, here.
    """
    results: dict[str, list[Variant] | ImageError] = {}
    todo = []
    for name, source in sources.items():
        try:
            _, variants = _cached(source, recipe, cache_dir)
        except ImageError as error:
            results[name] = error
            continue
        if variants is None:
            todo.append(name)
        else:
            results[name] = variants
    workers = min(len(todo), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            futures = {name: pool.submit(_process_or_error, sources[name], recipe, cache_dir)
                       for name in todo}
            results.update({name: future.result() for name, future in futures.items()})
    else:
        results.update({name: _process_or_error(sources[name], recipe, cache_dir)
                        for name in todo})
    return results


def _process_or_error(source: str, recipe: Recipe, cache_dir: str
                      ) -> list[Variant] | ImageError:
    try:
        return process(source, recipe, cache_dir)
    except ImageError as error:
        return error


def _render(source: str, key: str, recipe: Recipe, cache_dir: str) -> list[Variant]:
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        # The size is checked right after the header is read, before any decoding.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            upright = _decode(source, max(recipe.widths))
        finally:
            Image.MAX_IMAGE_PIXELS = previous
    if recipe.aspect:  # a portrait crop, a little above the middle, where faces are
        w, h = recipe.aspect
        side = min(upright.width, round(upright.height * w / h))
        upright = ImageOps.fit(upright, (side, round(side * h / w)), centering=(0.5, 0.4))
    os.makedirs(cache_dir, exist_ok=True)
    fmt = recipe.fmt
    pillow_format, _, options = FORMATS[fmt]
    variants = []
    usable = [w for w in recipe.widths if w < upright.width] or [upright.width]
    for width in usable:
        height = round(upright.height * width / upright.width)
        resized = upright.resize((width, height), Image.Resampling.LANCZOS)
        # A fresh image carries no EXIF, GPS, ICC or XMP data: nothing is copied over.
        clean = Image.new("RGB", resized.size)
        clean.paste(resized)
        modern, jpeg = f"{key}-{width}.{fmt}", f"{key}-{width}.jpg"
        clean.save(os.path.join(cache_dir, modern), pillow_format, **options)
        clean.save(os.path.join(cache_dir, jpeg), "JPEG", **JPEG_OPTIONS)
        variants.append(Variant(width, height, modern, jpeg))
    return variants


def _decode(source: str, widest: int) -> Image.Image:
    """The picture upright, in RGB, decoded at no more than the scale the widest variant
    needs."""
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ImageError(f"image is {image.width}×{image.height} pixels, over the "
                                 f"{MAX_PIXELS // 1_000_000}-megapixel limit")
            # JPEG can decode at 1/2, 1/4 or 1/8 scale for free; ask for no less than the
            # widest variant, measured along the side that becomes the width once upright.
            turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            image.draft("RGB", (1, widest) if turned else (widest, 1))
            image.load()
            return ImageOps.exif_transpose(image).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(f"image is too large to decode safely ({error})") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ImageError(f"not a readable image ({error})") from None


def publish(variants: list[Variant] | tuple[Variant, ...], cache_dir: str, output_dir: str
            ) -> None:
    """Put cached variants into the output (linking is cheap; decoding is not)."""
    cache_files.publish((name for v in variants for name in (v.modern, v.jpeg)), cache_dir,
                        output_dir)


def remove_copies(sources: list[str], content_dir: str, output_dir: str) -> None:
    """Never publish a picture as uploaded: its EXIF may hold GPS coordinates and serial
    numbers. A copy that Pelican's static generator made (the folder is in STATIC_PATHS) is
    removed from the output."""
    content = os.path.abspath(content_dir)
    output = os.path.abspath(output_dir)
    for source in sources:
        copy = os.path.join(output, os.path.relpath(os.path.abspath(source), content))
        if os.path.isfile(copy):
            os.remove(copy)
