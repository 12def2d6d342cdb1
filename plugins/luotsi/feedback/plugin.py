"""Pelican adapter for the form: what the templates need to embed it, and the thank-you
pages the service redirects to (one per language, static, never indexed)."""

from __future__ import annotations

from typing import Any

from pelican import signals
from pelican.generators import Generator

from .. import core
from ..build import Build
from ..forms.context import form_context
from ..pages import write_localized


def on_generator_init(generator: Generator) -> None:
    build = Build.of(generator)
    feedback = build.config.feedback
    generator.env.globals["luotsi_feedback"] = form_context(
        feedback["url"], feedback["topics"], feedback["topic_labels"],
        feedback["answer_within_hours"], build.config.company.get("name", ""),
        feedback["places"]) if feedback else None


class ThanksGenerator(Generator):
    """``feedback/thanks/`` in every language: where a visitor lands after sending."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        build = Build.of(self)
        if not build.config.feedback:
            return
        urls = {lang: f"{home}feedback/thanks/" for lang, home in build.home_urls.items()}
        for lang in build.config.languages:
            write_localized(self, writer, build, "feedback_thanks", urls, lang, "thanks",
                            luotsi_noindex=True)


def on_get_generators(_pelican: Any) -> type[Generator]:
    return ThanksGenerator


def register() -> None:
    from ..multilingual.plugin import register as multilingual

    multilingual()  # the form and thank-you page speak the page's language
    core.register()
    signals.generator_init.connect(on_generator_init)
    signals.get_generators.connect(on_get_generators)
