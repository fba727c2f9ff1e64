"""API keys repository (ads/api_keys.py). Callers own the session."""

from __future__ import annotations

import uuid

from sqlalchemy import func, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause

from ads.api_keys import NewKey
from ads.roles import Role
from storage.models import ApiKey

_USE_RECORDED_EVERY: ColumnClause[object] = literal_column("interval '1 minute'")
"""``last_used_at`` is written at most this often per key: not a write per call."""


async def create(
    session: AsyncSession, *, name: str, role: Role, key: NewKey, created_by: str
) -> ApiKey:
    record = ApiKey(
        name=name, role=role.value, digest=key.digest, shown=key.shown, created_by=created_by
    )
    session.add(record)
    await session.flush()
    await session.refresh(record)
    return record


async def list_all(session: AsyncSession) -> list[ApiKey]:
    """Every key, revoked ones too, newest first."""
    return list((await session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc()))).all())


async def get(session: AsyncSession, key_id: uuid.UUID) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def usable(session: AsyncSession, digest: str) -> ApiKey | None:
    """The unrevoked key with ``digest``, its use recorded (the caller commits)."""
    key = await session.scalar(
        select(ApiKey).where(ApiKey.digest == digest, ApiKey.revoked_at.is_(None))
    )
    if key is not None:
        await session.execute(
            update(ApiKey)
            .where(
                ApiKey.id == key.id,
                or_(
                    ApiKey.last_used_at.is_(None),
                    ApiKey.last_used_at < func.now() - _USE_RECORDED_EVERY,
                ),
            )
            .values(last_used_at=func.now())
        )
    return key
