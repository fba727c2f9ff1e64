"""FastAPI dependencies as typed aliases: the replica state, a DB session, the current user
(with the role a route needs)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ads.api_keys import actor_name, digest_of, is_api_key
from ads.auth import SessionClaims, read_token
from ads.errors import AccountDeactivated, NotAuthenticated, NotFound
from ads.roles import Role, require_admin, require_editor
from deployments.management.state import ManagementState
from storage import api_keys, users

SESSION_COOKIE = "ctv_session"


def get_state(request: Request) -> ManagementState:
    state: ManagementState = request.app.state.management
    return state


StateDep = Annotated[ManagementState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def path_id(value: str, what: str) -> uuid.UUID:
    """The id a path names; :class:`NotFound` (404, like an unknown id) when it is not one."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"{what} {value[:64]!r} not found") from None


def request_token(request: Request) -> str | None:
    """The bearer token of the request, from the Authorization header or the session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def revoked_key(state: ManagementState, token: str) -> str:
    return f"{state.settings.redis_key_prefix}revoked:{token[-43:]}"


@dataclass(frozen=True, slots=True)
class Principal:
    """The user (or API key) a request acts for, as the database has them now (a role change, a
    deactivation, a new password or a revoked key applies to the very next request); ``email``
    is how its changes are signed."""

    id: uuid.UUID
    email: str
    role: Role


async def current_user(request: Request, state: StateDep) -> Principal:
    token = request_token(request)
    if not token:
        raise NotAuthenticated("authentication required: log in or send a bearer token")
    if is_api_key(token):
        return await _key_principal(state, token)
    claims = read_token(token, secret=state.jwt_secret)
    if await state.redis.exists(revoked_key(state, token)):
        raise NotAuthenticated("session ended: log in again")
    # A session of its own, closed at once: a route's session may stay open for a whole upload.
    async with state.sessions() as session:
        return await _principal(session, claims)


async def _key_principal(state: ManagementState, token: str) -> Principal:
    async with state.sessions() as session:
        key = await api_keys.usable(session, digest_of(token))
        await session.commit()
    if key is None:
        raise NotAuthenticated("unknown or revoked API key")
    return Principal(id=key.id, email=actor_name(key.name), role=Role(key.role))


async def _principal(session: AsyncSession, claims: SessionClaims) -> Principal:
    try:
        user_id = uuid.UUID(claims.user_id)
    except ValueError:
        raise NotAuthenticated("invalid session token") from None
    user = await users.get_by_id(session, user_id)
    if user is None:
        raise NotAuthenticated("user no longer exists")
    if not user.active:
        raise AccountDeactivated("this account is deactivated: ask an admin")
    if user.session_version != claims.session_version:
        raise NotAuthenticated("the password changed since this session began: log in again")
    return Principal(id=user.id, email=user.email, role=Role(user.role))


async def editor(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    require_editor(user.role)
    return user


async def admin(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    require_admin(user.role)
    return user


CurrentUser = Annotated[Principal, Depends(current_user)]
"""Any logged-in user: what reads need."""
EditorUser = Annotated[Principal, Depends(editor)]
"""A user who may change campaigns and creatives (admin or editor): what writes need."""
AdminUser = Annotated[Principal, Depends(admin)]
"""An admin: what user management needs."""
