"""The Redis catalog: campaign and creative hashes, the active set and the change channel.

Layout (every key under the configured prefix ``p``, every hash with a TTL):
- ``p campaign:{id}``            hash of :func:`ads.catalog.campaign_to_hash`
- ``p campaign:{id}:creatives``  set of creative ids
- ``p creative:{id}``            hash of :func:`ads.catalog.creative_to_hash`
- ``p campaigns:all``            set of every campaign id in the catalog
- ``p campaigns:active``         set of ids of campaigns with status ``active``
- ``p catalog:changes``          pub/sub channel; messages are JSON ``{"kind", "id", "op"}``
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import WatchError

from ads.catalog import (
    CatalogCampaign,
    CatalogCreative,
    campaign_from_hash,
    campaign_to_hash,
    creative_from_hash,
    creative_to_hash,
)


def _mapping(fields: dict[str, str]) -> Any:
    """redis-py's hset mapping type is invariant in its key; our hashes are plain str → str."""
    return fields


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    """Everything the catalog holds, as read in one pass."""

    campaigns: tuple[CatalogCampaign, ...]
    creatives: tuple[CatalogCreative, ...]


class RedisCatalog:
    """Reads and writes the catalog; callers own the Redis client."""

    def __init__(self, redis: Redis, *, prefix: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._p = prefix
        self._ttl = ttl_seconds

    @property
    def channel(self) -> str:
        return f"{self._p}catalog:changes"

    def campaign_key(self, campaign_id: str) -> str:
        return f"{self._p}campaign:{campaign_id}"

    def creative_key(self, creative_id: str) -> str:
        return f"{self._p}creative:{creative_id}"

    def _creatives_key(self, campaign_id: str) -> str:
        return f"{self._p}campaign:{campaign_id}:creatives"

    @property
    def _all_key(self) -> str:
        return f"{self._p}campaigns:all"

    @property
    def _active_key(self) -> str:
        return f"{self._p}campaigns:active"

    async def put_campaign(
        self,
        campaign: CatalogCampaign,
        creatives: Sequence[CatalogCreative],
        *,
        publish: bool = True,
    ) -> None:
        """Write ``campaign`` with exactly ``creatives``, then announce the change."""
        await self.put_many([(campaign, creatives)])
        if publish:
            await self.publish("campaign", campaign.id, "upsert")

    async def put_many(
        self, entries: Iterable[tuple[CatalogCampaign, Sequence[CatalogCreative]]]
    ) -> None:
        """Write many campaigns with their creatives in one pipeline (no publish)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            self._queue_puts(pipe, entries)
            await pipe.execute()

    async def put_unless_changed(
        self,
        entries: Sequence[tuple[CatalogCampaign, Sequence[CatalogCreative]]],
        *,
        seen: Mapping[str, CatalogCampaign],
        attempts: int = 3,
    ) -> int:
        """:meth:`put_many` for the entries whose campaign hash still holds what ``seen`` read
        there (nothing, for an id not in it), in one transaction under WATCH: a write-through
        made since that read is fresher and stays. Returns how many were written (0 when the
        keys kept changing through ``attempts`` tries: the next sync tries again)."""
        keys = [self.campaign_key(campaign.id) for campaign, _ in entries]
        for _ in range(attempts if entries else 0):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(*keys)
                    unchanged = []
                    for entry, key in zip(entries, keys, strict=True):
                        data = cast(dict[str, str], await pipe.hgetall(key))
                        if _parsed(data) == seen.get(entry[0].id):
                            unchanged.append(entry)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    self._queue_puts(pipe, unchanged)
                    await pipe.execute()
                    return len(unchanged)
                except WatchError:
                    continue
        return 0

    def _queue_puts(
        self, pipe: Any, entries: Iterable[tuple[CatalogCampaign, Sequence[CatalogCreative]]]
    ) -> None:
        for campaign, creatives in entries:
            ckey = self.campaign_key(campaign.id)
            setkey = self._creatives_key(campaign.id)
            pipe.delete(ckey, setkey)
            pipe.hset(ckey, mapping=_mapping(campaign_to_hash(campaign)))
            pipe.expire(ckey, self._ttl)
            for creative in creatives:
                key = self.creative_key(creative.id)
                pipe.delete(key)
                pipe.hset(key, mapping=_mapping(creative_to_hash(creative)))
                pipe.expire(key, self._ttl)
                pipe.sadd(setkey, creative.id)
            pipe.expire(setkey, self._ttl)
            pipe.sadd(self._all_key, campaign.id)
            if campaign.status == "active":
                pipe.sadd(self._active_key, campaign.id)
            else:
                pipe.srem(self._active_key, campaign.id)

    async def touch(
        self, entries: Iterable[tuple[CatalogCampaign, Sequence[CatalogCreative]]]
    ) -> None:
        """Refresh the TTL of the keys of ``entries`` without rewriting them."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for campaign, creatives in entries:
                pipe.expire(self.campaign_key(campaign.id), self._ttl)
                pipe.expire(self._creatives_key(campaign.id), self._ttl)
                for creative in creatives:
                    pipe.expire(self.creative_key(creative.id), self._ttl)
            await pipe.execute()

    async def remove_campaign(self, campaign_id: str, *, publish: bool = True) -> None:
        """Drop a campaign and its creatives from the catalog."""
        creative_ids = cast(set[str], await self._redis.smembers(self._creatives_key(campaign_id)))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.campaign_key(campaign_id), self._creatives_key(campaign_id))
            for creative_id in creative_ids:
                pipe.delete(self.creative_key(creative_id))
            pipe.srem(self._all_key, campaign_id)
            pipe.srem(self._active_key, campaign_id)
            await pipe.execute()
        if publish:
            await self.publish("campaign", campaign_id, "delete")

    async def publish(self, kind: str, item_id: str, op: str) -> None:
        await self._redis.publish(self.channel, json.dumps({"kind": kind, "id": item_id, "op": op}))

    async def campaign_ids(self) -> set[str]:
        return cast(set[str], await self._redis.smembers(self._all_key))

    async def active_ids(self) -> set[str]:
        return cast(set[str], await self._redis.smembers(self._active_key))

    async def get_campaign(self, campaign_id: str) -> CatalogCampaign | None:
        data = cast(dict[str, str], await self._redis.hgetall(self.campaign_key(campaign_id)))
        return campaign_from_hash(data) if data else None

    async def load(self) -> CatalogSnapshot:
        """Every campaign in the catalog with its creatives (unparseable hashes are skipped)."""
        ids = sorted(await self.campaign_ids())
        async with self._redis.pipeline(transaction=False) as pipe:
            for campaign_id in ids:
                pipe.hgetall(self.campaign_key(campaign_id))
                pipe.smembers(self._creatives_key(campaign_id))
            raw = await pipe.execute()
        campaigns: list[CatalogCampaign] = []
        creative_ids: list[str] = []
        for data, members in zip(raw[0::2], raw[1::2], strict=True):
            try:
                campaigns.append(campaign_from_hash(data))
            except (KeyError, ValueError):
                continue
            creative_ids.extend(sorted(members))
        async with self._redis.pipeline(transaction=False) as pipe:
            for creative_id in creative_ids:
                pipe.hgetall(self.creative_key(creative_id))
            creative_hashes = await pipe.execute()
        creatives: list[CatalogCreative] = []
        for data in creative_hashes:
            try:
                creatives.append(creative_from_hash(data))
            except (KeyError, ValueError):
                continue
        return CatalogSnapshot(campaigns=tuple(campaigns), creatives=tuple(creatives))


def _parsed(data: dict[str, str]) -> CatalogCampaign | None:
    """The campaign a hash holds; None for no hash or one that does not parse."""
    try:
        return campaign_from_hash(data) if data else None
    except (KeyError, ValueError):
        return None
