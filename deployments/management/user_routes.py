"""``/users``: the admins' view of the team: list, add, change role, deactivate, reset a
password, remove, and the history of those changes. Every route needs an admin; the rules live
in ads/roles.py."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from ads.auth import hash_password
from ads.errors import Conflict, NotFound
from ads.roles import Role, UserOut, check_admins_remain, check_password, normalize_email
from ads.team_history import TeamAction, TeamChange, account_changes
from deployments.management.deps import AdminUser, SessionDep, path_id
from storage import team_history, users
from storage.models import User

router = APIRouter(prefix="/users", tags=["users"])


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    role: Role


class UserUpdate(BaseModel):
    """What an admin may change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=1024)
    """A new password set by an admin: the user's sessions end."""

    @model_validator(mode="after")
    def _something(self) -> UserUpdate:
        if self.role is None and self.active is None and self.password is None:
            raise ValueError("send at least one of role, active, password")
        return self


class UserEnvelope(BaseModel):
    user: UserOut


class UserList(BaseModel):
    users: list[UserOut]


class TeamHistory(BaseModel):
    changes: list[TeamChange]


@router.get("", response_model=UserList)
async def list_users(_: AdminUser, session: SessionDep) -> UserList:
    return UserList(users=[UserOut.model_validate(u) for u in await users.list_all(session)])


@router.post("", status_code=201, response_model=UserEnvelope)
async def create_user(body: UserCreate, admin: AdminUser, session: SessionDep) -> UserEnvelope:
    email = normalize_email(body.email)
    check_password(body.password, email=email)
    password_hash = await asyncio.to_thread(hash_password, body.password)
    user = await users.create(session, email=email, password_hash=password_hash, role=body.role)
    await team_history.record(
        session,
        user_id=user.id,
        email=user.email,
        actor=admin.email,
        action=TeamAction.ADDED,
        changes={"role": [None, body.role.value]},
    )
    await session.commit()
    return UserEnvelope(user=UserOut.model_validate(user))


@router.get("/history", response_model=TeamHistory)
async def history(
    _: AdminUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="newest first")] = 100,
) -> TeamHistory:
    """Who added, changed, removed or restored which user, newest first (kept after removal)."""
    return TeamHistory(changes=await team_history.recent(session, limit=limit))


@router.get("/{user_id}", response_model=UserEnvelope)
async def get_user(user_id: str, _: AdminUser, session: SessionDep) -> UserEnvelope:
    return UserEnvelope(user=UserOut.model_validate(await _existing(session, user_id)))


@router.patch("/{user_id}", response_model=UserEnvelope)
async def update_user(
    user_id: str, body: UserUpdate, admin: AdminUser, session: SessionDep
) -> UserEnvelope:
    user = await _existing(session, user_id)
    if body.active is False and user.id == admin.id:
        raise Conflict("you cannot deactivate yourself: another admin can")
    role = Role(user.role) if body.role is None else body.role
    active = user.active if body.active is None else body.active
    losing = user.role == Role.ADMIN and user.active and not (role is Role.ADMIN and active)
    if losing:
        check_admins_remain(active_admins=await users.lock_active_admins(session), losing=True)
    if body.password is not None:
        check_password(body.password, email=user.email)
        user.password_hash = await asyncio.to_thread(hash_password, body.password)
        user.session_version += 1
    changes = account_changes(
        {"role": user.role, "active": user.active},
        {"role": role.value, "active": active},
        password_set=body.password is not None,
    )
    user.role = role.value
    user.active = active
    if changes:
        await team_history.record(
            session,
            user_id=user.id,
            email=user.email,
            actor=admin.email,
            action=TeamAction.CHANGED,
            changes=changes,
        )
    await session.commit()
    await session.refresh(user)
    return UserEnvelope(user=UserOut.model_validate(user))


@router.delete("/{user_id}", status_code=204)
async def delete_user(user_id: str, admin: AdminUser, session: SessionDep) -> Response:
    """Remove a user (their campaign history keeps their email); deactivating keeps the row."""
    user = await _existing(session, user_id)
    if user.id == admin.id:
        raise Conflict("you cannot remove yourself: another admin can")
    if user.role == Role.ADMIN and user.active:
        check_admins_remain(active_admins=await users.lock_active_admins(session), losing=True)
    await team_history.record(
        session, user_id=user.id, email=user.email, actor=admin.email, action=TeamAction.REMOVED
    )
    await session.delete(user)
    await session.commit()
    return Response(status_code=204)


async def _existing(session: AsyncSession, raw_id: str) -> User:
    user = await users.get_by_id(session, path_id(raw_id, "user"))
    if user is None:
        raise NotFound(f"user {raw_id[:64]!r} not found")
    return user
