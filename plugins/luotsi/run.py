"""State of one build: validated settings, findings and the pages written.

Pelican signals hand each handler only part of the picture; capabilities share what they
learn through the current run instead of stashing objects in Pelican's settings dict.
A new run starts at Pelican's ``initialized`` signal, so builds in one process (tests,
``pelican --autoreload``) never see each other's findings.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

from . import settings as luotsi_settings
from .findings import Finding, LuotsiBuildError
from .sources import field_line, relative

log = logging.getLogger("luotsi")


@dataclass(frozen=True)
class PageRecord:
    """A written HTML page as the sitemap and the audits need it."""

    url: str
    lang: str
    alternates: tuple[tuple[str, str], ...] = ()
    lastmod: Any = None
    indexable: bool = True


@dataclass
class Run:
    config: luotsi_settings.Config
    settings: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    pages: list[PageRecord] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)
    _seen: set[Finding] = field(default_factory=set, repr=False)

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

    def finish(self) -> None:
        """Print every finding; in strict mode, fail the build with all of them listed."""
        for finding in sorted(self.findings):
            log.warning("%s", finding)
        if self.findings and self.config.strict:
            raise LuotsiBuildError(sorted(self.findings))


_current: Run | None = None


def begin(pelican_settings: dict[str, Any]) -> Run:
    global _current
    _current = Run(luotsi_settings.load(pelican_settings), pelican_settings)
    return _current


def current(pelican_settings: dict[str, Any] | None = None) -> Run:
    """The run in progress; started on demand when a capability is used alone in a test."""
    if _current is None or (pelican_settings is not None
                            and _current.settings is not pelican_settings):
        if pelican_settings is None:
            raise RuntimeError("No Luotsi build is running: register the plugin with Pelican.")
        return begin(pelican_settings)
    return _current
