"""The team's change history: who added, changed, removed or restored which user, and what
changed (``{field: [before, after]}``; a new password is recorded as set, never its value).
Kept after the user is removed, like a campaign's history (ads/history.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from ads.history import field_changes

PASSWORD_SET: list[Any] = [None, "set"]
"""How a new password shows in ``changes``: that it changed, not what it is."""
OPERATOR = "operator (restore-admin)"
"""The actor of a change made from the command line, not by a logged-in user."""


class TeamAction(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    RESTORED = "restored"
    """Made an active admin with a new password by an operator (storage/restore_admin.py)."""


class TeamChange(BaseModel):
    """One entry of ``GET /users/history``."""

    user_id: uuid.UUID
    email: str
    """The email of the user the change is about."""
    at: datetime
    actor: str
    """The email of the admin (or the user) who made it, or :data:`OPERATOR`."""
    action: TeamAction
    changes: dict[str, list[Any]] = {}


def account_changes(
    before: dict[str, Any], after: dict[str, Any], *, password_set: bool
) -> dict[str, list[Any]]:
    """What changed in a user's role and activity, and whether a password was set."""
    changed = field_changes(before, after, ("role", "active"))
    if password_set:
        changed["password"] = PASSWORD_SET
    return changed
