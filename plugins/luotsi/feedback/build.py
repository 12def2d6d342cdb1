"""Pelican adapter for the form: what the templates need to embed it, and the thank-you
pages the service redirects to (one per language, static, never indexed)."""

from __future__ import annotations

from typing import Any

from pelican import signals
from pelican.generators import Generator

from .. import core
from .. import run as runs
from ..multilingual.plugin import write_localized
from .form import form_context


def on_generator_init(generator: Generator) -> None:
    run = runs.current(generator.settings)
    feedback = run.config.feedback
    generator.env.globals["luotsi_feedback"] = form_context(
        feedback["url"], feedback["topics"], feedback["topic_labels"],
        feedback["answer_within_hours"], run.config.company.get("name", ""),
        feedback["places"]) if feedback else None


class ThanksGenerator(Generator):
    """``feedback/thanks/`` in every language: where a visitor lands after sending."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        run = runs.current(self.settings)
        if not run.config.feedback:
            return
        urls = {lang: f"{home}feedback/thanks/" for lang, home in run.shared["home_urls"].items()}
        for lang in run.config.languages:
            write_localized(self, writer, run, "feedback_thanks", urls, lang, luotsi_noindex=True)


def on_get_generators(_pelican: Any) -> type[Generator]:
    return ThanksGenerator


def register() -> None:
    from .. import multilingual

    multilingual.register()  # the form and thank-you page speak the page's language
    core.register()
    signals.generator_init.connect(on_generator_init)
    signals.get_generators.connect(on_get_generators)
