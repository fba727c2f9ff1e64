"""The beacon log: a Redis Stream with one consumer group of sinks.

Contract: an entry appended with :meth:`EventStream.append` is durable once the call returns
(Redis runs with append-only persistence). Consumers read their own pending entries before new
ones, acknowledge (and delete) entries only after PostgreSQL has committed them, and claim
entries that another consumer left pending for longer than ``min_idle_ms``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import ResponseError

Entry = tuple[str, dict[str, str]]


class EventStream:
    def __init__(self, redis: Redis, *, key: str, group: str = "sinks") -> None:
        self._redis = redis
        self.key = key
        self.group = group

    async def append(self, fields: Mapping[str, str]) -> str:
        entry_id = await self._redis.xadd(self.key, cast(Any, dict(fields)))
        return str(entry_id)

    async def append_many(self, batch: Sequence[Mapping[str, str]]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for fields in batch:
                pipe.xadd(self.key, cast(Any, dict(fields)))
            await pipe.execute()

    async def ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self.key, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read(self, consumer: str, *, count: int, block_ms: int) -> list[Entry]:
        """This consumer's pending entries first; when it has none, new entries (blocking)."""
        pending = await self._xreadgroup(consumer, "0", count=count, block_ms=None)
        if pending:
            return pending
        return await self._xreadgroup(consumer, ">", count=count, block_ms=block_ms)

    async def claim_stale(self, consumer: str, *, min_idle_ms: int, count: int) -> int:
        """Take over entries other consumers left pending; they are then read as our pending."""
        result = await self._redis.xautoclaim(
            self.key,
            self.group,
            consumer,
            min_idle_time=min_idle_ms,
            start_id="0-0",
            count=count,
            justid=True,
        )
        return len(result[1]) if result else 0

    async def ack(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.key, self.group, *ids)
            pipe.xdel(self.key, *ids)
            await pipe.execute()

    async def length(self) -> int:
        return int(await self._redis.xlen(self.key))

    async def _xreadgroup(
        self, consumer: str, start: str, *, count: int, block_ms: int | None
    ) -> list[Entry]:
        answer: list[tuple[str, list[tuple[str, dict[str, str]]]]] | None = cast(
            Any,
            await self._redis.xreadgroup(
                self.group, consumer, {self.key: start}, count=count, block=block_ms
            ),
        )
        entries: list[Entry] = []
        for _stream, items in answer or []:
            for entry_id, fields in items:
                if fields:  # a deleted entry still pending shows up without fields
                    entries.append((str(entry_id), fields))
                else:
                    await self._redis.xack(self.key, self.group, entry_id)
        return entries
