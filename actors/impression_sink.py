"""ImpressionSink: consumer-group workers that move beacons from the Redis Stream into
PostgreSQL exactly once (COPY + de-duplicating insert + rollups in one transaction, then ACK).

A killed sink loses nothing: its pending entries are claimed by the others after
``claim_idle_ms``, and re-flushing an already committed entry inserts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg
import ray
from ray.util import metrics

from ads.events import row_from_fields
from config.settings import get_settings
from storage.db import asyncpg_dsn
from storage.event_store import flush_events, maintain_partitions
from storage.event_stream import EventStream
from storage.redis_client import connect as connect_redis

logger = logging.getLogger(__name__)

NAMESPACE = "ctv"
SINK_NAME = "impression-sink-{}"
_MAX_BACKOFF_SECONDS = 5.0
_PARTITION_CHECK_SECONDS = 3600.0


class ImpressionSink:
    """One consumer of the beacon stream; several run side by side (``impression-sink-N``)."""

    async def __init__(  # type: ignore[misc]
        self,
        consumer: str,
        *,
        batch_size: int = 1000,
        block_ms: int = 200,
        claim_idle_ms: int = 10_000,
    ) -> None:
        settings = get_settings()
        self._consumer = consumer
        self._batch_size = batch_size
        self._block_ms = block_ms
        self._claim_idle_ms = claim_idle_ms
        self._dsn = asyncpg_dsn(settings.require_database_url())
        self._redis = connect_redis(settings.require_redis_url())
        self._stream = EventStream(self._redis, key=f"{settings.redis_key_prefix}events")
        self._conn: asyncpg.Connection | None = None
        self._flushed = 0
        self._failures = 0
        self._last_error = ""
        self._partitions_checked = 0.0
        self._retention_days = settings.event_retention_days
        self._batch_size_metric = metrics.Histogram(
            "ctv_sink_batch_size",
            description="Events per sink flush.",
            boundaries=[1, 10, 100, 500, 1000, 5000],
        )
        self._lag_metric = metrics.Gauge(
            "ctv_sink_lag_seconds",
            description="Beacon receipt to PostgreSQL commit, oldest in batch.",
        )
        self._stream_length = metrics.Gauge(
            "ctv_event_stream_length", description="Entries in the beacon stream."
        )
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self._dsn, timeout=5)
        now = time.monotonic()
        if now - self._partitions_checked > _PARTITION_CHECK_SECONDS:
            done = await maintain_partitions(
                self._conn,
                today=datetime.now(UTC).date(),
                retention_days=self._retention_days,
            )
            if done.dropped or done.purged:
                logger.info(
                    "raw events past %s days dropped: partitions %s, %d rows of the default one",
                    self._retention_days,
                    ", ".join(done.dropped) or "none",
                    done.purged,
                )
            self._partitions_checked = now
        return self._conn

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                await self._stream.ensure_group()
                while True:
                    await self.step()
                    backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failures += 1
                self._last_error = f"{type(exc).__name__}: {exc}"[:500]
                logger.warning("sink %s retrying in %.1fs: %s", self._consumer, backoff, exc)
                if self._conn is not None and not self._conn.is_closed():
                    self._conn.terminate()
                self._conn = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)

    async def step(self) -> int:
        """Claim stale entries, read one batch, flush it, acknowledge it; returns its size."""
        await self._stream.claim_stale(
            self._consumer, min_idle_ms=self._claim_idle_ms, count=self._batch_size
        )
        entries = await self._stream.read(
            self._consumer, count=self._batch_size, block_ms=self._block_ms
        )
        if not entries:
            self._stream_length.set(await self._stream.length())
            return 0
        rows = []
        for entry_id, fields in entries:
            try:
                rows.append(row_from_fields(fields, entry_id))
            except (KeyError, ValueError):
                logger.error("dropping malformed stream entry %s: %r", entry_id, fields)
        conn = await self._connection()
        result = await flush_events(conn, rows)
        await self._stream.ack([entry_id for entry_id, _ in entries])
        self._flushed += result.inserted
        self._batch_size_metric.observe(len(entries))
        if rows:
            oldest = min(r.received_at for r in rows).timestamp()
            self._lag_metric.set(max(time.time() - oldest, 0.0))
        return len(entries)

    def status(self) -> dict[str, Any]:
        return {
            "consumer": self._consumer,
            "flushed": self._flushed,
            "failures": self._failures,
            "last_error": self._last_error,
        }


def ensure_impression_sinks(count: int = 2) -> list[Any]:
    """The running sinks ``impression-sink-0..count-1``, created (detached) where missing."""
    remote = ray.remote(ImpressionSink)
    return [
        remote.options(
            name=SINK_NAME.format(i),
            namespace=NAMESPACE,
            lifetime="detached",
            get_if_exists=True,
            max_restarts=-1,
            max_task_retries=-1,
            num_cpus=0,
        ).remote(SINK_NAME.format(i))
        for i in range(count)
    ]
