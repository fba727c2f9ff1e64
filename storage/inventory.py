"""Hourly ad-inventory counts in Redis (ads/inventory.py): each decision replica adds what it
counted every few seconds; the management API reads the hours back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from redis.asyncio import Redis

from ads.inventory import InventoryCounts

KEEP = timedelta(days=35)
"""How long an hour's counts are kept (a month of hourly reports, and some)."""


class RedisInventory:
    """One hash per UTC hour, ``<prefix>inventory:<YYYYMMDDHH>``, of :class:`InventoryCounts`."""

    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, hour: datetime) -> str:
        return f"{self._prefix}inventory:{hour:%Y%m%d%H}"

    async def add(self, counts: Mapping[datetime, InventoryCounts]) -> None:
        """Add ``counts`` to their hours (atomically per call: one MULTI pipeline)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            for hour, hourly in counts.items():
                key = self._key(hour)
                for name, value in hourly.as_fields().items():
                    pipe.hincrby(key, name, value)
                pipe.expire(key, KEEP)
            await pipe.execute()

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
