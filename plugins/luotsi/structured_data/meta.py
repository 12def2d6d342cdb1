"""Title, description, OpenGraph and Twitter tags of one page, as (name, content) pairs.

Search results show about 155 characters of a description, and social networks cut theirs
similarly; trimming at a word boundary keeps the cut readable in every language, including
Japanese, which has no spaces (there the cut falls on a character).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import unescape

DESCRIPTION_MAX = 155
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(html: str) -> str:
    return _SPACE.sub(" ", unescape(_TAGS.sub(" ", html or ""))).strip()


def trim(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis."""
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:–—-") + "…"


@dataclass
class Image:
    url: str
    width: int
    height: int
    alt: str = ""


@dataclass
class Meta:
    title: str
    description: str
    canonical: str
    og: list[tuple[str, str]] = field(default_factory=list)
    twitter: list[tuple[str, str]] = field(default_factory=list)


def meta_tags(*, title: str, description: str, canonical: str, og_type: str, site_name: str,
              locale: str, alternate_locales: Sequence[str], image: Image | None,
              published: dt.datetime | None = None, modified: dt.datetime | None = None
              ) -> Meta:
    og = [("og:type", og_type), ("og:title", title), ("og:description", description),
          ("og:url", canonical), ("og:site_name", site_name), ("og:locale", locale)]
    og += [("og:locale:alternate", other) for other in alternate_locales if other != locale]
    twitter = [("twitter:card", "summary_large_image" if image else "summary"),
               ("twitter:title", title), ("twitter:description", description)]
    if image:
        og += [("og:image", image.url), ("og:image:width", str(image.width)),
               ("og:image:height", str(image.height)), ("og:image:alt", image.alt or title)]
        twitter += [("twitter:image", image.url), ("twitter:image:alt", image.alt or title)]
    if og_type == "article" and published:
        og.append(("article:published_time", published.isoformat(timespec="seconds")))
        og.append(("article:modified_time",
                   (modified or published).isoformat(timespec="seconds")))
    return Meta(title, description, canonical, og, twitter)
