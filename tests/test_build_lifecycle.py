"""What a build leaves in its process: ``make serve`` runs many builds in one process, so
each must hand back what it held for its own speed."""

from __future__ import annotations

import gc

import pytest
from pelican import Pelican, signals
from pelican.settings import read_settings

from .conftest import BASE_SETTINGS


def test_the_content_is_frozen_while_pages_are_written_and_handed_back_after_each_run(site):
    site.post("posts/p0/fi.md", "Juttu", "fi", date="2026-05-10 10:00")
    site.post("posts/p0/en.md", "Story", "en", date="2026-05-10 10:00")
    pelican = Pelican(read_settings(None, override={
        **BASE_SETTINGS, "PATH": str(site.content), "OUTPUT_PATH": str(site.output),
        "CACHE_PATH": str(site.root / "cache"), "LUOTSI_CACHE_DIR": str(site.root / "luotsi")}))
    frozen: list[int] = []

    def record(path: str, context: dict) -> None:
        frozen.append(gc.get_freeze_count())

    def fail(path: str, context: dict) -> None:
        raise RuntimeError("a page could not be written")

    assert gc.get_freeze_count() == 0
    signals.content_written.connect(record)
    try:
        pelican.run()
        assert frozen and min(frozen) > 0  # the site's content, out of the collector's walks
        assert gc.get_freeze_count() == 0  # and back in it once the build is done

        # A run that fails while writing leaves its objects frozen; the next run hands
        # them back before it reads anything, so a long session does not keep every
        # failed run's content.
        signals.content_written.connect(fail)
        try:
            with pytest.raises(RuntimeError):
                pelican.run()
        finally:
            signals.content_written.disconnect(fail)
        assert gc.get_freeze_count() > 0
        reading: list[int] = []

        def before_reading(generator: object) -> None:
            reading.append(gc.get_freeze_count())

        signals.article_generator_preread.connect(before_reading)
        try:
            pelican.run()
        finally:
            signals.article_generator_preread.disconnect(before_reading)
        assert reading and max(reading) == 0
        assert gc.get_freeze_count() == 0
    finally:
        signals.content_written.disconnect(record)
        gc.unfreeze()
