"""The CSV export of messages, safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return before one) as a formula. A cell may also be split where it holds a ``;``, a
tab or a line break, when the program guesses another separator than ours, and then each
piece is a cell of its own. So a ``'`` goes before every such start, at the beginning of the
cell and after every separator, and every cell is quoted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

# A formula start (also the full-width forms some spreadsheets accept), at the cell's start or
# after a separator, with any spaces before it.
_FORMULA = re.compile(r"(^|[;,\t\r\n|])([ \t\r]*)(?=[=+\-@＝＋－＠])")


def safe_cell(value: Any) -> Any:
    """A cell that no spreadsheet runs as a formula, however it splits the line."""
    if not isinstance(value, str):
        return value
    return _FORMULA.sub(r"\1\2'", value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()
