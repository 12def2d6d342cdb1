"""Posts' summaries kept from one build to the next: a rebuild asks Pelican for none of them
and writes the same bytes; other summary settings make them again."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pelican.contents
import pytest

WORDS = " ".join(f"sana{n}" for n in range(80))


def files(output: Path) -> dict[str, str]:
    return {str(path.relative_to(output)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(output.rglob("*")) if path.is_file()}


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The summaries Pelican makes itself (cutting a post's HTML)."""
    calls: list[str] = []
    cut = pelican.contents.truncate_html_words

    def counted(html: str, *args, **kwargs) -> str:
        calls.append(html)
        return cut(html, *args, **kwargs)

    monkeypatch.setattr(pelican.contents, "truncate_html_words", counted)
    return calls


@pytest.mark.parametrize("relative", [False, True])
def test_a_rebuild_takes_the_kept_summaries_and_writes_the_same_site(site, made, relative):
    for n in range(3):
        site.post(f"posts/p{n}/fi.md", f"Juttu {n}", "fi", date=f"2026-05-1{n} 10:00",
                  body=f"Alku {n} [toinen]({{filename}}/posts/p{(n + 1) % 3}/fi.md). {WORDS}")
        site.post(f"posts/p{n}/en.md", f"Story {n}", "en", date=f"2026-05-1{n} 10:00",
                  body=f"Start {n}. {WORDS}")
    site.post("posts/own/fi.md", "Oma", "fi", summary="Kirjoittajan oma tiivistelmä.")
    site.build(RELATIVE_URLS=relative)
    first = files(site.output)
    assert made  # the first build made them
    made.clear()

    again = site.build(RELATIVE_URLS=relative)
    assert files(site.output) == first
    if not relative:  # pages rendered with the site's URL take every kept summary
        assert made == []
        assert again.summaries is not None and len(again.summaries.asked) == 6

    # Other settings: Pelican makes them again, and the pages show the new length.
    site.build(RELATIVE_URLS=relative, SUMMARY_MAX_LENGTH=5)
    assert made
    assert 'content="Alku 0 toinen. sana0 sana1 …"' in \
        (site.output / "blog/juttu-0/index.html").read_text(encoding="utf-8")
