"""Pelican adapter: share links on posts, testimonials on the home page and their own page."""

from __future__ import annotations

import os
from functools import partial
from typing import Any

from pelican import signals
from pelican.generators import Generator

from .. import core
from ..build import Build
from ..pages import write_localized
from ..urls import absolute
from . import share, testimonials


def _quotes(build: Build) -> list[testimonials.Quote]:
    """The testimonials file, read once per build."""
    if build.testimonials is None:
        path = os.path.join(build.settings["PATH"], build.config.testimonials_file)
        quotes, problem = testimonials.load(path)
        if problem:
            build.find(path, problem,
                       "export it again with `luotsi feedback export-testimonials`")
        build.testimonials = quotes
    return build.testimonials


def on_generator_init(generator: Generator) -> None:
    build = Build.of(generator)
    quotes = _quotes(build)
    siteurl = generator.settings.get("SITEURL", "")
    networks = build.config.share_networks
    generator.env.globals.update(
        luotsi_share_links=lambda path, title: share.share_links(absolute(siteurl, path),
                                                                 title, networks),
        luotsi_testimonials=partial(testimonials.for_language, quotes),
        LUOTSI_HAS_TESTIMONIALS=bool(quotes),
    )


class TestimonialsGenerator(Generator):
    """``testimonials/`` in every language, when there are any."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        build = Build.of(self)
        quotes = _quotes(build)
        if not quotes:
            return
        urls = {lang: f"{home}testimonials/" for lang, home in build.home_urls.items()}
        for lang in build.config.languages:
            write_localized(self, writer, build, "testimonials", urls, lang, "testimonials",
                            quotes=testimonials.for_language(quotes, lang))


def on_get_generators(_pelican: Any) -> type[Generator]:
    return TestimonialsGenerator


def register() -> None:
    from ..multilingual.plugin import register as multilingual

    multilingual()  # testimonials pages exist in every language
    core.register()
    signals.generator_init.connect(on_generator_init)
    signals.get_generators.connect(on_get_generators)
