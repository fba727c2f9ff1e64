"""The notifications outbox: campaign history entries not yet handed to the webhook
(``campaign_changes.notified_at`` unset, written in the same transaction as each change, so
none is lost or sent for a change that was rolled back)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ads.notifications import ChangeEntry
from storage.models import Campaign, CampaignChangeRecord


async def pending(session: AsyncSession, *, limit: int) -> list[ChangeEntry]:
    """The oldest ``limit`` entries not yet notified, locked for this transaction (another
    notifier skips them)."""
    t = CampaignChangeRecord
    result = await session.execute(
        select(t, Campaign.name)
        .outerjoin(Campaign, Campaign.id == t.campaign_id)
        .where(t.notified_at.is_(None))
        .order_by(t.id)
        .limit(limit)
        .with_for_update(of=t, skip_locked=True)
    )
    return [
        ChangeEntry(
            id=row.id,
            at=row.at,
            actor=row.actor,
            action=row.action,
            campaign_id=row.campaign_id,
            campaign=name,
            changes=row.changes,
        )
        for row, name in result.tuples()
    ]


async def mark_notified(session: AsyncSession, ids: Sequence[int], *, at: datetime) -> None:
    """Record that the entries ``ids`` were handed on."""
    t = CampaignChangeRecord
    await session.execute(update(t).where(t.id.in_(ids)).values(notified_at=at))
