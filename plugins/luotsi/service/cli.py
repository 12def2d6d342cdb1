"""``luotsi feedback …`` and ``luotsi qr report``: the service and its staff tools.

    luotsi feedback serve [--config feedback.toml]
    luotsi feedback add-admin NAME [--password-stdin]
    luotsi feedback export --email ADDRESS
    luotsi feedback erase --email ADDRESS
    luotsi feedback purge
    luotsi feedback export-testimonials [--output content/testimonials.json]
    luotsi feedback withdraw --email ADDRESS
    luotsi feedback invite bookings.csv [--today YYYY-MM-DD]
    luotsi qr report

Each command imports what it needs when it runs, so that ``luotsi --help`` and the build's
own commands work where the service's extra (``luotsi[service]``) is not installed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = "feedback.toml"
# The HTTP server's own limits (the proxy in front has its own; see the README): httptools,
# with a request head refused (400) once more than 16 KiB of it waits incomplete after a read
# (.http_server). Idle keep-alive connections close after 5 s; past 512 connections and
# requests at once, new requests get 503 instead of memory.
SERVER_LIMITS: dict[str, Any] = {"timeout_keep_alive": 5, "limit_concurrency": 512,
                                 "timeout_graceful_shutdown": 10}


def _config(args: argparse.Namespace):
    from .config import ConfigError, load

    path = args.config
    if path == DEFAULT_CONFIG and not Path(path).exists():
        path = None  # no file: defaults and LUOTSI_FEEDBACK_* environment variables only
    try:
        return load(path)
    except ConfigError as error:
        raise SystemExit(f"luotsi: {error}") from None


def _store(args: argparse.Namespace):
    from .store import open_store

    return open_store(_config(args).database)


def serve(args: argparse.Namespace) -> None:
    try:
        import uvicorn

        from .app import create_app
        from .http_server import BoundedHttpToolsProtocol
    except ImportError as error:
        raise SystemExit(f"luotsi: the feedback service needs its extra ({error.name} is "
                         "missing): pip install 'luotsi[service]'") from None

    config = _config(args)
    if not config.admins:
        print(f"luotsi: no staff account yet — create one with: luotsi feedback add-admin NAME "
              f"(written to {config.admins_file})", file=sys.stderr)
    uvicorn.run(create_app(config), host=args.host or config.host, port=args.port or config.port,
                http=BoundedHttpToolsProtocol, proxy_headers=False, log_level="info",
                access_log=False, **SERVER_LIMITS)


def add_admin(args: argparse.Namespace) -> None:
    from .admin import hash_password
    from .config import read_admins

    config = _config(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = secrets.token_urlsafe(12)
        print(f"password for {args.name}: {password}  (shown once; only its hash is stored)")
    if len(password) < 10:
        raise SystemExit("luotsi: use a password of at least 10 characters")
    admins = read_admins(config.admins_file)
    admins[args.name] = hash_password(password)
    path = Path(config.admins_file)
    path.write_text("".join(f"{n}:{h}\n" for n, h in admins.items()), encoding="utf-8")
    path.chmod(0o600)


def export(args: argparse.Namespace) -> None:
    print(json.dumps(_store(args).about_email(args.email), ensure_ascii=False, indent=1))


def erase(args: argparse.Namespace) -> None:
    try:
        removed = _store(args).erase_email(args.email)
    except RuntimeError as error:  # the rows are gone; a copy may still be in the log
        raise SystemExit(f"luotsi: {error}") from None
    print(f"erased {removed['messages']} message(s) and {removed['booking_requests']} booking "
          f"request(s) from {args.email}, {removed['mails']} mail(s) to or about it, "
          f"{removed['spam']} spam post(s), {removed['invitations']} invitation(s) and "
          f"{removed['unsubscribe_links']} unsubscribe link(s); the database files were "
          "rewritten without them. Kept: the address's opt-out (a hash), so that it is never "
          "invited again.")


def purge(args: argparse.Namespace) -> None:
    config = _config(args)
    from .store import open_store

    removed = open_store(config.database).purge(config.retention_days)
    print(f"purged {removed} message(s) and booking request(s) older than "
          f"{config.retention_days} days")


def export_testimonials(args: argparse.Namespace) -> None:
    """Write published testimonials per language into the site's content, for the build."""
    import datetime as dt

    items = _store(args).testimonials()
    by_lang: dict[str, list[dict[str, str]]] = {}
    for item in items:
        by_lang.setdefault(item["lang"], []).append({
            "text": item["text"], "name": item["name"], "lang": item["lang"],
            "date": dt.datetime.fromtimestamp(item["created_at"], dt.UTC).date().isoformat()})
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps({"testimonials": by_lang}, ensure_ascii=False,
                                            indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(items)} testimonial(s) to {args.output}")


