"""Password hashing (bcrypt) and session tokens (HS256 JWT). Pure: no I/O."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import bcrypt
import jwt

from ads.errors import NotAuthenticated

_ALGORITHM = "HS256"
_AUDIENCE = "ctv-admin"


def hash_password(password: str) -> str:
    """A bcrypt hash of ``password`` (slow on purpose: call it off the event loop)."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def verify_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches ``password_hash``; never raises on malformed hashes."""
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class SessionClaims:
    """Who a valid token was issued to, and until when."""

    user_id: str
    email: str
    expires_at: int
    session_version: int
    """The user's session version when the token was issued: changing the password (or an admin
    resetting it) raises the user's version, which ends every earlier session."""


def issue_token(
    *,
    user_id: str,
    email: str,
    secret: str,
    ttl_seconds: int,
    session_version: int = 0,
    now: float | None = None,
) -> str:
    """A signed session token for ``user_id``, unique to this login: without the random
    ``jti`` two logins of one user within a second got the same token, and logging one of
    them out (tokens are revoked by value) ended the other session too."""
    issued = int(time.time() if now is None else now)
    claims = {
        "sub": user_id,
        "email": email,
        "aud": _AUDIENCE,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": secrets.token_urlsafe(16),
        "ver": session_version,
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def read_token(token: str, *, secret: str) -> SessionClaims:
    """The claims of a valid token; :class:`NotAuthenticated` when forged, expired or malformed."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("session expired: log in again") from exc
    except jwt.PyJWTError as exc:
        raise NotAuthenticated("invalid session token") from exc
    return SessionClaims(
        user_id=str(claims["sub"]),
        email=str(claims.get("email", "")),
        expires_at=int(claims["exp"]),
        session_version=_version(claims.get("ver", 0)),
    )


def _version(raw: object) -> int:
    if type(raw) is not int:
        raise NotAuthenticated("invalid session token")
    return raw
