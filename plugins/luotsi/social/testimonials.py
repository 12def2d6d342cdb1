"""Testimonials as exported by ``luotsi feedback export-testimonials``: read and chosen.

Only what staff published with the sender's consent is in the file; a withdrawn consent or
an erased sender is gone from the next export. Quotes keep their language and date, and are
never marked up as reviews of the company (search engines treat that as self-serving).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Quote:
    text: str
    name: str
    lang: str
    date: dt.date | None  # shown in the page's locale


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def load(path: str) -> tuple[list[Quote], str | None]:
    """The quotes, newest first, and a problem with the file if there is one."""
    if not os.path.exists(path):
        return [], None
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        quotes = [Quote(str(q["text"]), str(q["name"]), str(q.get("lang") or lang),
                        _date(q.get("date")))
                  for lang, items in data["testimonials"].items() for q in items]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        return [], f"cannot be read ({error})"
    return sorted(quotes, key=lambda q: q.date or dt.date.min, reverse=True), None


def for_language(quotes: list[Quote], lang: str, limit: int | None = None) -> list[Quote]:
    """Quotes in ``lang`` first, then the others (each keeps its own language)."""
    ordered = [q for q in quotes if q.lang == lang] + [q for q in quotes if q.lang != lang]
    return ordered[:limit] if limit else ordered
