"""JSON reports the build writes for tools (the trust audit's, the translation report's).

People read and diff them too, so each item of the report's long list stands on a line of
its own, as in an indented file; but every line is made by the C encoder. Indenting takes
the pure-Python encoder, which was a noticeable part of a rebuild with thousands of items.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def one_per_line(data: Mapping[str, Any], listed: str) -> str:
    """``data`` as JSON, the list under ``listed`` last and one item per line."""
    rest = {key: value for key, value in data.items() if key != listed}
    head = json.dumps(rest, ensure_ascii=False)[:-1] + (", " if rest else "")
    items = ",\n".join(json.dumps(item, ensure_ascii=False) for item in data[listed])
    return f'{head}"{listed}": [\n{items}\n]}}\n' if items else f'{head}"{listed}": []}}\n'
