"""Pelican adapter: wires the pure multilingual model to Pelican's signals.

One Pelican run serves every language: content is read once, then this module groups
translations and attaches hreflang and switcher data to every item. Each language's
listings and feed are written by :mod:`.listings` (Pelican's own listings know nothing of
languages and are switched off while this capability is on), the translation report by
:mod:`.report`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from pelican import signals
from pelican.contents import Article
from pelican.generators import ArticlesGenerator, Generator, PagesGenerator
from pelican.urlwrappers import Category

from .. import core, defaults, fragments, i18n
from ..build import Build
from ..email_links import email_link
from ..pages import record
from ..sponsored import mark_sponsored_links
from ..theme_path import TRANSLATIONS_DIR
from ..urls import absolute
from . import checks, model
from .listings import ListingsGenerator, on_feed_generated
from .report import print_report

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
    build = Build.of(pelican)
    build.add_finalizer(50, print_report)
    defaults.apply(settings)  # URL patterns and slugs the site did not set itself
    settings.update(_TAKEN_OVER)
    for key in ("ARTICLE_TRANSLATION_ID", "PAGE_TRANSLATION_ID"):
        if settings.get(key) == "slug":
            settings[key] = "translation_key"
    settings["LUOTSI_CURRENCY"] = build.config.currency


def on_content_init(content: Any) -> None:
    content.translation_key = model.translation_key(content.metadata, content.source_path,
                                                    getattr(content, "lang", None),
                                                    getattr(content, "slug", None))
    content.luotsi_kind = "article" if isinstance(content, Article) else "page"
    # given now, filled by attach(): see there why they are set as the item is made
    content.luotsi_alternates = content.luotsi_switcher = ()
    if getattr(content, "status", "") == "draft" and not hasattr(content, "category"):
        # Pelican gives no default category while CATEGORY_SAVE_AS is taken over, yet its
        # draft writer reads one: a draft without Category: would stop the build.
        content.category = Category(content.settings.get("DEFAULT_CATEGORY", "misc"),
                                    content.settings)


def on_generator_init(generator: Generator) -> None:
    build = Build.of(generator)
    catalogs = i18n.load_catalogs(TRANSLATIONS_DIR, build.config.languages)
    i18n.install(generator.env, catalogs)
    fragments.install(generator.env)
    generator.env.globals.update(
        LUOTSI_LANGUAGES=build.config.languages,
        LUOTSI_LANGUAGE_NAMES=build.language_names,
        LUOTSI_HOME_URLS=build.home_urls,
        LUOTSI_COMPANY=build.config.company,
        LUOTSI_SAME_AS=build.config.same_as,
        LUOTSI_SUBTITLES=build.config.subtitles,
        LUOTSI_POLICY_URLS=build.policy_urls,
        email_link=partial(email_link, obfuscate=build.config.obfuscate_email),
        absolute_url=partial(absolute, generator.settings.get("SITEURL", "")),
        og_locale=i18n.og_locale,
        language_name=i18n.native_name,
    )


def _published(generator: Any, kind: str) -> list[Any]:
    if kind == "article":
        return list(generator.articles) + list(generator.translations)
    return list(generator.pages) + list(generator.translations)


def _report_failed_sources(build: Build, context: dict[str, Any], content_path: str) -> None:
    for rel, obj in context.get("generated_content", {}).items():
        if obj is not None:
            continue
        path = os.path.join(content_path, rel)
        problems = checks.unreadable_source(path)
        if not problems:
            build.find(path, "Pelican could not read this file",
                       "see the error printed above it; check the header lines")
        for field_name, problem, fix in problems:
            build.find(path, problem, fix, field_name)


def attach(build: Build, items: Sequence[Any]) -> dict[str, model.Group]:
    """Check a kind of content, then give every item its hreflang links, switcher and kind.

    Only those and its url, and all but the url given empty as the item is made
    (:func:`on_content_init`): CPython keeps an instance's attributes in a compact array
    beside one table of names its class shares, and gives the instance a whole dict of its
    own (1,584 bytes against 296 here) once it has too many, or once a name is added to
    every instance after all of them were made, past 27 or so. Pelican gives a post of the
    benchmark 23; Luotsi added four more to every post once all were read, and a build of
    1,000 posts in 4 languages held 4.7 MB more. So an item's canonical address is its url,
    and its group is looked up (:meth:`Build.group_of`)."""
    default_lang = build.settings["DEFAULT_LANG"]
    languages = build.config.languages
    for item in items:
        for field_name, problem, fix in checks.item_problems(item, languages):
            build.find(item.source_path, problem, fix, field_name)
    groups: dict[str, model.Group] = {}
    for key, members in model.group_items(items).items():
        for item, field_name, problem, fix in checks.group_problems(members):
            build.find(item.source_path, problem, fix, field_name)
        group = model.by_language(members)
        groups[key] = group
        for item in members:
            # Pelican computes url from the settings' pattern on every access (about a tenth
            # of a cold build's profile), and each member's links read every other member's
            # url; it is final here, so keep it before the links are made.
            item.override_url = item.url
        # every member links the same set (reciprocal links): one tuple for the group
        links = model.alternates(members[0], group, languages, default_lang)
        targets: dict[model.SwitchTarget, model.SwitchTarget] = {}
        for item in members:
            item.luotsi_alternates = links
            item.luotsi_switcher = model.switcher(item.lang, group, languages,
                                                  build.language_names, build.home_urls,
                                                  shared=targets)
            if item.luotsi_kind != "article":
                item.luotsi_kind = model.page_kind(item, build.config.policy_pages)
            if item.lang in group and group[item.lang] is item:
                record(build, item.url, item.lang, item.luotsi_alternates,
                       model.last_change(item))
    return groups


def on_all_generators_finalized(generators: Sequence[Generator]) -> None:
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    pages_gen = next((g for g in generators if isinstance(g, PagesGenerator)), None)
    if articles_gen is None:
        return
    build = Build.of(articles_gen)
    _report_failed_sources(build, articles_gen.context, articles_gen.path)
    articles = _published(articles_gen, "article")
    build.article_groups = attach(build, articles)
    host = urlsplit(articles_gen.settings.get("SITEURL", "")).netloc
    for article in articles:
        if getattr(article, "sponsored", None):
            article._content = mark_sponsored_links(article._content, host)
    build.page_groups = attach(build, _published(pages_gen, "page")) if pages_gen else {}
    fill_policy_urls(build)


def fill_policy_urls(build: Build) -> None:
    """Language → role → page for the footer; a missing translation links the original.

    The dict is filled in place: templates got it at generator init, before pages were read."""
    default_lang = build.settings["DEFAULT_LANG"]
    urls = build.policy_urls
    urls.clear()
    for lang in build.config.languages:
        urls[lang] = {}
        for role, key in build.config.policy_pages.items():
            group = build.page_groups.get(key)
            if group:
                urls[lang][role] = group.get(lang) or model.original_of(
                    group, default_lang, build.config.languages)


def on_get_generators(_pelican: Any) -> type[Generator]:
    return ListingsGenerator


def register() -> None:
    core.register()
    signals.initialized.connect(on_initialized)
    signals.content_object_init.connect(on_content_init)
    signals.generator_init.connect(on_generator_init)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.get_generators.connect(on_get_generators)
    signals.feed_generated.connect(on_feed_generated)
