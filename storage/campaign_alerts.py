"""What the delivery and playback checks share: the campaigns a check looks at (the active ones
and those it flagged), and for each change of state its flag (a ``*_since`` column) moved and an
entry in the campaign's history by the ad server (news for the webhook). A flagged campaign no
longer active is unflagged without an entry (its status change is the news). The caller owns the
session and commits."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from ads.history import AD_SERVER, Action
from storage import campaign_history
from storage.models import Campaign

Flag = InstrumentedAttribute[datetime | None]
Change = Callable[[Campaign, bool], dict[str, list[Any]] | None]
"""A campaign's history entry (``changes``) when it changes state, given whether it is flagged;
None when it stays as it was."""


async def checked_campaigns(session: AsyncSession, flag: Flag) -> list[Campaign]:
    """The active campaigns and those ``flag`` is set on, locked for the check; campaigns
    another transaction holds are checked next time."""
    result = await session.execute(
        select(Campaign)
        .where(or_(Campaign.status == "active", flag.is_not(None)))
        .with_for_update(skip_locked=True)
    )
    return list(result.scalars())


async def record_changes(
    session: AsyncSession,
    campaigns: Sequence[Campaign],
    *,
    flag: Flag,
    action: Action,
    change: Change,
    now: datetime,
) -> list[uuid.UUID]:
    """Flag or unflag each of ``campaigns`` whose state ``change`` says changed (at ``now``),
    with its history entry; the campaigns that changed."""
    changed: list[uuid.UUID] = []
    for campaign in campaigns:
        flagged = getattr(campaign, flag.key) is not None
        if campaign.status != "active":
            if flagged:
                await _set(session, campaign.id, flag, None)
            continue
        entry = change(campaign, flagged)
        if entry is None:
            continue
        await _set(session, campaign.id, flag, None if flagged else now)
        await campaign_history.record(
            session, campaign_id=campaign.id, actor=AD_SERVER, action=action, changes=entry
        )
        changed.append(campaign.id)
    return changed


async def _set(
    session: AsyncSession, campaign_id: uuid.UUID, flag: Flag, since: datetime | None
) -> None:
    """Set the flag without touching ``updated_at`` (the marketer's last edit)."""
    await session.execute(
        sql_update(Campaign)
        .where(Campaign.id == campaign_id)
        .values({flag.key: since, "updated_at": Campaign.updated_at})
        .execution_options(synchronize_session=False)
    )
