"""``/api-keys``: admins make keys for integrations (editor or viewer), list them (never the
key itself) and revoke them; see ads/api_keys.py. Making and revoking a key is in the team's
history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import func

from ads.api_keys import MAX_NAME_CHARS, ApiKeyOut, actor_name, check_key_role, new_key
from ads.errors import NotFound
from ads.roles import Role
from ads.team_history import TeamAction
from deployments.management.deps import AdminUser, SessionDep, path_id
from storage import api_keys, team_history

router = APIRouter(prefix="/api-keys", tags=["api keys"])

KeyName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS)
]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: KeyName
    """What the key is for ("Nightly BI export")."""
    role: Role = Field(description="editor or viewer")


class ApiKeyList(BaseModel):
    api_keys: list[ApiKeyOut]


class ApiKeyCreated(BaseModel):
    api_key: ApiKeyOut
    key: str
    """The key, shown this once: send it as ``Authorization: Bearer <key>``."""


@router.get("", response_model=ApiKeyList)
async def list_keys(_: AdminUser, session: SessionDep) -> ApiKeyList:
    return ApiKeyList(
        api_keys=[ApiKeyOut.model_validate(k) for k in await api_keys.list_all(session)]
    )


@router.post("", status_code=201, response_model=ApiKeyCreated)
async def create_key(body: ApiKeyCreate, admin: AdminUser, session: SessionDep) -> ApiKeyCreated:
    check_key_role(body.role)
    made = new_key()
    key = await api_keys.create(
        session, name=body.name, role=body.role, key=made, created_by=admin.email
    )
    await team_history.record(
        session,
        user_id=key.id,
        email=actor_name(key.name),
        actor=admin.email,
        action=TeamAction.ADDED,
        changes={"role": [None, body.role.value]},
    )
    await session.commit()
    return ApiKeyCreated(api_key=ApiKeyOut.model_validate(key), key=made.secret)


@router.delete("/{key_id}", status_code=204)
async def revoke_key(key_id: str, admin: AdminUser, session: SessionDep) -> Response:
    """Revoke a key at once (kept, revoked, in the list and the history)."""
    key = await api_keys.get(session, path_id(key_id, "API key"))
    if key is None:
        raise NotFound(f"API key {key_id[:64]!r} not found")
    if key.revoked_at is None:
        key.revoked_at = func.now()
        await team_history.record(
            session,
            user_id=key.id,
            email=actor_name(key.name),
            actor=admin.email,
            action=TeamAction.REMOVED,
        )
        await session.commit()
    return Response(status_code=204)
