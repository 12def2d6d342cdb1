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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache, partial
from typing import Any, BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError, features

from . import cache_files
from .background import Background, hand_back_memory

MAX_PIXELS = 40_000_000  # 40 megapixels is already far more than a web page needs
_VERSION = "4"  # bumped when what is made changes (4: portraits are no longer enlarged)

# Pillow format name, MIME type and encoder options of each modern format. The qualities
# were chosen by eye on the demo's pictures (bench/build.py --image-formats measures them).
# The AV1 encoder's threads are fixed: by default Pillow gives it as many as the machine has
# cores, and one thread writes other bytes than two or more (a 960 px variant: 54,874 bytes
# against 55,086 with 2, 4 or 8), so a site built on a one-core machine differed from the
# same site built elsewhere. Two also keeps a many-core machine's workers, one per core,
# from starting a thread per core each.
AVIF_THREADS = 2
FORMATS: dict[str, tuple[str, str, dict[str, object]]] = {
    "avif": ("AVIF", "image/avif", {"quality": 55, "speed": 7, "max_threads": AVIF_THREADS}),
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
    # The same picture cropped for phones held upright (the home page's hero): a 2:1 picture
    # covering a box taller than it is wide would need a variant 2.5 times the screen's width.
    portrait: Picture | None = None

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
        return Picture(self.variants, self.folder, alt, self.modern_type, self.portrait)


def _key(source: BinaryIO, recipe: Recipe) -> str:
    """The source's cache key, read 64 KB at a time: read whole, a 4 MB camera photo was
    one block that glibc served by mmap, and freeing it raised glibc's threshold for mapping
    large blocks to 4 MB, so that the build's later blocks up to that size came from its
    heap and left it 5-6 MB larger while the photos were made (measured)."""
    digest = hashlib.sha256()
    for block in iter(partial(source.read, 1 << 16), b""):
        digest.update(block)
    digest.update(f"{_VERSION}:{recipe}:{FORMATS[recipe.fmt][2]}:{JPEG_OPTIONS}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Plan:
    """What will be made of one source: its cache key and variants (known from its header
    alone), and whether they are in the cache already."""

    source: str
    key: str
    variants: tuple[Variant, ...]
    cached: bool


def _with_bomb_guard() -> Any:
    """Pillow's decompression-bomb limit at :data:`MAX_PIXELS`, while a picture is opened."""

    @contextmanager
    def guard() -> Iterator[None]:
        previous = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            with warnings.catch_warnings():
                # The size is checked right after the header is read, before any decoding.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageError(f"image is too large to decode safely ({error})") from None
        except (UnidentifiedImageError, OSError, SyntaxError) as error:
            raise ImageError(f"not a readable image ({error})") from None
        finally:
            Image.MAX_IMAGE_PIXELS = previous

    return guard()


def _framed(width: int, height: int, aspect: tuple[int, int] | None) -> tuple[int, int]:
    """The size of the upright picture after the recipe's crop."""
    if not aspect:
        return width, height
    w, h = aspect
    side = min(width, round(height * w / h))
    return side, round(side * h / w)


def plan(source: str, recipe: Recipe, cache_dir: str) -> Plan:
    """The variants ``recipe`` makes of ``source``: read from the cache, else computed from
    the picture's header (size and EXIF orientation), without decoding a pixel."""
    try:
        with open(source, "rb") as handle:
            key = _key(handle, recipe)
    except OSError as error:
        raise ImageError(f"picture file not found ({error.strerror})") from None
    manifest = os.path.join(cache_dir, f"{key}.json")
    if os.path.exists(manifest):
        with open(manifest, encoding="utf-8") as handle:
            return Plan(source, key, tuple(Variant(**v) for v in json.load(handle)), True)
    with _with_bomb_guard(), Image.open(source) as image:
        if image.width * image.height > MAX_PIXELS:
            raise ImageError(f"image is {image.width}×{image.height} pixels, over the "
                             f"{MAX_PIXELS // 1_000_000}-megapixel limit")
        turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
        width, height = (image.height, image.width) if turned else image.size
    width, height = _framed(width, height, recipe.aspect)
    usable = [w for w in recipe.widths if w < width] or [width]
    if width < max(recipe.widths) and usable[-1] < width:
        usable.append(width)  # narrower than the widest asked for: its own width is the last
    fmt = recipe.fmt
    return Plan(source, key, tuple(
        Variant(w, round(height * w / width), f"{key}-{w}.{fmt}", f"{key}-{w}.jpg")
        for w in usable), False)


def draft_size(widest: int, aspect: tuple[int, int] | None, turned: bool) -> tuple[int, int]:
    """The least size to decode a JPEG at (it decodes at 1/2, 1/4 or 1/8 scale for free):
    once upright and cropped to ``aspect``, the picture must still be ``widest`` wide. A
    crop to portrait needs the height too: asking for the width alone, a 4000 × 3000 photo
    was decoded at 1000 × 750, cropped to 600 × 750, and its 960 variant enlarged from that."""
    width, height = widest, 1
    if aspect:
        height = -(-widest * aspect[1] // aspect[0])  # rounded up
    return (height, width) if turned else (width, height)


def render(todo: Plan, recipe: Recipe, cache_dir: str) -> None:
    """Make the planned variants (and the manifest that marks them done) in ``cache_dir``.

    A camera photo's pixels are 12 MB at half scale and the AV1 encoder takes 25-30 MB more
    for a 960 px variant, so what else is alive while it runs is the worker's peak: every
    variant is resized first, then the decoded picture is freed (``with`` closes the file
    only: ``close()`` frees the pixels), and then the variants are encoded. A worker held
    83-87 MB at a photo's widest AVIF, now 68-69 (measured, 4000 × 3000 portraits)."""
    widest = max(v.width for v in todo.variants)
    with _with_bomb_guard():
        image = Image.open(todo.source)
        try:
            turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            image.draft("RGB", draft_size(widest, recipe.aspect, turned))
            ImageOps.exif_transpose(image, in_place=True)
            upright = image if image.mode == "RGB" else image.convert("RGB")
            if recipe.aspect:  # a portrait crop, a little above the middle, where faces are
                upright = ImageOps.fit(upright, _framed(*upright.size, recipe.aspect),
                                       centering=(0.5, 0.4))
            # A fresh image carries no EXIF, GPS, ICC or XMP data: nothing is copied over.
            cleans = []
            for variant in todo.variants:
                clean = Image.new("RGB", (variant.width, variant.height))
                clean.paste(upright.resize(clean.size, Image.Resampling.LANCZOS))
                cleans.append(clean)
        finally:
            image.close()
        del upright
    os.makedirs(cache_dir, exist_ok=True)
    pillow_format, _, options = FORMATS[recipe.fmt]
    for variant in reversed(todo.variants):  # the widest first, each freed once written
        clean = cleans.pop()
        with cache_files.replacing(os.path.join(cache_dir, variant.modern)) as tmp:
            clean.save(tmp, pillow_format, **options)
        with cache_files.replacing(os.path.join(cache_dir, variant.jpeg)) as tmp:
            clean.save(tmp, "JPEG", **JPEG_OPTIONS)
        del clean
    cache_files.write_json(os.path.join(cache_dir, f"{todo.key}.json"),
                           [asdict(v) for v in todo.variants])


def process(source: str, recipe: Recipe, cache_dir: str) -> list[Variant]:
    """Variants of ``source`` in ``cache_dir``, made now unless cached already."""
    todo = plan(source, recipe, cache_dir)
    if not todo.cached:
        render(todo, recipe, cache_dir)
    return list(todo.variants)


def render_batch(batch: list[tuple[Plan, Recipe, str]]) -> list[tuple[str, str]]:
    """Make a batch of planned pictures (in a worker); returns (source, problem) of those
    that could not be decoded after all."""
    failed = []
    for todo, recipe, cache_dir in batch:
        try:
            render(todo, recipe, cache_dir)
        except ImageError as error:
            failed.append((todo.source, str(error)))
    hand_back_memory()  # a photo's pixels and encoders, freed, are most of a worker's memory
    return failed


class Pipeline:
    """Pictures planned at once (so that pages naming their variants can be written) and
    made on other cores while the pages are written; :meth:`finish` waits for them.

    Decoding a camera-sized JPEG takes a large fraction of a second, so a first build of a
    site with many pictures is bound by it; a cached picture costs a hash."""

    def __init__(self, recipe: Recipe, cache_dir: str, background: Background):
        self.recipe, self.cache_dir, self.background = recipe, cache_dir, background
        self.made = 0
        self.queued: set[str] = set()

    def add(self, source: str, recipe: Recipe | None = None) -> list[Variant] | ImageError:
        recipe = recipe or self.recipe
        try:
            todo = plan(source, recipe, self.cache_dir)
        except ImageError as error:
            return error
        if not todo.cached and todo.key not in self.queued:  # the same photo twice: made once
            self.queued.add(todo.key)
            self.made += 1
            self.background.batch(render_batch, (todo, recipe, self.cache_dir), size=1)
        return list(todo.variants)

    def finish(self) -> dict[str, str]:
        """Source → problem, for pictures whose header read well but whose pixels did not."""
        return dict(pair for failed in self.background.results(render_batch)
                    for pair in failed)


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
