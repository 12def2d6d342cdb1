"""What a build leaves in its process: ``make serve`` runs many builds in one process, so
each must hand back what it held for its own speed."""

from __future__ import annotations

import gc
import textwrap

import pytest
from pelican import Pelican, signals
from pelican.settings import read_settings

from .conftest import BASE_SETTINGS, python


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


def test_a_post_keeps_the_compact_attributes_pelican_gave_it(site):
    """CPython keeps an object's attributes in a compact array beside its class's shared
    table of names, until a name is added to every object after they were all made: then
    each gets a whole dict of its own. Luotsi's attributes made every post 1.3 KB larger,
    4.7 MB at 1,000 posts × 4 languages. So they are given as a post is made, and only its
    url, fixed once every post is read, comes later. Built in a fresh process: the shared
    table is the class's for the life of a process, and other tests' posts fill it."""
    for n in range(3):
        site.post(f"posts/p{n}/fi.md", f"Juttu {n}", "fi", tags="revontulet")
        site.post(f"posts/p{n}/en.md", f"Story {n}", "en", tags="aurora")
    conf = site.settings_file(["luotsi"], OUTPUT_PATH=str(site.output),
                              CACHE_PATH=str(site.root / "cache"),
                              LUOTSI_CACHE_DIR=str(site.root / "luotsi"))
    script = textwrap.dedent(f"""
        import sys
        from luotsi.build import Build
        from pelican import Pelican, signals
        from pelican.settings import read_settings

        made = {{}}

        def record(content):  # connected after Luotsi's own handlers
            made[id(content)] = set(vars(content))

        settings = read_settings({str(conf)!r})
        pelican = Pelican(settings)
        signals.content_object_init.connect(record)
        pelican.run()
        for group in Build.of(settings).article_groups.values():
            for post in group.values():
                print(sorted(set(vars(post)) - made[id(post)]),
                      sys.getsizeof(vars(post)) < sys.getsizeof(dict.fromkeys(vars(post))))
    """)
    printed = python(script, cwd=site.root)
    # added later: the url alone; compact: smaller than a dict of the same names
    posts = [line for line in printed.splitlines() if line.startswith("[")]  # not Pelican's
    assert posts == ["['override_url'] True"] * 6
