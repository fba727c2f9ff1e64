"""Ad inventory: the ad requests decision replicas answered per hour, and how many they filled.

Fill rate is a publisher's first figure: of the valid ad requests, how many got an ad, and how
many got a paid one rather than only house promos (ads/priority.py). Pure: the counts are
gathered by each replica and kept per UTC hour in Redis (storage/inventory.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from pydantic import BaseModel

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MAX_HOURS = 24 * 31
"""The longest range one hourly report covers."""
MAX_DAYS = 366
"""The longest range one daily report covers (the archive keeps every hour)."""


@dataclass(frozen=True, slots=True)
class InventoryCounts:
    """Counts of one replica's flush, or of one hour across replicas."""

    requests: int = 0
    """Valid ad requests answered, filled or not (JSON and VAST; a pod is one request)."""
    filled: int = 0
    """Requests answered with at least one ad."""
    house_only: int = 0
    """Filled requests whose ads were all house ads."""
    ads: int = 0
    """Ads served, each ad of a pod counted."""
    house_ads: int = 0
    invalid: int = 0
    """Ad requests refused as invalid (4xx): not part of the fill rate."""
    robots: int = 0
    """Ad requests from self-declared robots (ads/invalid_traffic.py), answered with no ad:
    not part of the fill rate nor of the supply forecasts read."""

    def __add__(self, other: InventoryCounts) -> InventoryCounts:
        return InventoryCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def most(self, other: InventoryCounts) -> InventoryCounts:
        """Each count's larger value: two copies of one hour's running totals (Redis's and the
        archive's), the later one never smaller unless Redis lost some."""
        return InventoryCounts(
            **{f.name: max(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)}
        )

    def as_fields(self) -> dict[str, int]:
        """The non-zero counts by field name (what a flush adds to its hour)."""
        return {f.name: value for f in fields(self) if (value := getattr(self, f.name))}

    @classmethod
    def from_fields(cls, values: Mapping[str, str | int]) -> InventoryCounts:
        """Inverse of :meth:`as_fields`; unknown fields (a newer replica's) are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{name: int(value) for name, value in values.items() if name in names})


def merged(
    archived: Mapping[datetime, InventoryCounts], live: Mapping[datetime, InventoryCounts]
) -> dict[datetime, InventoryCounts]:
    """Every hour either copy has, with :meth:`InventoryCounts.most` of the two."""
    out = dict(archived)
    for hour, counts in live.items():
        out[hour] = counts.most(out[hour]) if hour in out else counts
    return out


def hour_of(moment: datetime) -> datetime:
    """The start of the UTC hour ``moment`` lies in."""
    return moment.replace(minute=0, second=0, microsecond=0)


def hours_up_to(now: datetime, count: int) -> list[datetime]:
    """The last ``count`` hours up to and including the current one, oldest first."""
    current = hour_of(now)
    return [current - HOUR * back for back in range(count - 1, -1, -1)]


def days_up_to(now: datetime, count: int) -> list[datetime]:
    """The starts (UTC midnights) of the last ``count`` days up to and including today's."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return [today - DAY * back for back in range(count - 1, -1, -1)]


def hours_of(days: Iterable[datetime]) -> list[datetime]:
    """Every hour of ``days`` (their midnights), oldest first."""
    return [day + HOUR * hour for day in days for hour in range(24)]


def by_day(counts: Mapping[datetime, InventoryCounts]) -> dict[datetime, InventoryCounts]:
    """Hourly counts summed per UTC day (keyed by its midnight)."""
    days: dict[datetime, InventoryCounts] = {}
    for hour, hourly in counts.items():
        day = hour.replace(hour=0)
        days[day] = days[day] + hourly if day in days else hourly
    return days


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class InventoryPoint(BaseModel):
    """One hour or day (or the range's totals) of ``GET /inventory``."""

    bucket: datetime | None = None
    """The hour's or day's start (UTC); None on the totals."""
    requests: int = 0
    filled: int = 0
    no_fill: int = 0
    paid_filled: int = 0
    """Requests that got at least one paid (not house) ad."""
    ads: int = 0
    house_ads: int = 0
    invalid: int = 0
    robots: int = 0
    fill_rate: float | None = None
    """``filled / requests``; None without requests."""
    paid_fill_rate: float | None = None
    """``paid_filled / requests``: the share of requests that earned money."""

    @classmethod
    def of(cls, counts: InventoryCounts, bucket: datetime | None = None) -> InventoryPoint:
        paid = counts.filled - counts.house_only
        return cls(
            bucket=bucket,
            requests=counts.requests,
            filled=counts.filled,
            no_fill=counts.requests - counts.filled,
            paid_filled=paid,
            ads=counts.ads,
            house_ads=counts.house_ads,
            invalid=counts.invalid,
            robots=counts.robots,
            fill_rate=_rate(counts.filled, counts.requests),
            paid_fill_rate=_rate(paid, counts.requests),
        )


class InventoryReport(BaseModel):
    """``GET /inventory``: the last ``hours`` hours or ``days`` days, one zero-filled point per
    hour or UTC day."""

    start: datetime
    end: datetime
    totals: InventoryPoint
    series: list[InventoryPoint]


def report(
    buckets: Iterable[datetime],
    counts: Mapping[datetime, InventoryCounts],
    *,
    width: timedelta = HOUR,
) -> InventoryReport:
    """The report over ``buckets`` (hours, or days with ``width`` :data:`DAY`; oldest first)
    from the counts kept for each."""
    starts = list(buckets)
    totals = InventoryCounts()
    series = []
    for bucket in starts:
        kept = counts.get(bucket, InventoryCounts())
        totals += kept
        series.append(InventoryPoint.of(kept, bucket))
    return InventoryReport(
        start=starts[0], end=starts[-1] + width, totals=InventoryPoint.of(totals), series=series
    )
