"""Paid posts: outbound links carry ``rel="sponsored"`` so search engines discount them,
as Google asks of paid links; the visible disclosure is in the theme."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_ANCHOR = re.compile(r"<a\b([^>]*)>", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_REL = re.compile(r"""\brel\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)


def mark_sponsored_links(html: str, site_host: str) -> str:
    """Add ``sponsored`` (and ``noopener``) to the rel of every link leaving ``site_host``."""

    def fix(match: re.Match[str]) -> str:
        attrs = match.group(1)
        href = _HREF.search(attrs)
        if not href:
            return match.group(0)
        host = urlsplit(href.group(2)).netloc
        if not host or host == site_host:
            return match.group(0)
        rel = _REL.search(attrs)
        if rel:
            values = rel.group(2).split()
            values += [v for v in ("sponsored", "noopener") if v not in values]
            attrs = attrs[: rel.start()] + f'rel="{" ".join(values)}"' + attrs[rel.end():]
        else:
            attrs += ' rel="sponsored noopener"'
        return f"<a{attrs}>"

    return _ANCHOR.sub(fix, html)