def withdraw(args: argparse.Namespace) -> None:
    changed = _store(args).withdraw_consent(args.email)
    print(f"withdrew the publishing consent of {changed} message(s); run export-testimonials "
          "and rebuild the site to take them off it")


def invite(args: argparse.Namespace) -> None:
    import datetime as dt

    from . import invitations
    from .state import Service

    config = _config(args)
    service = Service(config)
    text = Path(args.bookings).read_text(encoding="utf-8-sig")
    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    outcomes, problems = invitations.run(text, args.bookings, service.store, config,
                                         service.catalogs, today)
    for problem in problems:
        print(problem, file=sys.stderr)
    for outcome in outcomes:
        print(f"{args.bookings}:{outcome.line}: {outcome.booking_id}: {outcome.action} "
              f"({outcome.reason})")
    sent = sum(o.action in ("sent", "reminder") for o in outcomes)
    print(f"{sent} invitation(s) queued in the outbox; {len(problems)} bad row(s)")
    if problems:
        raise SystemExit(1)


def qr_report(args: argparse.Namespace) -> None:
    from .reports import scans_per_day
    from .state import Service

    config = _config(args)
    service = Service(config)
    targets = service.targets.get()
    rows = scans_per_day(service.store.scans())
    print(f"{'day':<10}  {'code':<12}  {'scans':>5}  page")
    for code, day, count in rows:
        print(f"{day:<10}  {code:<12}  {count:>5}  {targets.get(code, '?')}")
    if not rows:
        print("(no scans yet)")



def add_commands(groups: Any) -> None:
    """The service's command groups, ``feedback`` and ``qr``, on the ``luotsi`` parser."""
    feedback = groups.add_parser("feedback", help="the feedback service")
    commands = feedback.add_subparsers(dest="command", required=True)
    command = commands.add_parser("serve", help="run the service")
    command.add_argument("--host")
    command.add_argument("--port", type=int)
    command.set_defaults(func=serve)
    command = commands.add_parser("add-admin", help="create or reset a staff account")
    command.add_argument("name")
    command.add_argument("--password-stdin", action="store_true",
                         help="read the password from standard input instead of making one")
    command.set_defaults(func=add_admin)
    for name, func, text in (("export", export, "print everything stored about an address"),
                             ("erase", erase, "erase everything stored about an address"),
                             ("withdraw", withdraw,
                              "withdraw an address's publishing consent")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--email", required=True)
        command.set_defaults(func=func)
    command = commands.add_parser("purge", help="delete messages older than retention_days")
    command.set_defaults(func=purge)
    command = commands.add_parser("export-testimonials",
                                  help="write published testimonials into the site's content")
    command.add_argument("--output", default="content/testimonials.json")
    command.set_defaults(func=export_testimonials)
    command = commands.add_parser("invite", help="invite customers to give feedback after "
                                  "their trip (a CSV of bookings)")
    command.add_argument("bookings")
    command.add_argument("--today", help="YYYY-MM-DD; defaults to today")
    command.set_defaults(func=invite)
    qr = groups.add_parser("qr", help="QR codes")
    qr_commands = qr.add_subparsers(dest="command", required=True)
    command = qr_commands.add_parser("report", help="scans per code per day")
    command.set_defaults(func=qr_report)
