"""Figures for staff: how fast messages and booking requests are answered, how often QR
codes are scanned, and how many scans of a poster's code became requests."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .bookings import campaign_of


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


@dataclass(frozen=True)
class BookingRow:
    """How fast one trip's requests of one month were answered and confirmed (hours)."""

    trip: str  # or "all"
    month: str
    requests: int
    answered: int
    answer_median: float | None
    answer_p90: float | None
    confirmed: int
    confirm_median: float | None
    confirm_p90: float | None


def _hours(created: float, later: float | None) -> float | None:
    return None if later is None else max(0.0, later - created) / 3600


def _spread(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(percentile(values, 0.5), 2), round(percentile(values, 0.9), 2)


def booking_times(rows: Iterable[tuple[str, float, float | None, float | None]]
                  ) -> list[BookingRow]:
    """Per trip and month (and for all trips), the median and 90th-percentile time from a
    request to its first answer and to its confirmation, over the requests that got one."""
    buckets: dict[tuple[str, str], list[tuple[float | None, float | None]]] = defaultdict(list)
    for trip, created, answered, confirmed in rows:
        month = dt.datetime.fromtimestamp(created, dt.UTC).strftime("%Y-%m")
        times = (_hours(created, answered), _hours(created, confirmed))
        buckets[trip, month].append(times)
        buckets["all", month].append(times)
    result = []
    for (trip, month), times in sorted(buckets.items(), key=lambda kv: (
            kv[0][1], kv[0][0] != "all", kv[0][0])):
        answers = [a for a, _ in times if a is not None]
        confirmations = [c for _, c in times if c is not None]
        result.append(BookingRow(trip, month, len(times), len(answers), *_spread(answers),
                                 len(confirmations), *_spread(confirmations)))
    return result


def requests_per_trip(rows: Iterable[tuple[str, str, float]]) -> list[tuple[str, int]]:
    """(trip, requests), most requested first."""
    counts: dict[str, int] = defaultdict(int)
    for trip, _, _ in rows:
        counts[trip] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass(frozen=True)
class CampaignRow:
    campaign: str
    scans: int
    requests: int

    @property
    def conversion(self) -> float | None:
        """Requests per scan, as a share (None before the first scan)."""
        return round(self.requests / self.scans, 3) if self.scans else None


def campaigns(scans: Iterable[tuple[str, float]], targets: dict[str, str],
              requests: Iterable[tuple[str, str, float]]) -> list[CampaignRow]:
    """For every campaign a printed code leads to: its scans (through the codes that carry
    it) and the booking requests sent from a page reached with it."""
    scanned: dict[str, int] = defaultdict(int)
    for code, _ in scans:
        campaign = campaign_of(targets.get(code, ""))
        if campaign:
            scanned[campaign] += 1
    asked: dict[str, int] = defaultdict(int)
    for _, campaign, _ in requests:
        if campaign:
            asked[campaign] += 1
    names = sorted({*scanned, *asked, *filter(None, map(campaign_of, targets.values()))})
    return [CampaignRow(name, scanned[name], asked[name]) for name in names]


def per_day(times: Iterable[float], days: list[str]) -> list[int]:
    """How many of ``times`` fall on each of ``days`` (YYYY-MM-DD, UTC)."""
    counts: dict[str, int] = defaultdict(int)
    for at in times:
        counts[dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d")] += 1
    return [counts[day] for day in days]


def last_days(until: dt.date, count: int) -> list[str]:
    return [(until - dt.timedelta(days=n)).isoformat() for n in range(count - 1, -1, -1)]
