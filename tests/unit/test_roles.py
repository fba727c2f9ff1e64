"""Roles, the password policy and the last-admin rule (pure)."""

from __future__ import annotations

import pytest

from ads.errors import Conflict, Forbidden, InvalidInput
from ads.roles import (
    MAX_PASSWORD_BYTES,
    Role,
    check_admins_remain,
    check_password,
    normalize_email,
    require_admin,
    require_editor,
)


def test_what_each_role_may_do() -> None:
    assert [(r.can_edit, r.manages_users) for r in Role] == [
        (True, True),
        (True, False),
        (False, False),
    ]
    require_editor(Role.EDITOR)
    require_admin(Role.ADMIN)
    with pytest.raises(Forbidden, match=r"\(viewer\)"):
        require_editor(Role.VIEWER)
    with pytest.raises(Forbidden, match="only admins"):
        require_admin(Role.EDITOR)


@pytest.mark.parametrize(
    ("raw", "email"),
    [
        (" Ana@Example.COM ", "ana@example.com"),
        ("a.b+tag@sub.example.co", "a.b+tag@sub.example.co"),
    ],
)
def test_emails_are_trimmed_and_lowercased(raw: str, email: str) -> None:
    assert normalize_email(raw) == email


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ana",
        "ana@",
        "@example.com",
        "ana@example",
        "a b@example.com",
        "a@b@c.com",
        "ana@example.com.",
        "<script>@x.com" + "x" * 320,
    ],
)
def test_malformed_emails_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_email(raw)
    assert caught.value.details == [{"field": "email", "message": caught.value.message}]


def test_password_policy() -> None:
    check_password("correct horse", email="ana@example.com")
    check_password("é" * 36, email="ana@example.com")  # 72 bytes
    for bad, reason in [
        ("short", "at least 10"),
        ("é" * 37, f"at most {MAX_PASSWORD_BYTES} bytes"),
        ("ANA@example.com", "not be the email"),
    ]:
        with pytest.raises(InvalidInput, match=reason) as caught:
            check_password(bad, email="ana@example.com", field="new_password")
        assert caught.value.details[0]["field"] == "new_password"


def test_the_last_active_admin_cannot_be_lost() -> None:
    check_admins_remain(active_admins=2, losing=True)
    check_admins_remain(active_admins=1, losing=False)
    with pytest.raises(Conflict, match="at least one active admin"):
        check_admins_remain(active_admins=1, losing=True)
