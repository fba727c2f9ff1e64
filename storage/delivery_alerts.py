"""The delivery check (ads/delivery_alerts.py) against the campaigns table: flags the active
campaigns that fell behind their plan and unflags those back on it (storage/campaign_alerts.py).
The caller owns the session and commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ads.delivery_alerts import delivery_change
from ads.history import Action
from ads.pacing import planned_by
from storage.campaign_alerts import checked_campaigns, record_changes
from storage.catalog_records import campaign_record
from storage.models import Campaign


async def check_delivery(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    """Check every active campaign (and every flagged one) as of ``now``; the campaigns whose
    state changed."""
    flag = Campaign.behind_plan_since
    campaigns = await checked_campaigns(session, flag)
    return await record_changes(
        session,
        campaigns,
        flag=flag,
        action=Action.DELIVERY,
        now=now,
        change=lambda campaign, flagged: delivery_change(
            flagged=flagged,
            spent=campaign.budget_spent,
            planned=planned_by(campaign_record(campaign), now),
            cpm=campaign.cpm,
        ),
    )
