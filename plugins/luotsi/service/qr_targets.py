"""Which short QR code goes where: the map the build writes to ``qr/codes.json``."""

from __future__ import annotations

from typing import Any

from .build_files import BuildFile


def _codes(data: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in data.get("codes", {}).items()}


class Targets(BuildFile[dict[str, str]]):
    """The code → URL map, re-read when the build rewrites it."""

    def __init__(self, path: str):
        super().__init__(path, _codes, {})
