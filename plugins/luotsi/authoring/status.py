"""``luotsi status``: what is left to do before the site can be published, in the terminal.

It builds the site once (as ``make html`` does, or with ``--settings publishconf.py`` as
``make publish`` would) and prints the translation report, the content findings, the TODOs
left in the text and the trust audit. The exit status is made for CI: 0 when a strict
publish would pass, 1 when something blocks it, 2 when the build stopped before the audit.
Missing and stale translations are reported, and block only with
``--require-translations``: most sites publish a post before all its translations exist.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..build import Build
from ..multilingual.report import report_rows, row_line, summary_line
from ..urls import save_as


def run_build(settings_path: str, override: dict[str, Any] | None = None
              ) -> tuple[dict[str, Any], Build, Exception | None]:
    """Build the site once; a strict build that fails still leaves its findings and audit in
    the returned build (the error is returned beside it)."""
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(settings_path, override=override)
    error = None
    try:
        Pelican(settings).run()
    except Exception as failed:  # strict findings (a low audit score among them) end here
        error = failed
    return settings, Build.of(settings), error


@contextmanager
def quiet() -> Iterator[None]:
    """Pelican's and Luotsi's warnings are the findings this command prints itself."""
    loggers = [logging.getLogger(name) for name in ("pelican", "luotsi")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def source_files(build: Build) -> dict[str, str]:
    """Output page → the content file a writer edits (``content/pages/about/en.md``)."""
    items = [item for groups in (build.article_groups, build.page_groups)
             for group in groups.values() for item in group.values()]
    items += [person for versions in build.staff.values() for person in versions.values()]
    return {save_as(item.url): f"{build.source(item.source_path)} ({item.url})"
            for item in items}


@dataclass
class Status:
    lines: list[str] = field(default_factory=list)
    blocking: int = 0  # things a strict publish (or --require-translations) fails on


def status(build: Build, require_translations: bool = False) -> Status:
    """The report, from a finished build."""
    result = Status()
    out = result.lines
    summary = build.report_summary
    if summary:
        out.append(f"Translations: {summary_line(summary)}")
        out += [f"  {row.key} ({row.kind}, original {row.original}): {row_line(row)}"
                for row in report_rows(build) if row_line(row)]
        result.blocking += summary["untranslated"] + (
            summary["missing"] + summary["stale"] if require_translations else 0)
    content = sorted(f for f in build.findings if f.area != "audit")
    out.append(f"Content: {len(content)} finding(s)")
    out += [f"  {finding}" for finding in content]
    result.blocking += len(content)
    report = build.audit
    if report is not None:
        todos = [f for f in report.findings if f[1] == "todo"]
        others = [f for f in report.findings if f[1] != "todo"]
        sources = source_files(build)
        out.append(f"TODO left in the text: {len(todos)}")
        out += [f"  {sources.get(page, page)}: {fix}" for page, _, _, fix in todos]
        languages = ", ".join(f"{lang} {row['score']}" for lang, row in
                              report.per_language.items())
        out.append(f"Trust audit: score {report.score} ({languages}; minimum "
                   f"{build.config.audit_min_score}), {len(others)} other finding(s)")
        out += [f"  {page}: {problem} — {fix}" for page, _, problem, fix in others]
        result.blocking += len(report.findings)
    return result


def main(settings_path: str, require_translations: bool) -> int:
    """Print the status; return the exit status."""
    with quiet():
        settings, build, error = run_build(settings_path, {"LUOTSI_AUDIT": True})
    if build.audit is None:
        print(f"luotsi status: the build stopped before the audit: {error}", file=sys.stderr)
        return 2
    result = status(build, require_translations)
    print("\n".join(result.lines))
    if result.blocking:
        print(f"Not ready to publish: {result.blocking} thing(s) to fix "
              f"(reports in {settings['OUTPUT_PATH']}/).")
        return 1
    print("Ready to publish.")
    return 0
