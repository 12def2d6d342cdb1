"""``luotsi``: the site's and the feedback service's tools, from the command line.

    luotsi init DIR · luotsi new post|translation|staff|trip · luotsi status · luotsi serve
    luotsi audit [--settings pelicanconf.py] [--min-score N] [--check-service]
    luotsi feedback serve|add-admin|export|erase|purge|export-testimonials|withdraw|invite
    luotsi qr report

The writers' commands are in :mod:`luotsi.authoring.cli`, the service's in
:mod:`luotsi.service.cli`; ``--config`` names the service's TOML file (default:
feedback.toml).
"""

from __future__ import annotations

import argparse
import sys

from .authoring import cli as authoring_cli
from .service import cli as service_cli


def audit(args: argparse.Namespace) -> None:
    """Build the site, audit the output (the build does that at its end), print the report."""
    import urllib.request

    from .authoring.status import run_build

    override = {"LUOTSI_AUDIT": True}
    if args.min_score is not None:
        override["LUOTSI_AUDIT_MIN_SCORE"] = args.min_score
    settings, build, error = run_build(args.settings, override)
    if error:  # strict findings (a low score among them)
        print(f"luotsi audit: {error}", file=sys.stderr)
    report = build.audit
    if report is None:
        raise SystemExit("luotsi audit: the build stopped before the audit; see above")
    problems = [f"{page}: {problem} — {fix}" for page, _, problem, fix in report.findings]
    feedback = build.config.feedback
    if args.check_service and feedback:
        url = feedback["service_url"]
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:
                healthy = answer.status == 200
        except OSError as error:
            healthy, url = False, f"{url} ({error})"
        if not healthy:
            problems.append(f"(site): the feedback service does not answer its health check at "
                            f"{url} — start it (luotsi feedback serve) or fix LUOTSI_FEEDBACK")
    for lang, row in report.per_language.items():
        print(f"{lang:<5} {row['pages']:>5} pages  score {row['score']:>3}")
    for line in problems:
        print(line)
    minimum = args.min_score if args.min_score is not None else build.config.audit_min_score
    print(f"score {report.score} (minimum {minimum}); report: "
          f"{settings['OUTPUT_PATH']}/audit/index.html")
    if report.score < minimum or len(problems) > len(report.findings):
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="luotsi", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=service_cli.DEFAULT_CONFIG,
                        help="the service's TOML configuration (default: feedback.toml)")
    groups = parser.add_subparsers(dest="group", required=True)
    command = groups.add_parser("audit", help="build the site and audit it for trust, SEO "
                                "and broken links")
    command.add_argument("--settings", default="pelicanconf.py")
    command.add_argument("--min-score", type=int)
    command.add_argument("--check-service", action="store_true",
                         help="also ask the feedback service for its health check")
    command.set_defaults(func=audit)
    authoring_cli.add_commands(groups)
    service_cli.add_commands(groups)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
