"""What a QR code says: pure functions, no images.

A page's code carries its canonical URL plus campaign parameters, so that visits from print
show up as their own campaign in any analytics tool. When the feedback service runs, the
code can carry a short first-party link instead (``/q/<code>``): shorter, so the code has
fewer modules and scans from further away, and each scan is counted before the redirect.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..digests import sha256


def campaign_url(url: str, params: Mapping[str, str]) -> str:
    """``url`` with the campaign parameters added (an existing parameter is kept)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key, value in params.items():
        if value:
            query.setdefault(key, value)
    return urlunsplit(parts._replace(query=_query(tuple(query.items()))))


@functools.lru_cache(maxsize=64)
def _query(pairs: tuple[tuple[str, str], ...]) -> str:
    """Most pages carry the same campaign parameters: encoded once for all of them."""
    return urlencode(pairs)


def short_code(target: str) -> str:
    """A stable 8-character code for ``target``: the same page keeps its code across builds,
    so printed codes stay valid as long as the page's URL and campaign do."""
    digest = sha256(target.encode()).digest()
    alphabet = "23456789abcdefghijkmnpqrstuvwxyz"  # no 0/o, 1/l: readable when typed
    number = int.from_bytes(digest[:8], "big")
    return "".join(alphabet[(number >> (5 * i)) & 31] for i in range(8))


def contact_card(name: str, title: str, organisation: str, phone: str, email: str,
                 url: str) -> str:
    """A compact vCard 3.0: what phone cameras import from a code."""
    from ..staff.vcard import vcard

    return vcard(name, title, organisation, email, phone, url, version="3.0")
