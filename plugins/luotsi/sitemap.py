"""sitemap.xml with hreflang alternates, and robots.txt pointing at it.

Written from the pages every capability recorded during the build, so a new page type
appears in the sitemap without touching this module. Unlike today's sitemap plugin, the
alternates use ``href=`` and include the page itself, as search engines require.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import quoteattr

from .build import PageRecord
from .urls import absolute


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def sitemap_lines(pages: Iterable[PageRecord], siteurl: str) -> Iterator[str]:
    """The sitemap a page's entry at a time, to be written as it is made: at 5,000 pages the
    whole of it, made at once with its lines, left the build's process 4 MB larger for its
    last steps."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')
    seen = set()
    # By address, not in the order pages were written: that order follows how Pelican
    # happened to list the files, and the same site must give the same sitemap.
    for page in sorted(pages, key=lambda page: page.url):
        if not page.indexable or page.url in seen:
            continue
        seen.add(page.url)
        lastmod = _iso(page.lastmod)
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang={quoteattr(hreflang)} '
            f"href={quoteattr(absolute(siteurl, url))}/>\n"
            for hreflang, url in page.alternates) if len(page.alternates) > 1 else ""
        yield (f"<url>\n<loc>{_escape(absolute(siteurl, page.url))}</loc>\n"
               + (f"<lastmod>{lastmod}</lastmod>\n" if lastmod else "")
               + links + "</url>\n")
    yield "</urlset>\n"


def robots_txt(siteurl: str, disallow: Iterable[str] = ()) -> str:
    rules = "".join(f"Disallow: /{path.lstrip('/')}\n" for path in disallow)
    return f"User-agent: *\n{rules}Allow: /\n\nSitemap: {absolute(siteurl, 'sitemap.xml')}\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
