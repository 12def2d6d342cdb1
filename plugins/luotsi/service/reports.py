"""Figures for staff: how fast messages are answered, and how often QR codes are scanned."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ResponseRow:
    topic: str
    month: str  # YYYY-MM of the message
    answered: int
    median_hours: float
    p90_hours: float


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that really occurred, as staff expect to read."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def response_times(rows: Iterable[tuple[str, float, float]]) -> list[ResponseRow]:
    """Median and 90th percentile time to answer, per topic and month, plus 'all' topics."""
    buckets: dict[tuple[str, str], list[float]] = defaultdict(list)
    for topic, created, answered in rows:
        month = dt.datetime.fromtimestamp(created, dt.UTC).strftime("%Y-%m")
        hours = max(0.0, answered - created) / 3600
        buckets[topic, month].append(hours)
        buckets["all", month].append(hours)
    return [ResponseRow(topic, month, len(hours), round(percentile(hours, 0.5), 2),
                        round(percentile(hours, 0.9), 2))
            for (topic, month), hours in sorted(buckets.items(),
                                                key=lambda kv: (kv[0][1], kv[0][0] != "all",
                                                                kv[0][0]))]


def scans_per_day(rows: Iterable[tuple[str, float]]) -> list[tuple[str, str, int]]:
    """(code, YYYY-MM-DD, scans), newest day first."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for code, at in rows:
        counts[code, dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d")] += 1
    return sorted(((c, d, n) for (c, d), n in counts.items()), key=lambda r: (r[1], r[0]),
                  reverse=True)
