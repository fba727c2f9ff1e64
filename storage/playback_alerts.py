"""The playback check (ads/playback_alerts.py) against the campaigns table and the raw events:
flags the active campaigns whose ads players often fail to play and unflags those played again
(storage/campaign_alerts.py). The window is the previous UTC hour and this one so far, as on the
serving check. The caller owns the session and commits."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ads.history import Action
from ads.playback_alerts import playback_change
from storage import stats
from storage.campaign_alerts import checked_campaigns, record_changes
from storage.models import Campaign


def window_start(now: datetime) -> datetime:
    """The start of the hour before ``now``'s."""
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


async def check_playback(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    """Check every active campaign (and every flagged one) as of ``now``; the campaigns whose
    state changed."""
    flag = Campaign.failing_since
    campaigns = await checked_campaigns(session, flag)
    active = [c.id for c in campaigns if c.status == "active"]
    counts = await stats.playback_counts(session, campaign_ids=active, start=window_start(now))

    def change(campaign: Campaign, flagged: bool) -> dict[str, list[Any]] | None:
        impressions, codes = counts.get(campaign.id, (0, []))
        return playback_change(flagged=flagged, impressions=impressions, codes=codes)

    return await record_changes(
        session, campaigns, flag=flag, action=Action.PLAYBACK, now=now, change=change
    )
