"""``luotsi init|new|status|serve``: the writers' and site makers' commands, on the ``luotsi``
command line (:mod:`luotsi.cli`).

    luotsi init DIR [--company …] [--yes] [--force]
    luotsi new post "Title" [--lang fi] [--category …] [--author ID] [--slug …]
    luotsi new translation content/posts/<post>/fi.md --lang en
    luotsi new staff "Name" [--lang fi]
    luotsi new trip "Title" [--lang fi]
    luotsi status [--settings pelicanconf.py] [--require-translations]
    luotsi serve [--host 127.0.0.1] [--port 8000]

Thin adapters: each parses its arguments, calls its module and turns a refusal into a message
and an exit status.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

EXIT_REFUSED = 2  # bad arguments or answers: nothing was written


def init(args: argparse.Namespace) -> None:
    from . import init as questions
    from . import starter

    directory = Path(args.directory)
    there = questions.occupied(directory)
    if there and not args.force:
        print(f"luotsi init: {directory} already holds files ({', '.join(there)}) — choose a "
              "new or empty folder, or add --force to add only the files that are missing "
              "(nothing is overwritten)", file=sys.stderr)
        raise SystemExit(EXIT_REFUSED)
    given = {q.key: getattr(args, q.key) for q in questions.QUESTIONS}
    if not args.yes:
        print(f"A new Luotsi site in {directory}. Press Enter to take the answer in "
              "[brackets].")
    try:
        answers = questions.ask(given, not args.yes, _read, print)
        questions.check_settings(answers)
    except questions.InitError as error:
        print("luotsi init: nothing was written:", *error.problems, sep="\n  ",
              file=sys.stderr)
        raise SystemExit(EXIT_REFUSED) from None
    files = starter.site_files(answers, dt.datetime.now(ZoneInfo(answers["timezone"])))
    written, kept = starter.write(directory, files, force=args.force)
    print(f"Wrote {len(written)} files in {directory}"
          + (f"; kept {len(kept)} that were there: {', '.join(kept)}" if kept else "") + ".")
    print(f"Next: cd {directory} && make serve   (then replace every TODO: in content/; "
          "make test lists them)")


def _read(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        print("\nluotsi init: no more answers; give them as flags with --yes (see "
              "luotsi init --help)", file=sys.stderr)
        raise SystemExit(EXIT_REFUSED) from None


def new(args: argparse.Namespace) -> None:
    from . import new as files

    try:
        site = files.Site.read(args.settings)
        if args.kind == "post":
            made = files.new_post(site, args.title, args.lang, args.category, args.author,
                                  args.slug)
        elif args.kind == "translation":
            made = files.new_translation(site, args.source, args.lang)
        elif args.kind == "staff":
            made = files.new_staff(site, args.name, args.lang, args.slug)
        else:
            made = files.new_trip(site, args.title, args.lang, args.slug)
    except files.NewError as error:
        print(f"luotsi new {args.kind}: {error}", file=sys.stderr)
        raise SystemExit(EXIT_REFUSED) from None
    files.write(made)
    print(f"Wrote {os.path.relpath(made.path)}: replace each TODO: in it with your text.")
    for note in made.notes:
        print(f"Note: {note}")


def status(args: argparse.Namespace) -> None:
    from .status import main

    raise SystemExit(main(args.settings, args.require_translations))


def serve(args: argparse.Namespace) -> None:
    from .serve import serve as run

    run(args)


def add_commands(groups: Any) -> None:
    """The commands on the ``luotsi`` parser."""
    from .init import QUESTIONS

    command = groups.add_parser("init", help="start a new site in a folder: asks for the "
                                "company's facts, writes settings, theme and starter content")
    command.add_argument("directory", metavar="DIR")
    for question in QUESTIONS:
        command.add_argument(question.flag, dest=question.key, help=question.prompt)
    command.add_argument("--yes", action="store_true",
                         help="ask nothing: take the defaults for what no flag gives")
    command.add_argument("--force", action="store_true",
                         help="DIR may hold files: add the missing ones, overwrite none")
    command.set_defaults(func=init)

    new_parser = groups.add_parser("new", help="a new post, translation, staff profile or trip")
    kinds = new_parser.add_subparsers(dest="kind", required=True)
    for kind, what, text in (("post", "title", "a blog post"),
                             ("translation", "source", "a translation of a content file"),
                             ("staff", "name", "a staff profile with a placeholder photo"),
                             ("trip", "title", "a trip")):
        command = kinds.add_parser(kind, help=text)
        command.add_argument(what, metavar="FILE" if kind == "translation" else what.upper())
        command.add_argument("--lang", required=kind == "translation",
                             help="language of the new file (default: DEFAULT_LANG)")
        command.add_argument("--settings", default="pelicanconf.py")
        if kind != "translation":
            command.add_argument("--slug", help="folder name (default: from the " + what + ")")
        if kind == "post":
            command.add_argument("--category", help="default: that of the newest post in "
                                 "the language")
            command.add_argument("--author", help="the writer's staff folder name")
        command.set_defaults(func=new)

    command = groups.add_parser("status", help="build the site and list what is left before "
                                "publishing: translations, TODOs, findings, the trust audit")
    command.add_argument("--settings", default="pelicanconf.py")
    command.add_argument("--require-translations", action="store_true",
                         help="missing and stale translations also fail (exit status 1)")
    command.set_defaults(func=status)

    command = groups.add_parser("serve", help="serve the site, rebuilt on every save, with "
                                "the feedback service and a mail sink")
    command.add_argument("--settings", default="pelicanconf.py")
    command.add_argument("--content", default="content")
    command.add_argument("--output", default="output")
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8000)
    command.add_argument("--admin", default="admin",
                         help="name of the staff account made on the first run")
    command.set_defaults(func=serve)
