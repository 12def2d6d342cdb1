"""Writing a page Luotsi generates itself (a listing, a staff page, a thank-you page) in one
language, with the same hreflang links, language switcher and sitemap entry that posts get.

Every capability that writes pages goes through :func:`write_localized`, so a new page type
is multilingual, canonical and in the sitemap without code of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .build import Build, PageRecord
from .multilingual import model
from .urls import save_as


class _Url:
    """A stand-in item for a generated page, which has no Pelican object."""

    def __init__(self, url: str, lang: str):
        self.url, self.lang = url, lang
        self.source_path = ""
        self.metadata: dict[str, str] = {}


def url_alternates(build: Build, urls_by_lang: dict[str, str]) -> tuple[model.Alternate, ...]:
    """hreflang links of a generated page known only by its URL in each language."""
    group = {lang: _Url(url, lang) for lang, url in urls_by_lang.items()}
    return model.alternates(next(iter(group.values())), group, build.config.languages,
                            build.settings["DEFAULT_LANG"])


def url_switcher(build: Build, urls_by_lang: dict[str, str], lang: str
                 ) -> list[model.SwitchTarget]:
    """Language switcher of a generated page known only by its URL in each language."""
    group = {other: _Url(url, other) for other, url in urls_by_lang.items()}
    return model.switcher(lang, group, build.config.languages, build.language_names,
                          build.home_urls)


def record(build: Build, url: str, lang: str, alternates: Sequence[model.Alternate],
           lastmod: Any = None, indexable: bool = True) -> None:
    """List a written page for the sitemap and the audits (a group's tuple of links, not a
    copy of it: :func:`model.alternates`)."""
    build.pages.append(PageRecord(url, lang, tuple(alternates), lastmod, indexable))


def write_localized(generator: Any, writer: Any, build: Build, template: str,
                    urls_by_lang: dict[str, str], lang: str, kind: str, **extra: Any) -> None:
    """Write the ``lang`` version of a generated page of ``kind`` (home, listing, person, …)
    that exists at ``urls_by_lang``, and list it in the sitemap unless ``luotsi_noindex``."""
    url = urls_by_lang[lang]
    alternates = url_alternates(build, urls_by_lang)
    writer.write_file(save_as(url), generator.get_template(template), generator.context,
                      url=url, luotsi_lang=lang, luotsi_kind=kind,
                      luotsi_alternates=alternates,
                      luotsi_switcher=url_switcher(build, urls_by_lang, lang),
                      luotsi_canonical=url, **extra)
    if not extra.get("luotsi_noindex"):
        record(build, url, lang, alternates)
