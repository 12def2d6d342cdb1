"""Pelican adapter: audit the finished output at the end of the build, write the report, and
turn a score below ``LUOTSI_AUDIT_MIN_SCORE`` into a finding (fatal in strict mode)."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from urllib.parse import unquote, urlsplit

from .. import core
from .. import run as runs
from .run_audit import REPORT_DIR, Context, Report, audit


def context_from_run(run: runs.Run) -> Context:
    policies: dict[str, set[str]] = {}
    for lang_roles in run.shared.get("policy_urls", {}).values():
        for role, item in lang_roles.items():
            if role in ("privacy", "booking", "cancellation"):
                policies.setdefault(role, set()).add(_path(run, item.url))
    for role in ("privacy", "booking", "cancellation"):
        policies.setdefault(role, set())
    report = run.config.report_dir.strip("/") + "/"
    sponsored = {unquote(item.url) for group in run.shared.get("article_groups", {}).values()
                 for item in group.values() if getattr(item, "sponsored", None)}
    return Context(output=run.settings["OUTPUT_PATH"], siteurl=run.settings.get("SITEURL", ""),
                   company=run.config.company, policy_urls=policies,
                   languages=run.config.languages, stale_months=run.config.audit_stale_months,
                   today=dt.date.today(), skip=(REPORT_DIR + "/", report, "drafts/"),
                   sponsored=sponsored)


def _path(run: runs.Run, url: str) -> str:
    base = urlsplit(run.settings.get("SITEURL", "")).path.rstrip("/")
    return unquote(base + "/" + url)


def write_report(report: Report, output: str) -> None:
    folder = os.path.join(output, REPORT_DIR)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "report.json"), "w", encoding="utf-8") as handle:
        json.dump(report.as_json(), handle, ensure_ascii=False, indent=1)
    rows = "".join(f"<tr><td>{html.escape(lang)}</td><td>{v['pages']}</td><td>{v['failed']}</td>"
                   f"<td>{v['score']}</td></tr>" for lang, v in report.per_language.items())
    items = "".join(f"<li><code>{html.escape(p)}</code>: {html.escape(pr)} — "
                    f"{html.escape(fx)} <small>({html.escape(c)})</small></li>"
                    for p, c, pr, fx in report.findings)
    page = (f'<!doctype html><html lang="en"><meta charset="utf-8"><meta name="robots" '
            f'content="noindex"><meta name="viewport" content="width=device-width, '
            f'initial-scale=1"><title>Trust audit</title><main><h1>Trust audit: score '
            f'{report.score}</h1><p>{report.pages} pages checked; {len(report.findings)} '
            f'finding(s).</p><table><thead><tr><th>Language</th><th>Pages</th>'
            f'<th>With findings</th><th>Score</th></tr></thead><tbody>{rows}</tbody></table>'
            f'<ul>{items}</ul></main></html>')
    with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as handle:
        handle.write(page)


def on_finish(run: runs.Run) -> None:
    if not run.config.audit:
        return
    report = audit(context_from_run(run), os.path.join(run.config.cache_dir, "audit.json"))
    write_report(report, run.settings["OUTPUT_PATH"])
    run.shared["audit"] = report
    runs.log.warning("Luotsi trust audit: score %d, %d finding(s) (see %s/index.html)",
                     report.score, len(report.findings), REPORT_DIR)
    if report.score < run.config.audit_min_score:
        shown = "; ".join(f"{p}: {pr}" for p, _, pr, _ in report.findings[:5])
        run.find(f"{REPORT_DIR}/report.json", f"trust audit score {report.score} is below "
                 f"LUOTSI_AUDIT_MIN_SCORE {run.config.audit_min_score} ({shown})",
                 "fix the findings in the audit report", area="audit")


def register() -> None:
    core.register()
    core.add_finalizer(on_finish)
