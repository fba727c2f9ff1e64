"""API keys: for integrations (a BI tool pulling reports, a trafficking script) that act without
a person's password or a session that expires. A key carries a role, editor or viewer (the team
itself is managed by people: no admin keys), is shown once when made, kept only as a SHA-256
hash, and works until revoked. Pure."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from ads.errors import InvalidInput
from ads.roles import Role

PREFIX = "ctvk_"
"""What every key starts with: it tells a key from a session token, and secret scanners can
look for it."""
SHOWN_CHARS = len(PREFIX) + 6
"""How much of a key lists show, to tell keys apart."""
KEY_ROLES = (Role.EDITOR, Role.VIEWER)
MAX_NAME_CHARS = 100


@dataclass(frozen=True, slots=True)
class NewKey:
    secret: str
    """The key itself: shown to its maker once, never stored."""
    digest: str
    shown: str


def new_key() -> NewKey:
    secret = PREFIX + secrets.token_urlsafe(32)
    return NewKey(secret=secret, digest=digest_of(secret), shown=secret[:SHOWN_CHARS])


def is_api_key(token: str) -> bool:
    return token.startswith(PREFIX)


def digest_of(secret: str) -> str:
    """What is stored and looked up: a key is 256 random bits, so a plain hash suffices (no
    salt or slow hash: nothing to guess)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_key_role(role: Role) -> None:
    if role not in KEY_ROLES:
        message = "an API key is an editor or a viewer: the team is managed by people"
        raise InvalidInput(message, details=[{"field": "role", "message": message}])


def actor_name(name: str) -> str:
    """How a key's changes are signed in campaign histories."""
    return f"API key “{name}”"


class ApiKeyOut(BaseModel):
    """A key as ``/api-keys`` lists it (never the key itself)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    role: Role
    shown: str
    """The key's first characters, to tell keys apart."""
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
