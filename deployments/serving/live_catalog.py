"""The in-process catalog snapshot a decision replica decides from.

Loaded from Redis at start, reloaded on every message of the change channel (debounced) and
every ``reload_seconds`` to repair anything missed. When Redis is unreachable the last snapshot
keeps serving and reloads retry with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ads.selection import CatalogIndex
from storage.catalog import RedisCatalog
from storage.redis_client import follow_channel

logger = logging.getLogger(__name__)

_DEBOUNCE_SECONDS = 0.02
_MAX_BACKOFF_SECONDS = 5.0


class LiveCatalog:
    """Holds the current :class:`CatalogIndex`; swap-on-reload, so readers never block."""

    def __init__(self, redis: Redis, catalog: RedisCatalog, *, reload_seconds: float) -> None:
        self._redis = redis
        self._catalog = catalog
        self._reload_seconds = reload_seconds
        self.index = CatalogIndex((), ())
        self.loaded_at = 0.0
        self.reload_failures = 0
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Load once (best effort) and start the listener and the reload loop."""
        await self._reload_once()
        self._tasks = [
            asyncio.create_task(self._listen(), name="catalog-listen"),
            asyncio.create_task(self._reload_loop(), name="catalog-reload"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def age_seconds(self) -> float:
        return time.monotonic() - self.loaded_at if self.loaded_at else float("inf")

    async def _reload_once(self) -> bool:
        try:
            snapshot = await self._catalog.load()
        except (RedisError, OSError) as exc:
            self.reload_failures += 1
            logger.warning("catalog reload failed, serving the last snapshot: %s", exc)
            return False
        self.index = CatalogIndex(snapshot.campaigns, snapshot.creatives)
        self.loaded_at = time.monotonic()
        return True

    async def _reload_loop(self) -> None:
        backoff = 0.1
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._reload_seconds)
                await asyncio.sleep(_DEBOUNCE_SECONDS)  # coalesce a burst of changes
            self._wake.clear()
            if await self._reload_once():
                backoff = 0.1
            else:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)
                self._wake.set()

    async def _listen(self) -> None:
        await follow_channel(
            self._redis,
            self._catalog.channel,
            lambda _data: self._wake.set(),
            on_subscribed=self._wake.set,  # changes may have been missed while unsubscribed
        )
