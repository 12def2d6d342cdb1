"""Pelican adapter: share links on posts, testimonials on the home page and their own page."""

from __future__ import annotations

import os
from typing import Any

from pelican import signals
from pelican.generators import Generator

from .. import core
from .. import run as runs
from ..multilingual.plugin import write_localized
from ..urls import absolute
from . import share, testimonials


def on_generator_init(generator: Generator) -> None:
    run = runs.current(generator.settings)
    if "testimonials" not in run.shared:
        path = os.path.join(generator.settings["PATH"], run.config.testimonials_file)
        quotes, problem = testimonials.load(path)
        if problem:
            run.find(path, problem, "export it again with `luotsi feedback export-testimonials`")
        run.shared["testimonials"] = quotes
    quotes = run.shared["testimonials"]
    siteurl = generator.settings.get("SITEURL", "")
    networks = run.config.share_networks
    generator.env.globals.update(
        luotsi_share_links=lambda path, title: share.share_links(absolute(siteurl, path),
                                                                 title, networks),
        luotsi_testimonials=lambda lang, limit=None: testimonials.for_language(quotes, lang,
                                                                               limit),
        LUOTSI_HAS_TESTIMONIALS=bool(quotes),
    )


class TestimonialsGenerator(Generator):
    """``testimonials/`` in every language, when there are any."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        run = runs.current(self.settings)
        quotes = run.shared.get("testimonials")
        if not quotes:
            return
        urls = {lang: f"{home}testimonials/" for lang, home in run.shared["home_urls"].items()}
        for lang in run.config.languages:
            write_localized(self, writer, run, "testimonials", urls, lang,
                            quotes=testimonials.for_language(quotes, lang))


def on_get_generators(_pelican: Any) -> type[Generator]:
    return TestimonialsGenerator


def register() -> None:
    from .. import multilingual

    multilingual.register()
    core.register()
    signals.generator_init.connect(on_generator_init)
    signals.get_generators.connect(on_get_generators)
