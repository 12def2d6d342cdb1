"""Content mistakes in a multilingual site, as findings with the fix spelled out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pelican.utils import get_date

from ..settings import language_code_problem
from ..sources import header_fields


def unreadable_source(path: str) -> list[tuple[str, str, str]]:
    """Why Pelican could not read a file: (field, problem, fix) per bad header field."""
    problems = []
    fields = header_fields(path)
    for name in ("date", "modified"):
        if name in fields:
            raw = fields[name][1]
            try:
                get_date(raw)
            except (ValueError, OverflowError):
                problems.append((name, f"malformed {name.capitalize()} {raw!r}",
                                 f"write it as YYYY-MM-DD or YYYY-MM-DD HH:MM, e.g. "
                                 f"{name.capitalize()}: 2026-05-12 09:30"))
    if "title" not in fields:
        problems.append(("title", "no Title", "add a line 'Title: ...' at the top of the file"))
    return problems


def item_problems(item: Any, languages: Sequence[str]) -> list[tuple[str, str, str]]:
    """(field, problem, fix) for one content item."""
    problems = []
    lang = item.lang
    if language_code_problem(lang) or lang not in languages:
        problems.append(("lang", f"unknown language code {lang!r}",
                         f"use one of {', '.join(languages)} (LUOTSI_LANGUAGES), or add "
                         f"{lang!r} to LUOTSI_LANGUAGES in pelicanconf.py"))
    if not item.slug:
        problems.append(("title", "the title gives an empty URL slug",
                         "add 'Slug: some-words' (Japanese slugs need SLUGIFY_USE_UNICODE = "
                         "True)"))
    return problems


def group_problems(items: Iterable[Any]) -> list[tuple[Any, str, str, str]]:
    """(item, field, problem, fix) for a translation group that does not hold together."""
    items = sorted(items, key=lambda i: i.source_path)  # the first file by name is kept
    problems = []
    seen: dict[str, Any] = {}
    for item in items:
        if item.lang in seen:
            other = seen[item.lang]
            problems.append((item, "lang",
                             f"a second {item.lang!r} version of '{item.translation_key}' "
                             f"(the first is {other.relative_source_path})",
                             "give one of them another Lang:, or a different "
                             "Translation-Key: if it is a different post"))
        else:
            seen[item.lang] = item
    marked = [i for i in items if str(i.metadata.get("translation", "false")).lower()
              not in ("false", "")]
    if len(items) == 1 and marked:
        item = items[0]
        problems.append((item, "translation",
                         f"marked as a translation but no other language version has "
                         f"translation key '{item.translation_key}'",
                         "set Translation-Key: (or Slug:) to the key of the original post, "
                         "or remove 'Translation: true'"))
    return problems
