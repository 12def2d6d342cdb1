"""Each language's listings: home (paginated), archive, category and tag pages, and feed.

Written through Pelican's writer, so Pelican's ``content_written`` signal and its relative-URL
handling apply as to any page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from pelican.generators import Generator

from ..build import Build
from ..pages import record, url_alternates, url_switcher, write_localized
from ..urls import save_as
from . import model
from .report import write_report


class ListingsGenerator(Generator):
    """Writes each language's home, category, tag and archive pages, feed and report."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        build = Build.of(self)
        default_lang = self.settings["DEFAULT_LANG"]
        config = build.config
        for lang in config.languages:
            entries = model.listing(lang, build.article_groups, config.languages, default_lang,
                                    config.missing_translation)
            ListingWriter(self, writer, build, lang).write_all(entries)
        write_report(self, writer, build)


class ListingWriter:
    """Writes one language's listings through Pelican's writer (so signals still fire)."""

    def __init__(self, generator: Generator, writer: Any, build: Build, lang: str):
        self.generator, self.writer, self.build, self.lang = generator, writer, build, lang
        self.settings = generator.settings
        self.prefix = build.home_urls[lang]
        self.per_page = build.config.pagination

    def write_paginated(self, template: str, base_url: str, entries: list[model.Entry],
                        urls_by_lang: dict[str, str], kind: str = "listing",
                        **extra: Any) -> None:
        """Pages of ``per_page`` entries; the first is ``kind``, the others are listings
        (never indexed: their content shifts with every new post)."""
        chunks = [entries[i:i + self.per_page] for i in range(0, len(entries), self.per_page)]
        chunks = chunks or [[]]
        page_urls = [base_url] + [f"{base_url}page/{n}/" for n in range(2, len(chunks) + 1)]
        switcher = url_switcher(self.build, urls_by_lang, self.lang)
        for number, (chunk, url) in enumerate(zip(chunks, page_urls, strict=True), start=1):
            first = number == 1
            alternates = url_alternates(self.build, urls_by_lang if first else {self.lang: url})
            self.writer.write_file(
                save_as(url), self.generator.get_template(template), self.generator.context,
                relative_urls=self.settings.get("RELATIVE_URLS", False), url=url,
                luotsi_lang=self.lang, luotsi_kind=kind if first else "listing",
                entries=chunk, page_number=number, page_count=len(chunks),
                prev_url=page_urls[number - 2] if number > 1 else None,
                next_url=page_urls[number] if number < len(chunks) else None,
                luotsi_alternates=alternates, luotsi_switcher=switcher,
                luotsi_canonical=url, luotsi_noindex=not first, **extra)
            record(self.build, url, self.lang, alternates,
                   max((e.item.date for e in chunk), default=None), indexable=first)

    def write_all(self, entries: list[model.Entry]) -> None:
        homes = self.build.home_urls
        self.write_paginated("index", self.prefix, entries, dict(homes), kind="home")
        archive_urls = {lang: f"{home}archives/" for lang, home in homes.items()}
        write_localized(self.generator, self.writer, self.build, "archives", archive_urls,
                        self.lang, "listing", entries=entries, luotsi_noindex=False)
        own = [e for e in entries if not e.fallback]
        for taxonomy, attribute in (("category", "category"), ("tag", "tags")):
            for wrapper, members in _by_taxonomy(own, attribute):
                url = f"{self.prefix}{taxonomy}/{wrapper.slug}/"
                self.write_paginated(taxonomy, url, members, {self.lang: url},
                                     taxonomy_name=wrapper.name)
        self.write_feed([e.item for e in own])

    def write_feed(self, items: list[Any]) -> None:
        path = f"{self.prefix}feed.atom.xml"
        context = dict(self.generator.context)
        siteurl = self.settings.get("SITEURL", "")
        context.update(FEED_DOMAIN=siteurl, DEFAULT_LANG=self.lang)
        name = self.build.language_names[self.lang]
        self.writer.write_feed(items, context, path, url=path,
                               feed_title=f"{self.settings['SITENAME']} ({name})")


NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def on_feed_generated(context: dict[str, Any], feed: Any) -> None:
    """A feed with no entries (a language that has no posts of its own yet) is dated by the
    site's newest post: the feed library would date it by the clock, and two builds of the
    same site would then differ."""
    if not feed.items:
        newest = max((a.date for a in context.get("articles", [])), default=NEVER)
        feed.latest_post_date = lambda: newest


def _by_taxonomy(entries: list[model.Entry], attribute: str) -> list[tuple[Any, list[Any]]]:
    buckets: dict[Any, list[model.Entry]] = defaultdict(list)
    for entry in entries:
        value = getattr(entry.item, attribute, None)
        for wrapper in value if isinstance(value, list) else [value] if value else []:
            buckets[wrapper].append(entry)
    return sorted(buckets.items(), key=lambda kv: kv[0].slug)
