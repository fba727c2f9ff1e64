"""Where serving replicas share the serves that frequency caps count (see ads/frequency.py).

- ``<prefix>freq:<device>``: a sorted set per device, members ``<campaign id>|<ad serving id>``
  scored by serve time, trimmed to the longest cap window and expiring with it;
- ``<prefix>freq-recent``: device → its latest serve time, the devices a starting replica reads
  first (bounded to the most recent ``max_recent``);
- ``<prefix>freq-serves``: a channel on which every batch written is published, so the other
  replicas know of it within a flush interval without reading anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from redis.asyncio import Redis

from ads.frequency import MAX_CAP_HOURS, Exposure, encode_batch

KEEP_SECONDS = MAX_CAP_HOURS * 3600
"""How long a serve is kept: the longest window a cap may have."""


class RedisExposures:
    def __init__(self, redis: Redis, *, prefix: str, max_recent: int = 1_000_000) -> None:
        self._redis = redis
        self._prefix = f"{prefix}freq:"
        self._recent = f"{prefix}freq-recent"
        self._max_recent = max_recent
        self.channel = f"{prefix}freq-serves"

    def _key(self, device: str) -> str:
        return f"{self._prefix}{device}"

    async def add(self, exposures: Sequence[Exposure], *, origin: str) -> None:
        """Store ``exposures`` and publish them, as ``origin`` (one pipeline)."""
        by_device: dict[str, dict[str, float]] = {}
        for e in exposures:
            by_device.setdefault(e.device, {})[f"{e.campaign_id}|{e.ad_serving_id}"] = e.at
        oldest = time.time() - KEEP_SECONDS
        async with self._redis.pipeline(transaction=False) as pipe:
            for device, members in by_device.items():
                key = self._key(device)
                pipe.zadd(key, members)
                pipe.zremrangebyscore(key, "-inf", oldest)
                pipe.expire(key, KEEP_SECONDS)
            pipe.zadd(self._recent, {d: max(m.values()) for d, m in by_device.items()})
            pipe.zremrangebyrank(self._recent, 0, -self._max_recent - 1)
            pipe.publish(self.channel, encode_batch(exposures, origin=origin))
            await pipe.execute()

    async def recent_devices(self, limit: int) -> list[str]:
        """The ``limit`` devices served most recently, latest first."""
        members = await self._redis.zrevrange(self._recent, 0, limit - 1)
        return [m.decode() if isinstance(m, bytes) else str(m) for m in members]

    async def load(self, devices: Iterable[str]) -> list[Exposure]:
        """Every kept serve of ``devices``."""
        wanted = list(devices)
        oldest = time.time() - KEEP_SECONDS
        async with self._redis.pipeline(transaction=False) as pipe:
            for device in wanted:
                pipe.zrangebyscore(self._key(device), oldest, "+inf", withscores=True)
            results = await pipe.execute()
        exposures: list[Exposure] = []
        for device, members in zip(wanted, results, strict=True):
            for member, at in members:
                text = member.decode() if isinstance(member, bytes) else str(member)
                campaign_id, _, ad_serving_id = text.partition("|")
                exposures.append(Exposure(device, campaign_id, float(at), ad_serving_id))
        return exposures
