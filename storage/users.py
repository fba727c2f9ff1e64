"""Users repository."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email.strip().lower()))
    return result.scalar_one_or_none()


async def get_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def ensure_admin(session: AsyncSession, *, email: str, password_hash: str) -> None:
    """Create the admin unless a user with ``email`` exists (the caller commits)."""
    stmt = insert(User).values(email=email.strip().lower(), password_hash=password_hash)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=[User.email]))
