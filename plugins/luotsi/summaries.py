"""Posts' summaries kept from one build to the next.

A post without a ``Summary:`` of its own gets one from Pelican, which walks the post's HTML
with Python's HTML parser to cut it after ``SUMMARY_MAX_LENGTH`` words: a tenth of a
millisecond a post, again on every build. Vanilla Pelican asks for it on its index pages
only; Luotsi's pages ask for every post in every language (the page's description, the
listings' cards), which made it about 5 % of a cached rebuild of 3,600 posts.

What Pelican makes depends on nothing but the post's HTML, the ``SUMMARY_*`` settings and
Pelican's own code, so the cache keeps each summary by their hash. When writing starts, each
post whose summary is kept gets it in Pelican's own memo for the URL base its pages are
rendered with; a page rendered with another base (relative URLs) makes its own, as before.
Only the summaries this build asked for are written back, so the file never grows beyond
the site.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

import pelican
from pelican import signals

from .build import Build, NoBuildError
from .cache_files import read_kept, text_hash, write_kept

FILE = "summaries.json"
_KEPT = "summaries"
# Every list of content a generator keeps (Pelican's and Luotsi's generators alike).
_LISTS = ("articles", "translations", "drafts", "drafts_translations", "pages",
          "hidden_pages", "hidden_translations", "draft_pages", "draft_translations")


def recipe(settings: dict[str, Any]) -> str:
    """What, besides a post's HTML, its summary depends on."""
    return json.dumps([pelican.__version__, settings.get("SUMMARY_MAX_LENGTH"),
                       settings.get("SUMMARY_END_SUFFIX"),
                       settings.get("SUMMARY_MAX_PARAGRAPHS")])


class Summaries:
    """The summaries the last build made, and the posts of this one they were handed to."""

    def __init__(self, path: str, settings: dict[str, Any]):
        self.path, self.recipe = path, recipe(settings)
        # none kept, or made under other settings: Pelican makes them all
        self.before: dict[str, str] = read_kept(path, self.recipe, _KEPT)
        self.asked: list[tuple[Any, tuple[Any, str], str]] = []
        self.items: list[Any] = []  # this build's posts, until writing starts

    def hand_out(self) -> None:
        """Put the kept summaries of this build's posts into Pelican's memo."""
        items, self.items = self.items, []
        for item in items:
            memo = getattr(getattr(item, "get_summary", None), "cache", None)
            if not isinstance(memo, dict) or "summary" in item.metadata:
                continue  # a Summary: of its own, or a Pelican that keeps no memo
            siteurl = item.get_siteurl()
            digest = text_hash(item.get_content(siteurl))
            args = (item, siteurl)
            if digest in self.before and args not in memo:
                memo[args] = self.before[digest]
            self.asked.append((memo, args, digest))

    def save(self) -> None:
        write_kept(self.path, self.recipe, _KEPT,
                   {digest: memo[args] for memo, args, digest in self.asked if args in memo})


def contents(generators: Iterable[Any]) -> Iterable[Any]:
    for generator in generators:
        for name in _LISTS:
            yield from getattr(generator, name, None) or ()


def on_initialized(pelican_instance: Any) -> None:
    Build.of(pelican_instance).add_finalizer(5, save)


def on_all_generators_finalized(generators: list[Any]) -> None:
    try:
        build = Build.of(generators[0])
    except (NoBuildError, IndexError):
        return
    build.summaries = Summaries(os.path.join(build.config.cache_dir, FILE), build.settings)
    build.summaries.items = list(contents(generators))


def on_get_writer(pelican_instance: Any) -> None:
    """Writing starts: every ``all_generators_finalized`` handler has had its say about the
    posts (a post's HTML is made, once, on first use), so hand out the kept summaries now."""
    try:
        build = Build.of(pelican_instance)
    except NoBuildError:
        return
    if build.summaries is not None:
        build.summaries.hand_out()


def save(build: Build) -> None:
    if build.summaries is not None:
        build.summaries.save()


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.get_writer.connect(on_get_writer)
