"""A serving replica's frequency caps: checked in process, shared through Redis in the background.

Per request, :meth:`FrequencyBook.allows` asks the replica's :class:`ExposureLog` (no network)
and :meth:`FrequencyBook.served` records the serves. Every ``flush_seconds`` the new serves go to
Redis in one pipeline and are published; every replica merges what the others publish, so a cap
holds across replicas once a serve is a flush interval old. A starting replica first reads the
devices served most recently (bounded in time); a device it still does not know is read in the
background when it first asks, its first request decided on what the replica knows. When Redis
is away, caps hold per replica and the serves wait (bounded) to be written; once it is back,
every device the replica knows is read again (the others' serves of the outage were missed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Iterable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ads.catalog import CatalogCampaign
from ads.frequency import Exposure, ExposureLog, decode_batch
from storage.exposures import RedisExposures
from storage.redis_client import follow_channel

logger = logging.getLogger(__name__)

_MAX_PENDING = 100_000
"""Serves kept for Redis while it is away; past this the oldest are dropped (logged)."""
_MAX_LOADS_PER_ROUND = 1_000
_WARM_DEVICES = 100_000
"""How many recently served devices a starting replica reads before it serves."""
_WARM_SECONDS = 5.0


class FrequencyBook:
    def __init__(
        self,
        redis: Redis,
        store: RedisExposures,
        *,
        flush_seconds: float = 0.2,
        max_devices: int,
    ) -> None:
        self._redis = redis
        self._store = store
        self._flush_seconds = flush_seconds
        self._log = ExposureLog(max_devices=max_devices)
        self._warm_devices = min(max_devices, _WARM_DEVICES)
        self._origin = uuid.uuid4().hex
        self._pending: list[Exposure] = []
        self._to_load: set[str] = set()
        self._subscribed = False
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Read the recently served devices (best effort, bounded in time), then keep up."""
        try:
            async with asyncio.timeout(_WARM_SECONDS):
                await self._warm()
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("frequency caps: started without the shared serves: %r", exc)
        self._tasks = [
            asyncio.create_task(self._flush_loop(), name="frequency-flush"),
            asyncio.create_task(self._listen(), name="frequency-listen"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(RedisError, OSError):
            await self._flush()

    def allows(self, device: str, campaign: CatalogCampaign, now: float) -> bool:
        """Whether ``campaign``'s cap (if any) lets ``device`` get one more of its ads."""
        cap = campaign.frequency_cap
        return cap is None or self._log.allows(device, campaign.id, cap, now)

    def seen(self, device: str) -> None:
        """A request from ``device``: read what Redis knows of it if this replica does not."""
        if not self._log.knows(device):
            self._to_load.add(device)

    def served(self, device: str, campaign: CatalogCampaign, at: float, ad_serving_id: str) -> None:
        """One ad of a capped campaign served to ``device``."""
        exposure = Exposure(device, campaign.id, at, ad_serving_id)
        self._log.record(exposure)
        self._pending.append(exposure)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self._flush_seconds)
            try:
                await self._flush()
                await self._load(self._take_loads())
            except (RedisError, OSError) as exc:
                logger.warning("frequency caps: Redis unreachable, serves kept in memory: %s", exc)
                if len(self._pending) > _MAX_PENDING:
                    dropped = len(self._pending) - _MAX_PENDING
                    del self._pending[:dropped]
                    logger.error("frequency caps: dropped %d serves Redis never got", dropped)

    async def _flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._store.add(batch, origin=self._origin)
            except BaseException:
                self._pending[:0] = batch  # written next round
                raise

    async def _warm(self) -> None:
        devices = await self._store.recent_devices(self._warm_devices)
        for start in range(0, len(devices), _MAX_LOADS_PER_ROUND):
            await self._load(devices[start : start + _MAX_LOADS_PER_ROUND])

    def _take_loads(self) -> list[str]:
        devices = list(self._to_load)[:_MAX_LOADS_PER_ROUND]
        self._to_load.difference_update(devices)
        return devices

    async def _load(self, devices: Iterable[str]) -> None:
        devices = list(devices)
        if devices:
            exposures = await self._store.load(devices)
            for device in devices:
                self._log.remember(device)
            self._log.merge(exposures)

    def on_subscribed(self) -> None:
        """Listening to the other replicas (again): serves published while this replica was not
        (Redis away) were missed, so every device it knows is read again in the background."""
        if self._subscribed:
            self._to_load.update(self._log.devices())
        self._subscribed = True

    async def _listen(self) -> None:
        await follow_channel(
            self._redis,
            self._store.channel,
            lambda data: self._log.merge(decode_batch(data, origin=self._origin)),
            on_subscribed=self.on_subscribed,
        )
