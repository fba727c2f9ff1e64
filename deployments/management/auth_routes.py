"""``/auth``: log in (cookie + bearer token), log out (revokes the token), profile, change one's
own password."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ads.auth import hash_password, issue_token, read_token, verify_password
from ads.errors import AccountDeactivated, InvalidInput, NotAuthenticated, TooManyAttempts
from ads.roles import Role, check_password
from ads.team_history import PASSWORD_SET, TeamAction
from deployments.management.deps import (
    SESSION_COOKIE,
    CurrentUser,
    SessionDep,
    StateDep,
    request_token,
    revoked_key,
)
from deployments.management.state import ManagementState
from storage import team_history, users
from storage.login_failures import LoginFailures
from storage.models import User

router = APIRouter(prefix="/auth", tags=["auth"])

# Compared against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = "$2b$12$tWiQq0wmLG/1vpqpVcNoM.ZAyCcKANGJrlZA8EsaD/w4aE/OQzMzW"


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class ProfileOut(BaseModel):
    id: str
    email: str
    role: Role


@router.post("/login", response_model=TokenOut)
async def login(
    body: LoginRequest, response: Response, session: SessionDep, state: StateDep
) -> TokenOut:
    email = body.email.strip().lower()
    failures = _failures(state)
    wait = await failures.locked_for(email)
    if wait is not None:
        raise TooManyAttempts(
            f"too many wrong passwords for this email: try again in {-(-wait // 60)} min",
            retry_after_seconds=wait,
        )
    user = await users.get_by_email(session, email)
    stored = user.password_hash if user else _DUMMY_HASH
    matches = await asyncio.to_thread(verify_password, body.password, stored)
    if user is None or not matches:
        await failures.failed(email)
        raise NotAuthenticated("invalid email or password")
    await failures.succeeded(email)
    if not user.active:
        raise AccountDeactivated("this account is deactivated: ask an admin")
    await users.record_login(session, user.id)
    await session.commit()
    return _start_session(response, state, user)


def _failures(state: ManagementState) -> LoginFailures:
    settings = state.settings
    return LoginFailures(
        state.redis,
        prefix=settings.redis_key_prefix,
        limit=settings.login_max_failures,
        window_seconds=settings.login_lockout_seconds,
    )


@router.post("/password", response_model=TokenOut)
async def change_password(
    body: PasswordChange,
    principal: CurrentUser,
    response: Response,
    session: SessionDep,
    state: StateDep,
) -> TokenOut:
    """Change one's own password: every other session of the user ends; this one goes on
    with the new token (and cookie) returned."""
    user = await users.get_by_id(session, principal.id)
    if user is None:
        raise NotAuthenticated("user no longer exists")
    matches = await asyncio.to_thread(verify_password, body.current_password, user.password_hash)
    if not matches:
        message = "the current password is wrong"
        raise InvalidInput(message, details=[{"field": "current_password", "message": message}])
    check_password(body.new_password, email=user.email, field="new_password")
    user.password_hash = await asyncio.to_thread(hash_password, body.new_password)
    user.session_version += 1
    await team_history.record(
        session,
        user_id=user.id,
        email=user.email,
        actor=user.email,
        action=TeamAction.CHANGED,
        changes={"password": PASSWORD_SET},
    )
    await session.commit()
    return _start_session(response, state, user)


def _start_session(response: Response, state: ManagementState, user: User) -> TokenOut:
    """A new token for ``user``, also set as the httpOnly session cookie."""
    ttl = state.settings.session_ttl_minutes * 60
    token = issue_token(
        user_id=str(user.id),
        email=user.email,
        secret=state.jwt_secret,
        ttl_seconds=ttl,
        session_version=user.session_version,
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ttl,
        httponly=True,
        samesite="lax",
        secure=state.settings.public_base_url.startswith("https://"),
        path="/",
    )
    return TokenOut(access_token=token, expires_in=ttl)


@router.post("/logout", status_code=204)
async def logout(request: Request, response: Response, state: StateDep) -> Response:
    token = request_token(request)
    if token:
        try:
            claims = read_token(token, secret=state.jwt_secret)
        except NotAuthenticated:
            claims = None
        if claims is not None:
            remaining = max(claims.expires_at - int(time.time()), 1)
            await state.redis.set(revoked_key(state, token), "1", ex=remaining)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/profile", response_model=ProfileOut)
async def profile(user: CurrentUser) -> ProfileOut:
    return ProfileOut(id=str(user.id), email=user.email, role=user.role)
