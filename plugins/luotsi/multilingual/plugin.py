"""Pelican adapter: wires the pure multilingual model to Pelican's signals and writer.

One Pelican run serves every language: content is read once, then this module groups
translations, attaches hreflang and switcher data to every item, and writes each
language's listings and feed itself (Pelican's own listings know nothing of languages and
are switched off while this capability is on).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from pelican import signals
from pelican.generators import ArticlesGenerator, Generator, PagesGenerator
from pelican.urlwrappers import Category

from .. import core
from .. import run as runs
from ..email_links import email_link
from ..sponsored import mark_sponsored_links
from ..theme_path import TRANSLATIONS_DIR
from ..urls import absolute, lang_prefix, save_as
from . import checks, i18n, model

# Pelican's listing settings this capability replaces with per-language ones.
_TAKEN_OVER = {
    "DIRECT_TEMPLATES": [],
    "CATEGORY_SAVE_AS": "", "TAG_SAVE_AS": "", "AUTHOR_SAVE_AS": "",
    "YEAR_ARCHIVE_SAVE_AS": "", "MONTH_ARCHIVE_SAVE_AS": "", "DAY_ARCHIVE_SAVE_AS": "",
    "FEED_ATOM": None, "FEED_RSS": None, "FEED_ALL_ATOM": None, "FEED_ALL_RSS": None,
    "CATEGORY_FEED_ATOM": None, "CATEGORY_FEED_RSS": None, "AUTHOR_FEED_ATOM": None,
    "AUTHOR_FEED_RSS": None, "TAG_FEED_ATOM": None, "TAG_FEED_RSS": None,
    "TRANSLATION_FEED_ATOM": None, "TRANSLATION_FEED_RSS": None,
}


def on_initialized(pelican: Any) -> None:
    settings = pelican.settings
    run = runs.current(settings)
    for key, value in _TAKEN_OVER.items():
        settings[key] = value
    for key in ("ARTICLE_TRANSLATION_ID", "PAGE_TRANSLATION_ID"):
        if settings.get(key) == "slug":
            settings[key] = "translation_key"
    config = run.config
    settings["LUOTSI_CURRENCY"] = config.currency
    names = {lang: config.language_names.get(lang) or i18n.native_name(lang)
             for lang in config.languages}
    run.shared["language_names"] = names
    run.shared["home_urls"] = {lang: lang_prefix(lang, settings["DEFAULT_LANG"],
                                                 config.lang_prefix)
                               for lang in config.languages}


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


def on_content_init(content: Any) -> None:
    content.translation_key = translation_key(content.metadata, content.source_path,
                                              getattr(content, "lang", None),
                                              getattr(content, "slug", None))
    if getattr(content, "status", "") == "draft" and not hasattr(content, "category"):
        # Pelican gives no default category while CATEGORY_SAVE_AS is taken over, yet its
        # draft writer reads one: a draft without Category: would stop the build.
        content.category = Category(content.settings.get("DEFAULT_CATEGORY", "misc"),
                                    content.settings)


def on_generator_init(generator: Generator) -> None:
    run = runs.current(generator.settings)
    catalogs = i18n.load_catalogs(TRANSLATIONS_DIR, run.config.languages)
    i18n.install(generator.env, catalogs)
    generator.env.globals.update(
        LUOTSI_LANGUAGES=run.config.languages,
        LUOTSI_LANGUAGE_NAMES=run.shared["language_names"],
        LUOTSI_HOME_URLS=run.shared["home_urls"],
        LUOTSI_COMPANY=run.config.company,
        LUOTSI_SAME_AS=run.config.same_as,
        LUOTSI_SUBTITLES=run.config.subtitles,
        LUOTSI_POLICY_URLS=run.shared.setdefault("policy_urls", {}),
        email_link=partial(email_link, obfuscate=run.config.obfuscate_email),
        absolute_url=lambda path: absolute(generator.settings.get("SITEURL", ""), path),
        og_locale=i18n.og_locale,
        language_name=i18n.native_name,
    )


def _published(generator: Any, kind: str) -> list[Any]:
    if kind == "article":
        return list(generator.articles) + list(generator.translations)
    return list(generator.pages) + list(generator.translations)


def _report_failed_sources(run: runs.Run, context: dict[str, Any], content_path: str) -> None:
    for rel, obj in context.get("generated_content", {}).items():
        if obj is not None:
            continue
        path = os.path.join(content_path, rel)
        problems = checks.unreadable_source(path)
        if not problems:
            run.find(path, "Pelican could not read this file",
                     "see the error printed above it; check the header lines")
        for field_name, problem, fix in problems:
            run.find(path, problem, fix, field_name)


def attach(run: runs.Run, items: Sequence[Any], kind: str) -> dict[str, model.Group]:
    """Check a kind of content, then give every item its hreflang links and switcher."""
    settings = run.settings
    default_lang = settings["DEFAULT_LANG"]
    languages = run.config.languages
    names, homes = run.shared["language_names"], run.shared["home_urls"]
    for item in items:
        for field_name, problem, fix in checks.item_problems(item, languages):
            run.find(item.source_path, problem, fix, field_name)
    groups: dict[str, model.Group] = {}
    for key, members in model.group_items(items).items():
        for item, field_name, problem, fix in checks.group_problems(members):
            run.find(item.source_path, problem, fix, field_name)
        group = model.by_language(members)
        groups[key] = group
        for item in members:
            item.luotsi_group = group
            item.luotsi_alternates = model.alternates(item, group, languages, default_lang)
            item.luotsi_switcher = model.switcher(item.lang, group, languages, names, homes)
            item.luotsi_kind = kind
            item.luotsi_canonical = item.url
            if item.lang in group and group[item.lang] is item:
                run.pages.append(runs.PageRecord(
                    item.url, item.lang,
                    tuple((a.hreflang, a.url) for a in item.luotsi_alternates),
                    model.last_change(item)))
    return groups


def on_all_generators_finalized(generators: Sequence[Generator]) -> None:
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    pages_gen = next((g for g in generators if isinstance(g, PagesGenerator)), None)
    if articles_gen is None:
        return
    run = runs.current(articles_gen.settings)
    _report_failed_sources(run, articles_gen.context, articles_gen.path)
    articles = _published(articles_gen, "article")
    run.shared["article_groups"] = attach(run, articles, "article")
    host = urlsplit(articles_gen.settings.get("SITEURL", "")).netloc
    for article in articles:
        if getattr(article, "sponsored", None):
            article._content = mark_sponsored_links(article._content, host)
    run.shared["page_groups"] = (attach(run, _published(pages_gen, "page"), "page")
                                 if pages_gen else {})
    fill_policy_urls(run)


def fill_policy_urls(run: runs.Run) -> None:
    """Language → role → page for the footer; a missing translation links the original."""
    groups = run.shared["page_groups"]
    default_lang = run.settings["DEFAULT_LANG"]
    urls = run.shared.setdefault("policy_urls", {})
    urls.clear()
    for lang in run.config.languages:
        urls[lang] = {}
        for role, key in run.config.policy_pages.items():
            group = groups.get(key)
            if group:
                urls[lang][role] = group.get(lang) or model.original_of(
                    group, default_lang, run.config.languages)


class ListingsGenerator(Generator):
    """Writes each language's home, category, tag and archive pages, feed and report."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        run = runs.current(self.settings)
        groups = run.shared.get("article_groups", {})
        default_lang = self.settings["DEFAULT_LANG"]
        config = run.config
        for lang in config.languages:
            entries = model.listing(lang, groups, config.languages, default_lang,
                                    config.missing_translation)
            ListingWriter(self, writer, run, lang).write_all(entries)
        write_report(self, writer, run)


