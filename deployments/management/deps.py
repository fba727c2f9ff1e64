"""FastAPI dependencies as typed aliases: the replica state, a DB session, the current user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ads.auth import SessionClaims, read_token
from ads.errors import NotAuthenticated
from deployments.management.state import ManagementState

SESSION_COOKIE = "ctv_session"


def get_state(request: Request) -> ManagementState:
    state: ManagementState = request.app.state.management
    return state


StateDep = Annotated[ManagementState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def request_token(request: Request) -> str | None:
    """The bearer token of the request, from the Authorization header or the session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def revoked_key(state: ManagementState, token: str) -> str:
    return f"{state.settings.redis_key_prefix}revoked:{token[-43:]}"


async def current_user(request: Request, state: StateDep) -> SessionClaims:
    token = request_token(request)
    if not token:
        raise NotAuthenticated("authentication required: log in or send a bearer token")
    claims = read_token(token, secret=state.jwt_secret)
    if await state.redis.exists(revoked_key(state, token)):
        raise NotAuthenticated("session ended: log in again")
    return claims


CurrentUser = Annotated[SessionClaims, Depends(current_user)]
