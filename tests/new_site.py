"""A site made by ``luotsi init`` in a temporary folder, and its commands run for real: the
``luotsi`` of this checkout, and the site's own Makefile pointed at this checkout's virtual
environment (nothing is downloaded)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# The answers of the example, as flags.
ANSWERS = {"--company": "Saaristo Seikkailut Oy", "--site-url": "https://www.saaristo.example",
           "--languages": "fi,en,sv", "--street": "Rantatie 4", "--postal-code": "21660",
           "--locality": "Nauvo", "--country": "FI", "--phone": "+358 2 555 0100",
           "--email": "info@saaristo.example"}
LANGUAGES = ["fi", "en", "sv"]
VENV = Path(sys.executable).parent.parent  # the environment running the tests


def luotsi(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luotsi.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def init_site(root: Path, **answers: str) -> Path:
    """``luotsi init`` with the example's answers (overridden by ``answers``), no prompts."""
    flags = {**ANSWERS, **{f"--{k.replace('_', '-')}": v for k, v in answers.items()}}
    done = luotsi("init", str(root), *[part for item in flags.items() for part in item],
                  "--yes")
    assert done.returncode == 0, done.stderr
    return root


def make(site: Path, target: str, *variables: str) -> subprocess.CompletedProcess:
    """``make TARGET`` in the site; Pelican's log lines are not wrapped (wide COLUMNS)."""
    return subprocess.run(["make", "-s", target, f"VENV={VENV}", *variables], cwd=site,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "500"})


def fill_todos(site: Path) -> int:
    """Do what the company would: write a text in place of every TODO: marker."""
    count = 0
    for path in (site / "content").rglob("*.md"):
        text, found = re.subn(r"TODO:[^\n]*", "Written by the company.",
                              path.read_text(encoding="utf-8"))
        path.write_text(text.replace("Untranslated: yes\n", ""), encoding="utf-8")
        count += found
    return count
