"""The delivery check (ads/delivery_alerts.py) against the campaigns table: flags the active
campaigns that fell behind their plan and unflags those back on it, each change of state an entry
in the campaign's history by the ad server (news for the webhook). The caller owns the session
and commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from ads.delivery_alerts import delivery_change
from ads.history import AD_SERVER, Action
from ads.pacing import planned_by
from storage import campaign_history
from storage.catalog_records import campaign_record
from storage.models import Campaign


async def check_delivery(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    """Check every active campaign (and every flagged one) as of ``now``; the campaigns whose
    state changed. A flagged campaign no longer active is unflagged without an entry (its status
    change is the news). Campaigns another transaction holds are checked next time."""
    result = await session.execute(
        select(Campaign)
        .where(or_(Campaign.status == "active", Campaign.behind_plan_since.is_not(None)))
        .with_for_update(skip_locked=True)
    )
    changed: list[uuid.UUID] = []
    for campaign in result.scalars():
        flagged = campaign.behind_plan_since is not None
        if campaign.status != "active":
            await _flag(session, campaign.id, None)
            continue
        change = delivery_change(
            flagged=flagged,
            spent=campaign.budget_spent,
            planned=planned_by(campaign_record(campaign), now),
            cpm=campaign.cpm,
        )
        if change is None:
            continue
        await _flag(session, campaign.id, None if flagged else now)
        await campaign_history.record(
            session,
            campaign_id=campaign.id,
            actor=AD_SERVER,
            action=Action.DELIVERY,
            changes=change,
        )
        changed.append(campaign.id)
    return changed


async def _flag(session: AsyncSession, campaign_id: uuid.UUID, since: datetime | None) -> None:
    """Set the flag without touching ``updated_at`` (the marketer's last edit)."""
    await session.execute(
        sql_update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(behind_plan_since=since, updated_at=Campaign.updated_at)
        .execution_options(synchronize_session=False)
    )
