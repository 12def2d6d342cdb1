"""Staff photos: rotated per EXIF, stripped of all metadata, resized, WebP plus JPEG.

Work is keyed by a hash of the source bytes and the requested widths, and kept in a cache
folder, so an unchanged photo is never decoded twice across builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .. import cache_files

MAX_PIXELS = 40_000_000  # a 40-megapixel portrait is already far more than a web page needs
_VERSION = "1"


class PhotoError(ValueError):
    """The photo cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    webp: str  # file name inside the output photo folder
    jpeg: str


def _key(data: bytes, widths: tuple[int, ...]) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"{_VERSION}:{widths}".encode())
    return digest.hexdigest()[:16]


def _cached(source: str, widths: tuple[int, ...], cache_dir: str
            ) -> tuple[str, list[Variant] | None]:
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise PhotoError(f"photo file not found ({error.strerror})") from None
    key = _key(data, widths)
    manifest = os.path.join(cache_dir, f"{key}.json")
    if not os.path.exists(manifest):
        return key, None
    with open(manifest, encoding="utf-8") as handle:
        return key, [Variant(**v) for v in json.load(handle)]


def process(source: str, widths: tuple[int, ...], cache_dir: str) -> list[Variant]:
    """Variants of ``source`` in ``cache_dir``, made only when not cached already."""
    key, variants = _cached(source, widths, cache_dir)
    if variants is not None:
        return variants
    variants = _render(source, key, widths, cache_dir)
    with open(os.path.join(cache_dir, f"{key}.json"), "w", encoding="utf-8") as handle:
        json.dump([asdict(v) for v in variants], handle)
    return variants


def process_many(sources: Mapping[str, str], widths: tuple[int, ...], cache_dir: str
                 ) -> dict[str, list[Variant] | PhotoError]:
    """``process`` for each named source; photos not yet cached are decoded in parallel.

    Decoding a camera-sized JPEG takes a large fraction of a second, so a first build of a
    big team is bound by it; cached photos only cost a hash and stay in this process.
    """
    results: dict[str, list[Variant] | PhotoError] = {}
    todo = []
    for name, source in sources.items():
        try:
            _, variants = _cached(source, widths, cache_dir)
        except PhotoError as error:
            results[name] = error
            continue
        if variants is None:
            todo.append(name)
        else:
            results[name] = variants
    workers = min(len(todo), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            futures = {name: pool.submit(_process_or_error, sources[name], widths, cache_dir)
                       for name in todo}
            results.update({name: future.result() for name, future in futures.items()})
    else:
        results.update({name: _process_or_error(sources[name], widths, cache_dir)
                        for name in todo})
    return results


def _process_or_error(source: str, widths: tuple[int, ...], cache_dir: str
                      ) -> list[Variant] | PhotoError:
    try:
        return process(source, widths, cache_dir)
    except PhotoError as error:
        return error


def _render(source: str, key: str, widths: tuple[int, ...], cache_dir: str) -> list[Variant]:
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        # The size is checked right after the header is read, before any decoding.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return _decode_and_render(source, key, widths, cache_dir, previous)


def _decode_and_render(source: str, key: str, widths: tuple[int, ...], cache_dir: str,
                       previous: int | None) -> list[Variant]:
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(f"image is {image.width}×{image.height} pixels, over the "
                                 f"{MAX_PIXELS // 1_000_000}-megapixel limit")
            # JPEG can decode at 1/2, 1/4 or 1/8 scale for free; ask for no less than the
            # widest variant, measured along the side that becomes the width once upright.
            turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            wanted = max(widths)
            image.draft("RGB", (1, wanted) if turned else (wanted, 1))
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoError(f"image is too large to decode safely ({error})") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise PhotoError(f"not a readable image ({error})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    os.makedirs(cache_dir, exist_ok=True)
    variants = []
    usable = [w for w in widths if w < upright.width] or [upright.width]
    for width in usable:
        height = round(upright.height * width / upright.width)
        resized = upright.resize((width, height), Image.Resampling.LANCZOS)
        # A fresh image carries no EXIF, GPS, ICC or XMP data: nothing is copied over.
        clean = Image.new("RGB", resized.size)
        clean.paste(resized)
        webp, jpeg = f"{key}-{width}.webp", f"{key}-{width}.jpg"
        clean.save(os.path.join(cache_dir, webp), "WEBP", quality=80, method=4)
        clean.save(os.path.join(cache_dir, jpeg), "JPEG", quality=82, optimize=True,
                   progressive=True)
        variants.append(Variant(width, height, webp, jpeg))
    return variants


def publish(variants: list[Variant], cache_dir: str, output_dir: str) -> None:
    """Put cached variants into the output (linking is cheap; decoding is not)."""
    cache_files.publish((name for v in variants for name in (v.webp, v.jpeg)), cache_dir,
                        output_dir)
