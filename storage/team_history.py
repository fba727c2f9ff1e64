"""The team's change history repository (ads/team_history.py): written in the transaction of
the change it records, read newest first. Callers own the session."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ads.team_history import TeamAction, TeamChange
from storage.models import UserChangeRecord


async def record(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    email: str,
    actor: str,
    action: TeamAction,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    session.add(
        UserChangeRecord(
            user_id=user_id, email=email, actor=actor, action=action.value, changes=changes or {}
        )
    )
    await session.flush()


async def recent(session: AsyncSession, *, limit: int) -> list[TeamChange]:
    """The team's last ``limit`` changes, newest first."""
    t = UserChangeRecord
    rows = await session.scalars(select(t).order_by(t.at.desc(), t.id.desc()).limit(limit))
    return [
        TeamChange(
            user_id=row.user_id,
            email=row.email,
            at=row.at,
            actor=row.actor,
            action=TeamAction(row.action),
            changes=row.changes,
        )
        for row in rows
    ]
