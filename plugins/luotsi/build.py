"""The state of one Luotsi build: validated settings, findings, pages written, and what each
capability learned that another one needs.

Pelican's signals hand each handler only part of the picture (a generator, a content object,
the Pelican instance). Capabilities share what they learn through one typed :class:`Build`
per build, reached from any of those through the settings dict they all carry
(:meth:`Build.of`). It is created at Pelican's ``initialized`` signal and renewed at the
start of every later run of the same Pelican instance (``pelican --autoreload``), so builds
never see each other's pages or findings. Asking for a build where none was started raises
instead of silently starting one.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import settings as luotsi_settings
from .background import Background
from .findings import Finding, LuotsiBuildError
from .i18n import keep_formatting_data, native_name
from .sources import field_line, relative
from .urls import lang_prefix

if TYPE_CHECKING:  # only for annotations: the build state imports no capability
    from .audit.run_audit import Audit, Report
    from .forms.booking import TripOffer
    from .images import Picture, Pipeline, Variant
    from .multilingual.model import Group
    from .parallel_reading import Prereads
    from .qr.plugin import PageCode
    from .qr.poster import Poster
    from .social.testimonials import Quote
    from .staff.model import Person
    from .structured_data.seo import SeoBuilder
    from .structured_data.share_image import ShareCards
    from .structured_data.validate import Known
    from .summaries import Summaries

log = logging.getLogger("luotsi")

# Where the build is kept in Pelican's settings dict, which every generator and content object
# shares. Lower case, so that Luotsi's settings check and Pelican's templates ignore it.
_KEY = "luotsi_build"


class NoBuildError(RuntimeError):
    """A capability was used outside a build that registered Luotsi."""


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A written HTML page as the sitemap and the audits need it."""

    url: str
    lang: str
    alternates: tuple[tuple[str, str], ...] = ()
    lastmod: Any = None
    indexable: bool = True


Finalizer = Callable[["Build"], None]


def _no_build() -> None:
    """What a pickled build unpickles as (see :meth:`Build.__reduce__`)."""
    return None


