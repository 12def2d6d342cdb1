"""While ``pelican --autoreload`` (``make serve``) rebuilds a site, the posts saved since its
last build are written before every other post.

A writer saves a post and reloads it in the browser. Pelican rebuilds the whole site on each
save and writes posts in its own order (every translation, then the posts of the default
language), so on a site of thousands of pages the saved post appeared only after most of
them were written again. Here the saved post goes first, and the rest of the site follows
as before: the same pages, the same bytes, only their order differs. Pages (``pages/``) keep
Pelican's order, since Pelican announces that they are all written while the generator
still holds them.

The first run of a Pelican instance has nothing to compare with and keeps Pelican's order;
each later run (autoreload runs the same instance again) knows when the one before started.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from itertools import chain
from typing import Any

from pelican import signals

from .build import Build, NoBuildError


def saved_since(items: Iterable[Any], since: float) -> list[Any]:
    """The items whose source file was saved at or after ``since``, in their given order."""
    found = []
    for item in items:
        try:
            if os.stat(item.source_path).st_mtime >= since:
                found.append(item)
        except (OSError, TypeError, AttributeError):  # no source file: a generated item
            continue
    return found


def on_article_generator_finalized(generator: Any) -> None:
    """Every post is read: make the ones saved since the last run started the first that
    the generator writes."""
    try:
        since = Build.of(generator).previous_start
    except NoBuildError:
        return
    if since is None:
        return
    saved = saved_since(chain(generator.articles, generator.translations), since)
    if not saved:
        return
    write_all = generator.generate_articles
    first = {id(item) for item in saved}

    def generate_articles(write: Any) -> None:
        # Pelican writes ``translations`` then ``articles``; the lists are changed only for
        # as long as that loop runs (templates read the context, which keeps its own lists).
        kept = generator.translations, generator.articles
        generator.translations = [*saved, *(t for t in kept[0] if id(t) not in first)]
        generator.articles = [a for a in kept[1] if id(a) not in first]
        try:
            write_all(write)
        finally:
            generator.translations, generator.articles = kept

    generator.generate_articles = generate_articles


def register() -> None:
    signals.article_generator_finalized.connect(on_article_generator_finalized)
