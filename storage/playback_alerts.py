"""The playback check (ads/playback_alerts.py) against the campaigns table and the raw events:
flags the active campaigns whose ads players often fail to play and unflags those played again,
each change of state an entry in the campaign's history by the ad server (news for the webhook).
The window is the previous UTC hour and this one so far, as on the serving check. The caller owns
the session and commits."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from ads.history import AD_SERVER, Action
from ads.playback_alerts import playback_change
from storage import campaign_history, stats
from storage.models import Campaign


def window_start(now: datetime) -> datetime:
    """The start of the hour before ``now``'s."""
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


async def check_playback(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    """Check every active campaign (and every flagged one) as of ``now``; the campaigns whose
    state changed. A flagged campaign no longer active is unflagged without an entry (its status
    change is the news). Campaigns another transaction holds are checked next time."""
    result = await session.execute(
        select(Campaign)
        .where(or_(Campaign.status == "active", Campaign.failing_since.is_not(None)))
        .with_for_update(skip_locked=True)
    )
    campaigns = list(result.scalars())
    active = [c.id for c in campaigns if c.status == "active"]
    counts = await stats.playback_counts(session, campaign_ids=active, start=window_start(now))
    changed: list[uuid.UUID] = []
    for campaign in campaigns:
        flagged = campaign.failing_since is not None
        if campaign.status != "active":
            await _flag(session, campaign.id, None)
            continue
        impressions, codes = counts.get(campaign.id, (0, []))
        change = playback_change(flagged=flagged, impressions=impressions, codes=codes)
        if change is None:
            continue
        await _flag(session, campaign.id, None if flagged else now)
        await campaign_history.record(
            session,
            campaign_id=campaign.id,
            actor=AD_SERVER,
            action=Action.PLAYBACK,
            changes=change,
        )
        changed.append(campaign.id)
    return changed


async def _flag(session: AsyncSession, campaign_id: uuid.UUID, since: datetime | None) -> None:
    """Set the flag without touching ``updated_at`` (the marketer's last edit)."""
    await session.execute(
        sql_update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(failing_since=since, updated_at=Campaign.updated_at)
        .execution_options(synchronize_session=False)
    )
