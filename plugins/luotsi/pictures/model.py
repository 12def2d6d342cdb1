"""What a page asks for in its header (``Image:``, ``Image-Alt:``, ``Gallery:``), read and
checked for the author: pure, no Pelican.

A picture without a description is a finding: visitors who cannot see it, and search
engines, only get the words. A gallery is written on one line, each picture as
``path = description``, separated by ``;``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

Problem = tuple[str, str, str]  # field, problem, fix


@dataclass(frozen=True)
class Wanted:
    """A picture a page asks for: where it is and what it shows."""

    path: str  # absolute path of the source file
    alt: str
    field: str  # the header field that asked for it (for the finding's line)


def _source(content_root: str, value: str) -> str:
    return os.path.join(content_root, value.strip().lstrip("/"))


def wanted(meta: dict[str, Any], content_root: str) -> tuple[Wanted | None, list[Wanted],
                                                             list[Problem]]:
    """(main picture, gallery, problems) of one page's metadata (lower-case keys)."""
    problems: list[Problem] = []
    main = None
    image = str(meta.get("image") or "").strip()
    alt = " ".join(str(meta.get("image-alt") or meta.get("image_alt") or "").split())
    if image:
        if not alt:
            problems.append(("image", f"the picture {image!r} has no description",
                             "add 'Image-Alt: what the picture shows' under Image:, in the "
                             "page's language (e.g. Image-Alt: Six huskies pull a sled "
                             "across a frozen lake)"))
        main = Wanted(_source(content_root, image), alt, "image")
    elif alt:
        problems.append(("image-alt", "Image-Alt: is set but there is no Image:",
                         "add 'Image: images/your-picture.jpg' or remove Image-Alt:"))
    gallery = []
    for n, part in enumerate(p for p in str(meta.get("gallery") or "").split(";")
                             if p.strip()):
        path, _, text = part.partition("=")
        text = " ".join(text.split())
        if not text:
            problems.append(("gallery", f"gallery picture {n + 1} ({path.strip()!r}) has no "
                             "description", "write it as 'path = what the picture shows', "
                             "pictures separated by ';'"))
        gallery.append(Wanted(_source(content_root, path), text, "gallery"))
    for picture in [main, *gallery]:
        if picture is not None and not os.path.isfile(picture.path):
            shown = os.path.relpath(picture.path, content_root)
            problems.append((picture.field, f"the picture {shown!r} does not exist",
                             "put the file there or fix the path (relative to the content "
                             "folder, e.g. images/husky.jpg)"))
    return main, gallery, problems