def on_get_generators(_pelican: Any) -> type[Generator]:
    return ListingsGenerator


class ListingWriter:
    """Writes one language's listings through Pelican's writer (so signals still fire)."""

    def __init__(self, generator: Generator, writer: Any, run: runs.Run, lang: str):
        self.generator, self.writer, self.run, self.lang = generator, writer, run, lang
        self.settings = generator.settings
        self.prefix = run.shared["home_urls"][lang]
        self.per_page = run.config.pagination

    def _switcher_for(self, urls_by_lang: dict[str, str]) -> list[model.SwitchTarget]:
        return url_switcher(self.run, urls_by_lang, self.lang)

    def _alternates_for(self, urls_by_lang: dict[str, str]) -> list[model.Alternate]:
        return url_alternates(self.run, urls_by_lang)

    def write_paginated(self, template: str, base_url: str, entries: list[model.Entry],
                        urls_by_lang: dict[str, str], **extra: Any) -> None:
        chunks = [entries[i:i + self.per_page] for i in range(0, len(entries), self.per_page)]
        chunks = chunks or [[]]
        page_urls = [base_url] + [f"{base_url}page/{n}/" for n in range(2, len(chunks) + 1)]
        for number, (chunk, url) in enumerate(zip(chunks, page_urls, strict=True), start=1):
            first = number == 1
            own = {self.lang: url} if not first else urls_by_lang
            alternates = self._alternates_for(own)
            self.writer.write_file(
                save_as(url), self.generator.get_template(template), self.generator.context,
                relative_urls=self.settings.get("RELATIVE_URLS", False), url=url,
                luotsi_lang=self.lang, entries=chunk, page_number=number,
                page_count=len(chunks),
                prev_url=page_urls[number - 2] if number > 1 else None,
                next_url=page_urls[number] if number < len(chunks) else None,
                luotsi_alternates=alternates, luotsi_switcher=self._switcher_for(urls_by_lang),
                luotsi_canonical=url, luotsi_noindex=not first, **extra)
            self.run.pages.append(runs.PageRecord(
                url, self.lang, tuple((a.hreflang, a.url) for a in alternates),
                max((e.item.date for e in chunk), default=None), indexable=first))

    def write_all(self, entries: list[model.Entry]) -> None:
        homes = self.run.shared["home_urls"]
        self.write_paginated("index", self.prefix, entries, dict(homes))
        archive_urls = {lang: f"{home}archives/" for lang, home in homes.items()}
        write_localized(self.generator, self.writer, self.run, "archives", archive_urls,
                        self.lang, entries=entries, luotsi_noindex=False)
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
        name = self.run.shared["language_names"][self.lang]
        self.writer.write_feed(items, context, path, url=path,
                               feed_title=f"{self.settings['SITENAME']} ({name})")


