"""The inventory archive in PostgreSQL (``inventory_hourly``, ``audience_daily``): what the
decision replicas count in Redis (storage/inventory.py), copied by CatalogSync so the inventory
report and the forecasts outlive a Redis that lost its data, and Redis's 35 days; and the
reads that put both copies together (Redis's the live one, the archive's the kept one)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, fields
from datetime import date, datetime, timedelta

from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ads.audience import merged_samples
from ads.inventory import HOUR, InventoryCounts, hours_up_to, merged
from storage.inventory import KEEP, RedisInventory
from storage.models import AudienceDay, InventoryHour

logger = logging.getLogger(__name__)

COUNTS = tuple(f.name for f in fields(InventoryCounts))
_ROWS_PER_STATEMENT = 2000
RECENT_HOURS = 2
"""Hours a copy takes: the current one and the one before (replicas' late flushes land in it
for a while)."""
FULL_COPY = timedelta(hours=1)


async def archive(
    session: AsyncSession,
    counts: Mapping[datetime, InventoryCounts],
    samples: Mapping[date, Mapping[str, int]],
) -> None:
    """Write ``counts`` and ``samples`` over the archive's copies, each count keeping the
    larger value (Redis's running totals only grow, unless Redis lost them)."""
    if counts:
        hours = insert(InventoryHour)
        await session.execute(
            hours.on_conflict_do_update(
                index_elements=[InventoryHour.hour],
                set_={
                    name: func.greatest(getattr(InventoryHour, name), hours.excluded[name])
                    for name in COUNTS
                },
            ),
            [{"hour": hour, **asdict(hourly)} for hour, hourly in counts.items()],
        )
    rows = [
        {"day": day, "profile": profile, "requests": requests}
        for day, profiles in samples.items()
        for profile, requests in profiles.items()
    ]
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        days = insert(AudienceDay)
        await session.execute(
            days.on_conflict_do_update(
                index_elements=[AudienceDay.day, AudienceDay.profile],
                set_={"requests": func.greatest(AudienceDay.requests, days.excluded.requests)},
            ),
            rows[start : start + _ROWS_PER_STATEMENT],
        )


async def archived_counts(
    session: AsyncSession, hours: Sequence[datetime]
) -> dict[datetime, InventoryCounts]:
    """The archive's counts of each of ``hours`` (oldest first) that it has."""
    wanted = set(hours)
    result = await session.execute(
        select(InventoryHour).where(InventoryHour.hour.between(hours[0], hours[-1]))
    )
    return {
        row.hour: InventoryCounts(**{name: getattr(row, name) for name in COUNTS})
        for row in result.scalars()
        if row.hour in wanted
    }


async def archived_samples(
    session: AsyncSession, days: Sequence[date]
) -> dict[date, dict[str, int]]:
    """The archive's sampled requests on each of ``days`` that has any, by profile key."""
    result = await session.execute(
        select(AudienceDay.day, AudienceDay.profile, AudienceDay.requests).where(
            AudienceDay.day.in_(days)
        )
    )
    by_day: dict[date, dict[str, int]] = {}
    for day, profile, requests in result.tuples():
        by_day.setdefault(day, {})[profile] = requests
    return by_day


async def inventory_counts(
    session: AsyncSession, live: RedisInventory, hours: Sequence[datetime]
) -> dict[datetime, InventoryCounts]:
    """The counts of ``hours`` (oldest first) from both copies; the archive's alone while
    Redis does not answer."""
    kept = await archived_counts(session, hours)
    try:  # Redis keeps only the last KEEP of them
        return merged(kept, await live.read([h for h in hours if h > hours[-1] - KEEP]))
    except RedisError as exc:
        logger.warning("inventory from the archive only: Redis does not answer (%s)", exc)
        return kept


async def sampled_requests(
    session: AsyncSession, live: RedisInventory, days: Sequence[date]
) -> Counter[str]:
    """The requests sampled on ``days`` from both copies, by profile key, summed."""
    kept = await archived_samples(session, days)
    try:
        return merged_samples(kept, await live.samples(days))
    except RedisError as exc:
        logger.warning("request samples from the archive only: Redis does not answer (%s)", exc)
        return merged_samples(kept, {})


class InventoryArchiver:
    """Copies Redis's inventory into the archive: the recent hours and their days, and
    everything Redis keeps on the first copy after a start and every :data:`FULL_COPY` after
    (replicas that kept counts through a Redis outage add them to their hours late)."""

    def __init__(self, live: RedisInventory, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._live = live
        self._sessions = sessions
        self._full_copy_at: datetime | None = None

    async def copy(self, now: datetime, *, full: bool = False) -> int:
        """One copy (``full``: of everything Redis keeps); the hours copied that had counts."""
        full = full or self._full_copy_at is None or now - self._full_copy_at >= FULL_COPY
        hours = hours_up_to(now, int(KEEP / HOUR) if full else RECENT_HOURS)
        counts = await self._live.read(hours)
        samples = await self._live.samples(sorted({hour.date() for hour in hours}))
        async with self._sessions.begin() as session:
            await archive(session, counts, samples)
        if full:
            self._full_copy_at = now
        return len(counts)
