"""URLs as search engines and feeds need them: absolute, percent-encoded, one per page."""

from __future__ import annotations

import functools
from urllib.parse import quote, urlsplit


@functools.lru_cache(maxsize=16384)
def absolute(siteurl: str, path: str) -> str:
    """Absolute URL of a site-relative path, percent-encoding non-ASCII (Japanese slugs).

    Cached: every page links the same home, menu and policy pages (about twenty calls a
    page)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{siteurl.rstrip('/')}/{quote(path.lstrip('/'), safe='/%#?=&~:+')}"


def lang_prefix(lang: str, default_lang: str, pattern: str) -> str:
    """Site-relative folder of a language's listings; the default language is the root."""
    return "" if lang == default_lang else pattern.format(lang=lang)


def save_as(url: str) -> str:
    """Output file of a pretty URL: ``en/blog/`` → ``en/blog/index.html``."""
    return url + "index.html" if (url == "" or url.endswith("/")) else url


def origin(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL; empty for a relative one."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
