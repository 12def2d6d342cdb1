"""The translation report: which translations are missing or out of date, as HTML for
people, JSON for tools and a summary in the build log."""

from __future__ import annotations

import os
from typing import Any

from ..build import Build, log
from ..report_json import one_per_line
from ..urls import save_as
from . import model

# What is left to do, in the order people read it.
NOT_DONE = ("missing", "untranslated", "stale")


def report_rows(build: Build) -> list[model.ReportRow]:
    default_lang = build.settings["DEFAULT_LANG"]
    return [*model.translation_report(build.article_groups, "post", build.config.languages,
                                      default_lang),
            *model.translation_report(build.page_groups, "page", build.config.languages,
                                      default_lang)]


def report_json(build: Build, rows: list[model.ReportRow]) -> dict[str, Any]:
    return {
        "languages": list(build.config.languages),
        "items": [
            {"key": r.key, "kind": r.kind, "title": r.title, "original": r.original,
             "source": build.source(r.source), "status": r.status, "missing": r.missing,
             "stale": r.stale, "untranslated": r.untranslated, "urls": r.urls}
            for r in rows
        ],
        "summary": {
            "items": len(rows),
            **{status: sum(len(r.having(status)) for r in rows) for status in NOT_DONE},
        },
    }


def write_report(generator: Any, writer: Any, build: Build) -> None:
    """The translation report as HTML (for people) and JSON (for tools), both noindex."""
    rows = report_rows(build)
    folder = build.config.report_dir.strip("/")
    data = report_json(build, rows)
    out = os.path.join(generator.output_path, folder)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report.json"), "w", encoding="utf-8") as handle:
        handle.write(one_per_line(data, "items"))
    url = f"{folder}/"
    writer.write_file(save_as(url), generator.get_template("translation_report"),
                      generator.context, url=url, luotsi_lang=build.settings["DEFAULT_LANG"],
                      luotsi_kind="report", rows=rows, summary=data["summary"],
                      luotsi_noindex=True, luotsi_canonical=url, luotsi_alternates=[],
                      luotsi_switcher=[])
    build.report_summary = data["summary"]


def summary_line(summary: dict[str, int]) -> str:
    """The report in one line, for the build log and ``luotsi status``."""
    return (f"{summary['items']} items, {summary['missing']} missing translations, "
            f"{summary['untranslated']} untranslated, {summary['stale']} stale")


def row_line(row: model.ReportRow) -> str:
    """What is left to do for one item, e.g. ``missing sv; untranslated en``."""
    return "; ".join(f"{status} {','.join(row.having(status))}" for status in NOT_DONE
                     if row.having(status))


def print_report(build: Build) -> None:
    summary = build.report_summary
    if summary:
        log.warning("Luotsi translations: %s (see %s/index.html)", summary_line(summary),
                    build.config.report_dir)
        for row in report_rows(build):
            if row_line(row):
                log.info("  %s [%s]: %s", row.key, row.original, row_line(row))
