"""Under ``pelican --autoreload`` the post a writer just saved is written before the rest of
the site, which stays the same, byte for byte."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pelican import Pelican, signals
from pelican.settings import read_settings

from .conftest import BASE_SETTINGS


def files(output: Path) -> dict[str, str]:
    return {str(path.relative_to(output)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(output.rglob("*")) if path.is_file()}


def posts_written(pelican: Pelican, output: Path) -> list[str]:
    """The post pages one run of ``pelican`` writes, in the order it writes them."""
    written: list[str] = []

    def record(path: str, context: dict) -> None:
        if context.get("article") is not None:
            written.append(os.path.relpath(path, output))

    signals.content_written.connect(record)
    try:
        pelican.run()
    finally:
        signals.content_written.disconnect(record)
    return written


def test_a_post_saved_since_the_last_build_is_written_first_and_the_site_stays_the_same(site):
    for n in range(4):
        site.post(f"posts/p{n}/fi.md", f"Juttu {n}", "fi", date=f"2026-05-1{n} 10:00")
        site.post(f"posts/p{n}/en.md", f"Story {n}", "en", date=f"2026-05-1{n} 10:00")
    (site.content / "pages").mkdir(exist_ok=True)
    # one Pelican instance, run again after each save, as ``pelican --autoreload`` does
    pelican = Pelican(read_settings(None, override={
        **BASE_SETTINGS, "PATH": str(site.content), "OUTPUT_PATH": str(site.output),
        "CACHE_PATH": str(site.root / "cache"), "LUOTSI_CACHE_DIR": str(site.root / "luotsi")}))
    first = posts_written(pelican, site.output)
    # Pelican's own order: every translation, then the posts of the default language, so
    # the oldest Finnish post comes late.
    assert first.index("blog/juttu-0/index.html") > len(first) // 2, first
    before = files(site.output)

    saved = site.content / "posts/p0/fi.md"
    saved.write_text(saved.read_text(encoding="utf-8"), encoding="utf-8")  # saved, unchanged
    again = posts_written(pelican, site.output)
    assert again[0] == "blog/juttu-0/index.html", again
    assert sorted(again) == sorted(first)  # every post is still written, once
    assert files(site.output) == before

    assert posts_written(pelican, site.output) == first  # nothing saved since: Pelican's order