@dataclass
class Build:
    """One build. Fields are filled by the capability named in their comment; a field stays at
    its empty default when that capability is not enabled."""

    config: luotsi_settings.Config
    settings: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    pages: list[PageRecord] = field(default_factory=list)
    finalizers: list[tuple[int, Finalizer]] = field(default_factory=list)
    finished: bool = False
    started: float = field(default_factory=time.time)
    # when the previous run of the same Pelican instance started (autoreload), else None
    previous_start: float | None = None
    # work done on other cores while pages are written (share cards, pictures, the audit)
    background: Background = field(default_factory=Background, repr=False)
    # Markdown files a worker converts while the build reads the others
    prereads: Prereads | None = field(default=None, repr=False)
    # posts' summaries kept from the last build
    summaries: Summaries | None = field(default=None, repr=False)
    # every language's display name and home folder ("" for the default language, "en/", …)
    language_names: dict[str, str] = field(default_factory=dict)
    home_urls: dict[str, str] = field(default_factory=dict)
    # multilingual
    article_groups: dict[str, Group] = field(default_factory=dict)
    page_groups: dict[str, Group] = field(default_factory=dict)
    policy_urls: dict[str, dict[str, Any]] = field(default_factory=dict)  # lang → role → item
    report_summary: dict[str, int] = field(default_factory=dict)
    # staff
    staff: dict[str, dict[str, Person]] = field(default_factory=dict)  # id → lang → person
    staff_photo_sources: list[str] = field(default_factory=list)
    staff_photos: Pipeline | None = None  # made on other cores while pages are written
    staff_photo_variants: list[Variant] = field(default_factory=list)
    # pictures
    hero: dict[str, Picture] = field(default_factory=dict)  # lang → the home page's picture
    pictures: Pipeline | None = None  # made on other cores while pages are written
    picture_variants: list[Variant] = field(default_factory=list)  # to publish
    picture_sources: list[str] = field(default_factory=list)  # originals never published
    # trips
    trips_urls: dict[str, str] = field(default_factory=dict)
    trip_offers: list[TripOffer] = field(default_factory=list)  # for booking/trips.json
    # structured data
    seo_builder: SeoBuilder | None = None
    share_cards: ShareCards | None = None
    share_images_drawn: int = 0
    # qr
    qr_pages: dict[str, PageCode] | None = None  # None: no codes made in this build
    qr_cards: dict[str, PageCode] = field(default_factory=dict)
    qr_short_codes: dict[str, str] = field(default_factory=dict)
    qr_posters: list[Poster] = field(default_factory=list)
    qr_made: int = 0
    # social
    testimonials: list[Quote] | None = None  # None: not read yet
    # structured data: what was validated of each page's JSON-LD, by output file
    validated_jsonld: dict[str, Known] = field(default_factory=dict)
    # audit, publish
    auditor: Audit | None = None  # the audit under way while pages are written
    audit: Report | None = None
    precompressed: int = 0
    _seen: set[Finding] = field(default_factory=set, repr=False)

    # -- life cycle ----------------------------------------------------------------------
    @classmethod
    def begin(cls, settings: dict[str, Any]) -> Build:
        """Validate the settings (failing with the fix) and attach a new build to them."""
        config = luotsi_settings.load(settings)
        default_lang = settings.get("DEFAULT_LANG", "en")
        build = cls(config, settings, background=Background(config.background_workers),
                    language_names={lang: config.language_names.get(lang) or native_name(lang)
                                    for lang in config.languages},
                    home_urls={lang: lang_prefix(lang, default_lang, config.lang_prefix)
                               for lang in config.languages})
        keep_formatting_data(config.languages)
        settings[_KEY] = build
        return build

    @classmethod
    def of(cls, holder: Mapping[str, Any] | Any) -> Build:
        """The build of a Pelican instance, generator or content object, or of their settings.

        Raises :class:`NoBuildError` when Luotsi was not registered with that build."""
        settings = holder if isinstance(holder, Mapping) else getattr(holder, "settings", None)
        build = settings.get(_KEY) if isinstance(settings, Mapping) else None
        if not isinstance(build, Build):
            raise NoBuildError("No Luotsi build is running for these settings: add 'luotsi' "
                               "(or one of its capabilities) to PLUGINS in pelicanconf.py.")
        return build

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        """Pelican's content cache pickles every post with its settings, and so with this
        build; a cached post must not bring back a finished build's state. It unpickles as no
        build at all, and :meth:`of` refuses it."""
        return _no_build, ()

    def renew(self) -> Build:
        """The next run of the same Pelican instance (autoreload): a fresh build with the same
        settings and finalizers."""
        fresh = Build.begin(self.settings)
        fresh.finalizers = list(self.finalizers)
        fresh.previous_start = self.started
        return fresh

    def add_finalizer(self, order: int, func: Finalizer) -> None:
        """Run ``func`` once the whole output exists, lowest ``order`` first, before findings
        are reported. The audit (80) reads what the others wrote; publishing (90) compresses
        the finished output."""
        if all(existing is not func for _, existing in self.finalizers):
            self.finalizers.append((order, func))

    def finalize(self) -> None:
        with self.background:
            for _, func in sorted(self.finalizers, key=lambda pair: pair[0]):
                func(self)
        self.finished = True
        self.report()

    # -- content -------------------------------------------------------------------------
    def group_of(self, item: Any) -> Group:
        """Every language's version of a post or page, by language; {} for anything else.

        Looked up by translation key rather than kept on every item, which would take an
        item past the number of attributes whose names CPython shares between instances
        (see :func:`luotsi.multilingual.plugin.attach`)."""
        groups = self.article_groups if getattr(item, "luotsi_kind", None) == "article" \
            else self.page_groups
        group = groups.get(getattr(item, "translation_key", None), {})
        return group if group.get(getattr(item, "lang", None)) is item else {}

    # -- findings ------------------------------------------------------------------------
    @property
    def site_root(self) -> str:
        """The folder authors think in: the parent of the content folder."""
        return os.path.dirname(os.path.abspath(self.settings.get("PATH", ".")))

    def source(self, path: str) -> str:
        return relative(path, self.site_root)

    def find(self, path: str, problem: str, fix: str, field_name: str | None = None,
             line: int | None = None, area: str = "content") -> None:
        """Record a finding at ``path`` (on the line of ``field_name`` when given)."""
        if line is None and field_name:
            line = field_line(path, field_name)
        finding = Finding(self.source(path), line, problem, fix, area)
        if finding not in self._seen:  # a set: a build may report thousands of findings
            self._seen.add(finding)
            self.findings.append(finding)

    def report(self) -> None:
        """Print every finding; in strict mode, fail the build with all of them listed."""
        for finding in sorted(self.findings):
            log.warning("%s", finding)
        if self.findings and self.config.strict:
            raise LuotsiBuildError(sorted(self.findings))