class _Url:
    """A stand-in item for a listing page, which has no Pelican object."""

    def __init__(self, url: str, lang: str):
        self.url, self.lang = url, lang
        self.source_path = ""
        self.metadata: dict[str, str] = {}


def url_alternates(run: runs.Run, urls_by_lang: dict[str, str]) -> list[model.Alternate]:
    """hreflang links of a generated page known only by its URL in each language."""
    group = {lang: _Url(url, lang) for lang, url in urls_by_lang.items()}
    return model.alternates(next(iter(group.values())), group, run.config.languages,
                            run.settings["DEFAULT_LANG"])


def url_switcher(run: runs.Run, urls_by_lang: dict[str, str], lang: str
                 ) -> list[model.SwitchTarget]:
    """Language switcher of a generated page known only by its URL in each language."""
    group = {other: _Url(url, other) for other, url in urls_by_lang.items()}
    return model.switcher(lang, group, run.config.languages, run.shared["language_names"],
                          run.shared["home_urls"])


def write_localized(generator: Generator, writer: Any, run: runs.Run, template: str,
                    urls_by_lang: dict[str, str], lang: str, **extra: Any) -> None:
    """Write the ``lang`` version of a generated page that exists at ``urls_by_lang``, with its
    hreflang links and switcher, and list it in the sitemap unless it is ``luotsi_noindex``."""
    url = urls_by_lang[lang]
    alternates = url_alternates(run, urls_by_lang)
    writer.write_file(save_as(url), generator.get_template(template), generator.context,
                      url=url, luotsi_lang=lang, luotsi_alternates=alternates,
                      luotsi_switcher=url_switcher(run, urls_by_lang, lang),
                      luotsi_canonical=url, **extra)
    if not extra.get("luotsi_noindex"):
        run.pages.append(runs.PageRecord(url, lang,
                                         tuple((a.hreflang, a.url) for a in alternates)))


def _by_taxonomy(entries: list[model.Entry], attribute: str) -> list[tuple[Any, list[Any]]]:
    buckets: dict[Any, list[model.Entry]] = defaultdict(list)
    for entry in entries:
        value = getattr(entry.item, attribute, None)
        for wrapper in value if isinstance(value, list) else [value] if value else []:
            buckets[wrapper].append(entry)
    return sorted(buckets.items(), key=lambda kv: kv[0].slug)


def report_rows(run: runs.Run) -> list[model.ReportRow]:
    default_lang = run.settings["DEFAULT_LANG"]
    rows = []
    for kind, key in (("post", "article_groups"), ("page", "page_groups")):
        rows += model.translation_report(run.shared.get(key, {}), kind, run.config.languages,
                                         default_lang)
    return rows


def write_report(generator: Generator, writer: Any, run: runs.Run) -> None:
    """The translation report as HTML (for people) and JSON (for tools), both noindex."""
    rows = report_rows(run)
    folder = run.config.report_dir.strip("/")
    data = {
        "languages": list(run.config.languages),
        "items": [
            {"key": r.key, "kind": r.kind, "title": r.title, "original": r.original,
             "source": run.source(r.source), "status": r.status, "missing": r.missing,
             "stale": r.stale, "urls": r.urls}
            for r in rows
        ],
    }
    data["summary"] = {
        "items": len(rows),
        "missing": sum(len(r.missing) for r in rows),
        "stale": sum(len(r.stale) for r in rows),
    }
    out = os.path.join(generator.output_path, folder)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report.json"), "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
    url = f"{folder}/"
    writer.write_file(save_as(url), generator.get_template("translation_report"),
                      generator.context, url=url, luotsi_lang=run.settings["DEFAULT_LANG"],
                      rows=rows, summary=data["summary"], luotsi_noindex=True,
                      luotsi_canonical=url, luotsi_alternates=[], luotsi_switcher=[])
    run.shared["report_summary"] = data["summary"]


def print_report(run: runs.Run) -> None:
    summary = run.shared.get("report_summary")
    if summary:
        runs.log.warning(
            "Luotsi translations: %d items, %d missing translations, %d stale "
            "(see %s/index.html)", summary["items"], summary["missing"], summary["stale"],
            run.config.report_dir)
        for row in report_rows(run):
            if row.missing or row.stale:
                runs.log.info("  %s [%s]: missing %s; stale %s", row.key, row.original,
                              ",".join(row.missing) or "-", ",".join(row.stale) or "-")


def register() -> None:
    core.register()
    core.add_finalizer(print_report)
    signals.initialized.connect(on_initialized)
    signals.content_object_init.connect(on_content_init)
    signals.generator_init.connect(on_generator_init)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.get_generators.connect(on_get_generators)

