"""The daily digest's figures (ads/digest.py) from PostgreSQL and the inventory, and the days whose
digest was sent. Callers own the session."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ads.digest import ENDING_WITHIN, Digest, Ending
from ads.inventory import InventoryCounts, hours_of
from ads.player_errors import failing_campaigns
from ads.reporting import Counters
from storage import campaigns as campaign_repo
from storage import creatives as creative_repo
from storage import stats
from storage.inventory import RedisInventory
from storage.inventory_archive import inventory_counts
from storage.models import DigestSent


async def gather(
    session: AsyncSession, live: RedisInventory, *, day: date, now: datetime
) -> Digest:
    """The digest of ``day`` (delivery, ad requests), with the campaigns that need attention
    as of ``now``."""
    delivery = await stats.daily_counters(session, first=day, last=day)
    hours = hours_of([datetime.combine(day, time.min, tzinfo=UTC)])
    requests = sum((await inventory_counts(session, live, hours)).values(), InventoryCounts())
    _, active = await stats.campaign_counts(session)
    behind, short = await campaign_repo.delivery_watch(session, now=now, limit=active)
    return Digest(
        day=day,
        delivery=delivery.get(day, Counters()),
        requests=requests,
        active_campaigns=active,
        behind=behind,
        short=short,
        ending=[
            Ending(c.name, c.end_date)
            for c in await campaign_repo.ending(session, now=now, within=ENDING_WITHIN)
        ],
        awaiting_review=len(await creative_repo.awaiting_review(session)),
        failing=failing_campaigns(await stats.campaign_failures(session, day=day)),
    )


async def last_sent(session: AsyncSession) -> date | None:
    """The latest day whose digest was sent."""
    day: date | None = await session.scalar(select(func.max(DigestSent.day)))
    return day


async def mark_sent(session: AsyncSession, day: date, *, at: datetime) -> None:
    statement = insert(DigestSent).values(day=day, sent_at=at)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[DigestSent.day], set_={"sent_at": at})
    )
