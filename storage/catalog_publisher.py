"""PostgreSQL → Redis: write-through after a management change, and the full repairing sync."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ads.catalog import CatalogCampaign, CatalogCreative
from storage import campaigns as campaign_repo
from storage.catalog import RedisCatalog
from storage.catalog_records import campaign_record, creative_record
from storage.models import Campaign, Creative


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one full sync found: campaigns written, and how many Redis had wrong or extra."""

    campaigns: int
    repaired: int
    removed: int


class CatalogPublisher:
    """Mirrors campaigns (with their creatives) from PostgreSQL into the Redis catalog."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        catalog: RedisCatalog,
        media_url: Callable[[str], str],
    ) -> None:
        self._sessions = sessions
        self._catalog = catalog
        self._media_url = media_url

    def _records(
        self, campaign: Campaign, creatives: Sequence[Creative]
    ) -> tuple[CatalogCampaign, list[CatalogCreative]]:
        return campaign_record(campaign), [
            creative_record(c, media_url=self._media_url) for c in creatives
        ]

    async def publish_campaign(self, campaign_id: uuid.UUID) -> None:
        """Write the committed state of one campaign to Redis (or remove it) and announce it."""
        async with self._sessions() as session:
            campaign = await campaign_repo.get(session, campaign_id)
            creatives = await campaign_repo.creatives_of(session, campaign_id) if campaign else []
        if campaign is None:
            await self._catalog.remove_campaign(str(campaign_id))
            return
        record, creative_records = self._records(campaign, creatives)
        await self._catalog.put_campaign(record, creative_records)

    async def complete_finished(self, *, now: datetime) -> list[uuid.UUID]:
        """Complete campaigns past their end date or budget, and mirror each at once."""
        async with self._sessions() as session:
            finished = await campaign_repo.complete_finished(session, now=now)
            await session.commit()
        for campaign_id in finished:
            await self.publish_campaign(campaign_id)
        return finished

    async def sync_all(self) -> SyncReport:
        """Rewrite what drifted from PostgreSQL (refreshing TTLs) and drop what is gone.

        Redis is read before PostgreSQL, so a write-through that lands while the sync runs is
        never undone by it: made before the PostgreSQL read, it is in the rows read; made after,
        its campaign is not among the stale ids (a campaign created meanwhile is not dropped),
        and the rewrite skips every campaign whose hash is no longer what the sync first read
        (checked under WATCH), so an older row never overwrites a fresher write-through.
        """
        current = await self._catalog.load()
        known = await self._catalog.campaign_ids()
        async with self._sessions() as session:
            rows = await campaign_repo.all_with_creatives(session)
        desired = [self._records(c, cr) for c, cr in rows]
        current_campaigns = {c.id: c for c in current.campaigns}
        current_creatives: dict[str, set[CatalogCreative]] = {}
        for creative in current.creatives:
            current_creatives.setdefault(creative.campaign_id, set()).add(creative)
        changed = [
            (record, creatives)
            for record, creatives in desired
            if current_campaigns.get(record.id) != record
            or current_creatives.get(record.id, set()) != set(creatives)
        ]
        stale = known - {record.id for record, _ in desired}
        repaired = await self._catalog.put_unless_changed(changed, seen=current_campaigns)
        await self._catalog.touch(desired)
        for campaign_id in stale:
            await self._catalog.remove_campaign(campaign_id, publish=False)
        if repaired or stale:
            await self._catalog.publish("catalog", "*", "resync")
        return SyncReport(campaigns=len(desired), repaired=repaired, removed=len(stale))
