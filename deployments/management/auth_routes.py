"""``/auth``: log in (cookie + bearer token), log out (revokes the token), profile."""

from __future__ import annotations

import asyncio
import time
import uuid

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ads.auth import issue_token, read_token, verify_password
from ads.errors import NotAuthenticated
from deployments.management.deps import (
    SESSION_COOKIE,
    CurrentUser,
    SessionDep,
    StateDep,
    request_token,
    revoked_key,
)
from storage import users

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


class ProfileOut(BaseModel):
    id: str
    email: str


@router.post("/login", response_model=TokenOut)
async def login(
    body: LoginRequest, response: Response, session: SessionDep, state: StateDep
) -> TokenOut:
    user = await users.get_by_email(session, body.email)
    stored = user.password_hash if user else _DUMMY_HASH
    matches = await asyncio.to_thread(verify_password, body.password, stored)
    if user is None or not matches:
        raise NotAuthenticated("invalid email or password")
    ttl = state.settings.session_ttl_minutes * 60
    token = issue_token(
        user_id=str(user.id), email=user.email, secret=state.jwt_secret, ttl_seconds=ttl
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
async def profile(user: CurrentUser, session: SessionDep) -> ProfileOut:
    record = await users.get_by_id(session, uuid.UUID(user.user_id))
    if record is None:
        raise NotAuthenticated("user no longer exists")
    return ProfileOut(id=str(record.id), email=record.email)
