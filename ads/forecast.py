"""Avails forecast: how many ad requests (ad breaks) a future range should bring, and how many of
them no paid campaign takes at today's demand: what a new or running campaign can still buy.

Each future hour is expected to look like the mean of the same UTC hour of the day over the
complete hours of the last :data:`LOOKBACK_DAYS` days, counted from the first hour with any
ad request (a new server has no past to average). Given a daypart, only the part of each hour
the campaign runs counts; given a targeting, the share of the sampled requests it reaches
(ads/audience.py, over the same days) scales the supply down to the campaign's; frequency caps
and pacing are not applied. Pure: the hourly counts and the samples
come from storage/inventory.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel

from ads.audience import Reach
from ads.dayparts import Daypart
from ads.errors import InvalidInput
from ads.inventory import HOUR, InventoryCounts, hour_of

LOOKBACK_DAYS = 7
MAX_FORECAST_DAYS = 366


@dataclass(frozen=True, slots=True)
class _Expected:
    requests: float = 0.0
    paid_filled: float = 0.0

    def __add__(self, other: _Expected) -> _Expected:
        return _Expected(self.requests + other.requests, self.paid_filled + other.paid_filled)

    def __mul__(self, weight: float) -> _Expected:
        return _Expected(self.requests * weight, self.paid_filled * weight)


class Forecast(BaseModel):
    """``GET /forecast``: expected ad requests over ``[start, end)``."""

    start: datetime
    """The forecast's start: the asked ``from``, or now if that is past."""
    end: datetime
    history_hours: int
    """Complete hours of history the hourly profile is made of (0: nothing counted yet, every
    figure 0)."""
    requests: int
    """Ad requests (breaks) expected in the range."""
    paid_filled: int
    """Of them, expected to get a paid ad from today's campaigns."""
    unsold: int
    """The rest (no fill, or house ads only): what another campaign can buy."""
    impressions_needed: int | None
    """``budget / cpm * 1000`` when both were given and the CPM is not 0."""
    running_hours: float | None = None
    """With a daypart, the hours of the range it covers (the figures count only those); None
    without one."""
    targeted_share: float | None = None
    """Of the sampled requests, the share the given targeting reaches (0-1, four places); None
    without targeting, or before any request was sampled."""
    targeted_samples: int = 0
    """How many sampled requests the share is made of."""
    targeted_requests: int | None = None
    """``requests`` the targeting reaches."""
    targeted_unsold: int | None = None
    """``unsold`` the targeting reaches (the unsold part taken as even across the supply)."""


def history_hours(now: datetime) -> list[datetime]:
    """The complete UTC hours the profile reads: the :data:`LOOKBACK_DAYS` days before the
    current hour, oldest first."""
    current = hour_of(now)
    return [current - HOUR * back for back in range(LOOKBACK_DAYS * 24, 0, -1)]


def _profile(
    hours: Sequence[datetime], counts: Mapping[datetime, InventoryCounts]
) -> tuple[dict[int, _Expected], _Expected, int]:
    """Mean expected counts per UTC hour of the day, the mean over every hour (for hours of the
    day not seen yet), and how many hours they are made of."""
    first = next((h for h in hours if counts.get(h, InventoryCounts()).requests), None)
    if first is None:
        return {}, _Expected(), 0
    sums: dict[int, _Expected] = {}
    seen: dict[int, int] = {}
    used = [h for h in hours if h >= first]
    for hour in used:
        hourly = counts.get(hour, InventoryCounts())
        paid = hourly.filled - hourly.house_only
        sums[hour.hour] = sums.get(hour.hour, _Expected()) + _Expected(hourly.requests, paid)
        seen[hour.hour] = seen.get(hour.hour, 0) + 1
    overall = sum(sums.values(), _Expected()) * (1 / len(used))
    return {h: total * (1 / seen[h]) for h, total in sums.items()}, overall, len(used)


def impressions_for(budget: Decimal, cpm: Decimal) -> int | None:
    """How many impressions ``budget`` buys at ``cpm``; None at CPM 0 (no spend limit)."""
    return None if cpm == 0 else int(budget * 1000 / cpm)


def forecast(
    counts: Mapping[datetime, InventoryCounts],
    *,
    now: datetime,
    start: datetime,
    end: datetime,
    impressions_needed: int | None = None,
    audience: Reach | None = None,
    daypart: Daypart | None = None,
) -> Forecast:
    """Expected requests over ``[max(start, now), end)`` from ``counts`` of :func:`history_hours`
    (each hour weighted by the part of it the range, and ``daypart`` if given, covers).
    :class:`InvalidInput` if ``end`` is not after that start or the range is longer than
    :data:`MAX_FORECAST_DAYS`. ``audience``: a targeting's reach of the sampled requests
    (:func:`ads.audience.reach`)."""
    begin = max(start, now)
    if end <= begin:
        raise _invalid("to", "to must be in the future and after from")
    if end - begin > timedelta(days=MAX_FORECAST_DAYS):
        raise _invalid("to", f"a forecast covers at most {MAX_FORECAST_DAYS} days")
    profile, overall, used = _profile(history_hours(now), counts)
    total = _Expected()
    running = 0.0
    hour = hour_of(begin)
    while hour < end:
        low, high = max(begin, hour), min(end, hour + HOUR)
        part = (high - low) / HOUR
        if daypart is not None:
            part = daypart.active_micros(low, high) / (HOUR / timedelta(microseconds=1))
        running += part
        if used:
            total += profile.get(hour.hour, overall) * part
        hour += HOUR
    requests = round(total.requests)
    paid = min(round(total.paid_filled), requests)
    return Forecast(
        start=begin,
        end=end,
        history_hours=used,
        requests=requests,
        paid_filled=paid,
        unsold=requests - paid,
        impressions_needed=impressions_needed,
        running_hours=None if daypart is None else round(running, 2),
        targeted_share=None if audience is None else round(audience.share, 4),
        targeted_samples=0 if audience is None else audience.samples,
        targeted_requests=None if audience is None else round(requests * audience.share),
        targeted_unsold=None if audience is None else round((requests - paid) * audience.share),
    )


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": field, "message": message}])
