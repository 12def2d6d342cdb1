"""Pelican adapter: audit the finished output at the end of the build, write the report, and
turn a score below ``LUOTSI_AUDIT_MIN_SCORE`` into a finding (fatal in strict mode)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pelican import signals

from .. import core
from ..build import Build, log
from ..report_json import one_per_line
from ..theme_path import TEMPLATES_DIR
from .run_audit import REPORT_DIR, Audit, Context, Report


def context_from_build(build: Build) -> Context:
    policies: dict[str, set[str]] = {role: set() for role in
                                     ("privacy", "booking", "cancellation")}
    for lang_roles in build.policy_urls.values():
        for role, item in lang_roles.items():
            if role in policies:
                policies[role].add(_path(build, item.url))
    report = build.config.report_dir.strip("/") + "/"
    sponsored = {unquote(item.url) for group in build.article_groups.values()
                 for item in group.values() if getattr(item, "sponsored", None)}
    return Context(output=build.settings["OUTPUT_PATH"],
                   siteurl=build.settings.get("SITEURL", ""), company=build.config.company,
                   policy_urls=policies, languages=build.config.languages,
                   stale_months=build.config.audit_stale_months, today=dt.date.today(),
                   skip=(REPORT_DIR + "/", report, "drafts/"), sponsored=sponsored)


def _path(build: Build, url: str) -> str:
    base = urlsplit(build.settings.get("SITEURL", "")).path.rstrip("/")
    return unquote(base + "/" + url)


def template_environment(settings: dict[str, Any]) -> Environment:
    """The theme's templates (with the site's overrides first) for pages written outside
    Pelican's generators."""
    folders = [*settings.get("THEME_TEMPLATES_OVERRIDES", []),
               os.path.join(settings.get("THEME", ""), "templates"), TEMPLATES_DIR]
    return Environment(loader=FileSystemLoader([f for f in folders if os.path.isdir(f)]),
                       autoescape=select_autoescape(default=True), trim_blocks=True,
                       lstrip_blocks=True)


def grouped(findings: list[tuple[str, str, str, str]]
            ) -> list[tuple[str, str, str, list[str]]]:
    """(check, problem, fix, pages) per distinct problem, in the order first found: a gap in
    a shared template is one entry with its pages, not a line per page."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for page, check, problem, fix in findings:
        groups.setdefault((check, problem, fix), []).append(page)
    return [(check, problem, fix, pages) for (check, problem, fix), pages in groups.items()]


def write_report(report: Report, build: Build) -> None:
    output = build.settings["OUTPUT_PATH"]
    folder = os.path.join(output, REPORT_DIR)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "report.json"), "w", encoding="utf-8") as handle:
        handle.write(one_per_line(report.as_json(), "findings"))
    with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as handle:
        site = {"name": build.settings.get("SITENAME", ""),
                "url": build.settings.get("SITEURL", ""), "home_urls": build.home_urls}
        handle.write(template_environment(build.settings).get_template(
            "audit_report.html").render(report=report, groups=grouped(report.findings),
                                        site=site, page_lang="en",
                                        heading=f"Trust audit: score {report.score}"))


def on_all_generators_finalized(generators: list[Any]) -> None:
    """Every page's facts (policies, sponsors) are known now: audit each page as it is
    written."""
    build = Build.of(generators[0])
    if build.config.audit:
        build.auditor = Audit(context_from_build(build),
                              os.path.join(build.config.cache_dir, "audit.json"),
                              build.background)


def on_content_written(path: str, context: dict[str, Any]) -> None:
    """The page goes to the audit with what the build validated of its JSON-LD, which is
    then let go: a page taken from the audit's cache needs none of it, and a page checked
    anew carries it in its batch (half a megabyte at 5,000 pages, held to the end before)."""
    build = Build.of(context)
    if build.auditor is not None:
        build.auditor.page(path, build.validated_jsonld.pop(context.get("output_file", ""), None))


def on_finish(build: Build) -> None:
    if build.auditor is None:
        return
    report = build.auditor.finish()
    write_report(report, build)
    build.audit = report
    log.warning("Luotsi trust audit: score %d, %d finding(s) (see %s/index.html)",
                report.score, len(report.findings), REPORT_DIR)
    if report.score < build.config.audit_min_score:
        shown = "; ".join(f"{p}: {pr}" for p, _, pr, _ in report.findings[:5])
        build.find(f"{REPORT_DIR}/report.json", f"trust audit score {report.score} is below "
                   f"LUOTSI_AUDIT_MIN_SCORE {build.config.audit_min_score} ({shown})",
                   "fix the findings in the audit report", area="audit")


def on_initialized(pelican: Any) -> None:
    Build.of(pelican).add_finalizer(80, on_finish)  # after the others: it checks their output


def register() -> None:
    core.register()
    signals.initialized.connect(on_initialized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.content_written.connect(on_content_written)
