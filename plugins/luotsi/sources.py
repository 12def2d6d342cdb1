"""Where a metadata field stands in a source file, so findings can name the line.

Pelican's readers drop line numbers; authors need them. This reads only the header of a
Markdown file (``Key: value`` lines up to the first blank line), which is cheap.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*)$")


def header_fields(path: str) -> dict[str, tuple[int, str]]:
    """Lower-cased field name → (line number, raw value) of a Markdown header."""
    try:
        changed = os.stat(path).st_mtime_ns  # an edited file (autoreload) is read again
    except OSError:
        return {}
    return _header_fields(path, changed)


@lru_cache(maxsize=8192)
def _header_fields(path: str, _changed: int) -> dict[str, tuple[int, str]]:
    fields: dict[str, tuple[int, str]] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    break
                match = FIELD.match(line)
                if match:
                    fields.setdefault(match.group(1).lower(), (number, match.group(2).strip()))
    except (OSError, UnicodeDecodeError):
        return {}
    return fields


def field_line(path: str, name: str) -> int | None:
    """Line of field ``name`` in ``path``, or None when the file does not set it."""
    found = header_fields(path).get(name.lower())
    return found[0] if found else None


def relative(path: str, base: str) -> str:
    """A path as the author knows it: relative to the site folder when possible."""
    try:
        rel = os.path.relpath(path, base)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
