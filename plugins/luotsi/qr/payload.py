"""What a QR code says: pure functions, no images.

A page's code carries its canonical URL plus campaign parameters, so that visits from print
show up as their own campaign in any analytics tool. When the feedback service runs, the
code can carry a short first-party link instead (``/q/<code>``): shorter, so the code has
fewer modules and scans from further away, and each scan is counted before the redirect.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def campaign_url(url: str, params: Mapping[str, str]) -> str:
    """``url`` with the campaign parameters added (an existing parameter is kept)."""
    base, _, fragment = url.partition("#")
    if "?" not in base and "://" in base and base.split("://", 1)[0].islower():
        # A page's URL (every page of a site has one): no query to merge the parameters
        # into, so they are encoded once for all the pages that share them.
        query = _query(tuple((key, value) for key, value in params.items() if value))
        return base + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key, value in params.items():
        if value:
            query.setdefault(key, value)
    return urlunsplit(parts._replace(query=urlencode(query)))


@functools.lru_cache(maxsize=64)
def _query(params: tuple[tuple[str, str], ...]) -> str:
    return urlencode(params)


def short_code(target: str) -> str:
    """A stable 8-character code for ``target``: the same page keeps its code across builds,
    so printed codes stay valid as long as the page's URL and campaign do."""
    digest = hashlib.sha256(target.encode()).digest()
    alphabet = "23456789abcdefghijkmnpqrstuvwxyz"  # no 0/o, 1/l: readable when typed
    number = int.from_bytes(digest[:8], "big")
    return "".join(alphabet[(number >> (5 * i)) & 31] for i in range(8))


def contact_card(name: str, title: str, organisation: str, phone: str, email: str,
                 url: str) -> str:
    """A compact vCard 3.0: what phone cameras import from a code."""
    from ..staff.vcard import vcard

    return vcard(name, title, organisation, email, phone, url, version="3.0")
