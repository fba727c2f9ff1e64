"""Hourly ad-inventory counts and daily request samples in Redis (ads/inventory.py,
ads/audience.py): each decision replica adds what it counted every few seconds; the management
API reads them back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from redis.asyncio import Redis

from ads.inventory import InventoryCounts

KEEP = timedelta(days=35)
"""How long an hour's counts are kept (a month of hourly reports, and some)."""


class RedisInventory:
    """One hash per UTC hour, ``<prefix>inventory:<YYYYMMDDHH>``, of :class:`InventoryCounts`,
    and one per UTC day, ``<prefix>audience:<YYYYMMDD>``, of sampled requests by profile key."""

    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, hour: datetime) -> str:
        return f"{self._prefix}inventory:{hour:%Y%m%d%H}"

    def _audience_key(self, day: date) -> str:
        return f"{self._prefix}audience:{day:%Y%m%d}"

    async def add(
        self,
        counts: Mapping[datetime, InventoryCounts],
        samples: Mapping[date, Mapping[str, int]] | None = None,
    ) -> None:
        """Add ``counts`` to their hours and ``samples`` (profile key → requests) to their days
        (atomically per call: one MULTI pipeline)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            for hour, hourly in counts.items():
                key = self._key(hour)
                for name, value in hourly.as_fields().items():
                    pipe.hincrby(key, name, value)
                pipe.expire(key, KEEP)
            for day, profiles in (samples or {}).items():
                key = self._audience_key(day)
                for profile, count in profiles.items():
                    pipe.hincrby(key, profile, count)
                pipe.expire(key, KEEP)
            await pipe.execute()

    async def samples(self, days: Sequence[date]) -> dict[date, dict[str, int]]:
        """The requests sampled on each of ``days`` that has any, by profile key."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for day in days:
                pipe.hgetall(self._audience_key(day))
            rows = await pipe.execute()
        return {
            day: {profile: int(count) for profile, count in row.items()}
            for day, row in zip(days, rows, strict=True)
            if row
        }

    async def read(self, hours: Sequence[datetime]) -> dict[datetime, InventoryCounts]:
        """The counts of each of ``hours`` that has any."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for hour in hours:
                pipe.hgetall(self._key(hour))
            rows = await pipe.execute()
        return {
            hour: InventoryCounts.from_fields(row)
            for hour, row in zip(hours, rows, strict=True)
            if row
        }
