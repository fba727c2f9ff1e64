"""Who may do what in the management API and the dashboard.

Three roles, as a publisher's ad operations team splits the work: ``admin`` runs the team (adds,
changes and removes users) and does everything an editor does; ``editor`` manages campaigns and
creatives; ``viewer`` reads campaigns, creatives and reports (an agency contact, finance, sales)
and changes nothing. The team keeps at least one active admin at all times.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ads.errors import Conflict, Forbidden, InvalidInput

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_BYTES = 72
"""bcrypt reads at most 72 bytes: a longer password would be cut (bcrypt 5 refuses it)."""
MAX_EMAIL_CHARS = 320
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


class Role(StrEnum):
    """A user's role, most powerful first."""

    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"

    @property
    def can_edit(self) -> bool:
        """Whether campaigns and creatives may be created, changed and removed."""
        return self is not Role.VIEWER

    @property
    def manages_users(self) -> bool:
        return self is Role.ADMIN


def require_editor(role: Role) -> None:
    """:class:`Forbidden` unless ``role`` may change campaigns and creatives."""
    if not role.can_edit:
        raise Forbidden(f"your role ({role}) can read campaigns and reports but not change them")


def require_admin(role: Role) -> None:
    """:class:`Forbidden` unless ``role`` may manage users."""
    if not role.manages_users:
        raise Forbidden(f"only admins manage users (your role: {role})")


def normalize_email(raw: str) -> str:
    """``raw`` trimmed and lower-cased; :class:`InvalidInput` unless it looks like an address."""
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(email):
        raise _invalid("email", "email must be an address like name@example.com")
    return email


def check_password(password: str, *, email: str, field: str = "password") -> None:
    """:class:`InvalidInput` naming what is wrong with ``password`` as a new password."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise _invalid(field, f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise _invalid(field, f"a password can hold at most {MAX_PASSWORD_BYTES} bytes (UTF-8)")
    if password.strip().lower() == email.strip().lower():
        raise _invalid(field, "a password must not be the email address")


def check_admins_remain(*, active_admins: int, losing: bool) -> None:
    """:class:`Conflict` when a change ``losing`` an active admin (a demotion, deactivation or
    removal of one) would leave the team with none: nobody could manage users any more."""
    if losing and active_admins <= 1:
        raise Conflict("the team needs at least one active admin: make someone else admin first")


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": field, "message": message}])


class UserOut(BaseModel):
    """A user as ``/users`` answers (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: Role
    active: bool
    created_at: datetime
    last_login_at: datetime | None
