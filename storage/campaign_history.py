"""Campaign change history repository (ads/history.py): written in the transaction of the change
it records, read newest first. Callers own the session."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ads.history import Action, CampaignChange
from storage.models import CampaignChangeRecord


async def record(
    session: AsyncSession,
    *,
    campaign_id: uuid.UUID,
    actor: str,
    action: Action,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    session.add(
        CampaignChangeRecord(
            campaign_id=campaign_id, actor=actor, action=action.value, changes=changes or {}
        )
    )
    await session.flush()


async def history(
    session: AsyncSession, campaign_id: uuid.UUID, *, limit: int
) -> list[CampaignChange]:
    """The campaign's last ``limit`` changes, newest first."""
    t = CampaignChangeRecord
    result = await session.execute(
        select(t)
        .where(t.campaign_id == campaign_id)
        .order_by(t.at.desc(), t.id.desc())
        .limit(limit)
    )
    return [
        CampaignChange(
            campaign_id=row.campaign_id,
            at=row.at,
            actor=row.actor,
            action=Action(row.action),
            changes=row.changes,
        )
        for row in result.scalars()
    ]
