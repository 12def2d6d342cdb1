"""Pelican adapter: every page's head gets its tags from one template call,
``luotsi_seo(...)`` (see :mod:`.seo`), and the share images the pages asked for are drawn
once the output exists."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from jinja2 import pass_context
from pelican import signals
from pelican.contents import Article
from pelican.generators import Generator

from .. import core
from ..build import Build, NoBuildError
from .seo import SHARE_DIR, Seo, SeoBuilder


def on_initialized(pelican: Any) -> None:
    Build.of(pelican).add_finalizer(30, make_share_images)


def on_generator_init(generator: Generator) -> None:
    build = Build.of(generator)
    if build.seo_builder is None:  # one per build: the site-wide nodes are built once
        build.seo_builder = SeoBuilder(build)
    builder = build.seo_builder

    @pass_context
    def luotsi_seo(ctx: Any, kind: str, page_lang: str, canonical: str,
                   alternates: Sequence[Any], title: str, description: str,
                   **labels: str) -> Seo:
        return builder.head(ctx, kind, page_lang, canonical, alternates, title, description,
                             labels)

    generator.env.globals["luotsi_seo"] = luotsi_seo


def on_content_init(item: Any) -> None:
    """A post's share card is queued as the post is read (:meth:`SeoBuilder.card_ahead`)
    when workers converted Markdown: they run out of it before the build has turned it all
    into posts. (A rebuild reads its posts from Pelican's cache, and has its cards.)"""
    if not isinstance(item, Article):
        return
    try:
        build = Build.of(item)
    except NoBuildError:
        return
    if build.seo_builder is not None and build.prereads is not None and build.prereads.sent:
        build.seo_builder.card_ahead(item)


def make_share_images(build: Build) -> None:
    if build.seo_builder is not None:
        build.seo_builder.memo.save()
    if build.share_cards is not None:
        output = os.path.join(build.settings["OUTPUT_PATH"], SHARE_DIR)
        build.share_images_drawn = build.share_cards.finish(output)


def register() -> None:
    from ..multilingual.plugin import register as multilingual

    multilingual()  # the graph names every language version of a page
    core.register()
    signals.initialized.connect(on_initialized)
    signals.generator_init.connect(on_generator_init)
    signals.content_object_init.connect(on_content_init)
