"""Pure computations over translation groups: no Pelican imports, no I/O.

Items are duck-typed: anything with ``translation_key``, ``lang``, ``url``, ``date``, an
optional ``modified`` and ``source_path``. Pelican articles and pages qualify, and so do
the small stand-ins the unit tests build.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

Group = dict[str, Any]  # language → item


def translation_key(metadata: dict[str, Any], source_path: str | None, lang: str | None,
                    slug: str | None) -> str:
    """Which post a file is a version of.

    ``Translation-Key:`` wins; a file named after its language inside a folder
    (``posts/husky-safari/en.md``) belongs to the folder's post; otherwise the slug, as in
    Pelican itself.
    """
    key = metadata.get("translation_key") or metadata.get("translation-key")
    if key:
        return str(key)
    if source_path:
        stem = os.path.splitext(os.path.basename(source_path))[0]
        if lang and stem.lower() == lang.lower():
            return os.path.basename(os.path.dirname(source_path))
    return slug or ""


def page_kind(item: Any, policy_pages: dict[str, str]) -> str:
    """What a page is, for its structured data: a trip, the contact, FAQ or about page (by
    the role the site gave its translation key), or a plain page."""
    if getattr(item, "luotsi_trip", None):
        return "trip"
    for role in ("contact", "faq", "about"):
        if policy_pages.get(role) == item.translation_key:
            return role
    return "page"


def group_items(items: Iterable[Any]) -> dict[str, list[Any]]:
    """Translation key → every item claiming it (duplicates kept so they can be reported)."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        groups[item.translation_key].append(item)
    return dict(groups)


def by_language(items: Sequence[Any]) -> Group:
    """Language → item of one translation group; the first file wins a duplicated language."""
    group: Group = {}
    for item in sorted(items, key=lambda i: i.source_path):
        group.setdefault(item.lang, item)
    return group


def original_of(group: Group, default_lang: str, languages: Sequence[str]) -> Any:
    """The version others translate: the default language's, else the earliest written.

    A copy still waiting for its translation (``Untranslated: yes``) is never the original
    while another version exists, even in the default language."""
    versions = [i for i in group.values() if not is_untranslated(i)] or list(group.values())
    for item in versions:
        if item.lang == default_lang:
            return item
    explicit = [i for i in versions if not _is_marked_translation(i)]
    candidates = explicit or versions
    order = {lang: n for n, lang in enumerate(languages)}
    return min(candidates, key=lambda i: (order.get(i.lang, len(order)), i.source_path))


def _is_marked_translation(item: Any) -> bool:
    marked = getattr(item, "metadata", {}).get("translation", "false")
    return str(marked).lower() not in ("false", "")


UNTRANSLATED_FIELD = "Untranslated"


def is_untranslated(item: Any) -> bool:
    """Whether the file is a copy of another language's text waiting for its translation
    (``luotsi new translation`` writes ``Untranslated: yes``; the translator removes it)."""
    marked = getattr(item, "metadata", {}).get(UNTRANSLATED_FIELD.lower(), "")
    return str(marked).strip().lower() not in ("", "no", "false", "0")


class Alternate(NamedTuple):
    """An hreflang link; a pair, as the sitemap lists it."""

    hreflang: str
    url: str


def alternates(item: Any, group: Group, languages: Sequence[str], default_lang: str,
               ) -> tuple[Alternate, ...]:
    """hreflang links of one item: itself and each existing translation, plus x-default.

    The same links are produced for every member of a group, which is what makes them
    reciprocal, as search engines require; one tuple serves every member's page and its
    sitemap record, rather than a copy per member (with L languages, L² links a group).
    """
    links = [Alternate(lang, group[lang].url) for lang in languages if lang in group]
    extra = sorted(lang for lang in group if lang not in languages)
    links += [Alternate(lang, group[lang].url) for lang in extra]
    links.append(Alternate("x-default", original_of(group, default_lang, languages).url))
    return tuple(links)


@dataclass(frozen=True, slots=True)
class SwitchTarget:
    lang: str
    name: str
    url: str
    available: bool  # False: the item is not translated; url is that language's home
    current: bool


def switcher(lang: str, group: Group | None, languages: Sequence[str], names: dict[str, str],
             home_urls: dict[str, str], missing_fragment: str = "untranslated",
             shared: dict[SwitchTarget, SwitchTarget] | None = None) -> list[SwitchTarget]:
    """Where each language's switcher link lands for a page in ``lang``.

    A missing translation lands on that language's home page at ``#untranslated``, where a
    notice (shown with CSS ``:target``, no script) says the page is not translated.

    The members of a group can pass one ``shared`` dict: their switchers then hold one copy
    of each target, and differ only in the target of the page's own language (L targets a
    member instead of L² a group, with L languages).
    """
    targets = []
    for other in languages:
        if group is not None and other in group:
            targets.append(SwitchTarget(other, names[other], group[other].url, True,
                                        other == lang))
        elif group is None:
            targets.append(SwitchTarget(other, names[other], home_urls[other], True,
                                        other == lang))
        else:
            targets.append(SwitchTarget(other, names[other],
                                        f"{home_urls[other]}#{missing_fragment}", False, False))
    if shared is not None:
        targets = [shared.setdefault(target, target) for target in targets]
    return targets


@dataclass(frozen=True)
class Entry:
    """One line of a language's listing: the item shown and whether it is a stand-in."""

    item: Any
    fallback: bool = False


def listing(lang: str, groups: dict[str, Group], languages: Sequence[str], default_lang: str,
            policy: str) -> list[Entry]:
    """A language's posts, newest first; untranslated ones per the missing-translation policy."""
    entries = []
    for group in groups.values():
        if lang in group:
            entries.append(Entry(group[lang]))
        elif policy == "fallback":
            entries.append(Entry(original_of(group, default_lang, languages), fallback=True))
    entries.sort(key=lambda e: e.item.date, reverse=True)
    return entries


def last_change(item: Any) -> Any:
    """When an item last changed: ``Modified:``, else ``Date:``, else None (undated pages)."""
    return getattr(item, "modified", None) or getattr(item, "date", None)


@dataclass
class ReportRow:
    key: str
    kind: str
    title: str
    original: str
    source: str
    # lang → ok | original | missing | stale | untranslated
    status: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def having(self, status: str) -> list[str]:
        return [lang for lang, s in self.status.items() if s == status]

    @property
    def missing(self) -> list[str]:
        return self.having("missing")

    @property
    def stale(self) -> list[str]:
        return self.having("stale")

    @property
    def untranslated(self) -> list[str]:
        return self.having("untranslated")


def translation_report(groups: dict[str, Group], kind: str, languages: Sequence[str],
                       default_lang: str) -> list[ReportRow]:
    """Per translation group: which languages exist, which are missing, which are stale and
    which are copies still waiting for their translation.

    A translation is stale when its original changed (``Modified:``) after the translation's
    own last change.
    """
    rows = []
    for key, group in sorted(groups.items()):
        original = original_of(group, default_lang, languages)
        row = ReportRow(key, kind, original.title, original.lang, original.source_path)
        for lang in languages:
            item = group.get(lang)
            if item is None:
                row.status[lang] = "missing"
                continue
            row.urls[lang] = item.url
            if item is original:
                row.status[lang] = "original"
            elif is_untranslated(item):
                row.status[lang] = "untranslated"
            elif _newer(last_change(original), last_change(item)):
                row.status[lang] = "stale"
            else:
                row.status[lang] = "ok"
        rows.append(row)
    return rows


def _newer(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a > b
