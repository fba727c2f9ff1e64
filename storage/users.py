"""Users repository: the team that logs in to the management API, with their roles."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ads.errors import Conflict
from ads.roles import Role
from storage.models import User


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email.strip().lower()))
    return result.scalar_one_or_none()


async def get_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def list_all(session: AsyncSession) -> list[User]:
    """Every user, by email."""
    return list((await session.scalars(select(User).order_by(User.email))).all())


async def create(session: AsyncSession, *, email: str, password_hash: str, role: Role) -> User:
    """A new active user (the caller commits); :class:`Conflict` when the email is taken."""
    user = User(email=email, password_hash=password_hash, role=role.value)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"a user with the email {email} exists") from exc
    await session.refresh(user)
    return user


async def lock_active_admins(session: AsyncSession) -> int:
    """How many active admins there are, with their rows locked until the transaction ends, so
    two admins demoting each other at once cannot leave the team with none."""
    rows = await session.scalars(
        select(User.id).where(User.role == Role.ADMIN.value, User.active).with_for_update()
    )
    return len(rows.all())


async def record_login(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(update(User).where(User.id == user_id).values(last_login_at=func.now()))


async def restore_admin(session: AsyncSession, *, email: str, password_hash: str) -> uuid.UUID:
    """Make ``email`` an active admin with this password, creating the user if missing; the
    user's earlier sessions end (the caller commits). The operator's way back in when every
    admin is locked out. Returns the user's id."""
    stmt = insert(User).values(email=email, password_hash=password_hash, role=Role.ADMIN.value)
    stmt = stmt.on_conflict_do_update(
        index_elements=[User.email],
        set_={
            "password_hash": stmt.excluded.password_hash,
            "role": Role.ADMIN.value,
            "active": True,
            "session_version": User.session_version + 1,
        },
    )
    user_id: uuid.UUID = (await session.execute(stmt.returning(User.id))).scalar_one()
    return user_id


async def ensure_admin(session: AsyncSession, *, email: str, password_hash: str) -> None:
    """Create the admin unless a user with ``email`` exists (the caller commits)."""
    stmt = insert(User).values(
        email=email.strip().lower(), password_hash=password_hash, role=Role.ADMIN.value
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=[User.email]))
