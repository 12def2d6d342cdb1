"""Content findings: what is wrong, where (file and line or field), and how to fix it.

Authors are not developers, so every message carries the fix. Findings are collected for
the whole build and listed together at the end, because one build that shows all mistakes
saves the author several round trips; strict mode then fails the build.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int | None
    problem: str
    fix: str
    area: str = "content"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.problem} — {self.fix}"


class LuotsiBuildError(RuntimeError):
    """Raised at the end of a strict build that found problems; lists them all."""

    exitcode = 1

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        listing = "\n".join(f"  {f}" for f in findings)
        super().__init__(
            f"Luotsi strict mode: {len(findings)} finding(s) must be fixed before publishing:\n"
            f"{listing}"
        )
