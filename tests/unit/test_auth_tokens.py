"""Password hashes and session tokens (pure)."""

from __future__ import annotations

import time

import jwt
import pytest

from ads.auth import hash_password, issue_token, read_token, verify_password
from ads.errors import NotAuthenticated

SECRET = "s" * 32


def test_password_hash_round_trip() -> None:
    hashed = hash_password("hunter2!")
    assert hashed.startswith("$2")
    assert verify_password("hunter2!", hashed)
    assert not verify_password("hunter3!", hashed)
    assert not verify_password("x", "not-a-bcrypt-hash")


def test_token_round_trip_and_claims() -> None:
    token = issue_token(user_id="u1", email="a@b.c", secret=SECRET, ttl_seconds=60, now=1_000)
    with pytest.raises(NotAuthenticated, match="expired"):
        read_token(token, secret=SECRET)
    fresh = issue_token(user_id="u1", email="a@b.c", secret=SECRET, ttl_seconds=60)
    claims = read_token(fresh, secret=SECRET)
    assert (claims.user_id, claims.email) == ("u1", "a@b.c")


@pytest.mark.parametrize("mutate", [lambda t: t[:-2] + "xx", lambda t: t + "a", lambda t: "x." + t])
def test_tampered_or_foreign_tokens_are_refused(mutate: object) -> None:
    token = issue_token(user_id="u1", email="a@b.c", secret=SECRET, ttl_seconds=60)
    with pytest.raises(NotAuthenticated):
        read_token(mutate(token), secret=SECRET)  # type: ignore[operator]
    with pytest.raises(NotAuthenticated):
        read_token(token, secret="t" * 32)


def test_two_logins_in_the_same_second_get_different_tokens() -> None:
    """Logging out revokes the token by value: a shared token would end both sessions."""
    now = time.time()
    first, second = (
        issue_token(user_id="u1", email="a@example.com", secret=SECRET, ttl_seconds=60, now=now)
        for _ in range(2)
    )
    assert first != second
    assert read_token(first, secret=SECRET) == read_token(second, secret=SECRET)


def test_token_carries_the_session_version() -> None:
    token = issue_token(
        user_id="u1", email="a@b.c", secret=SECRET, ttl_seconds=60, session_version=3
    )
    assert read_token(token, secret=SECRET).session_version == 3


def test_token_from_before_versions_reads_as_version_zero() -> None:
    issued = int(time.time())
    claims = {"sub": "u1", "email": "a@b.c", "aud": "ctv-admin", "iat": issued, "exp": issued + 60}
    assert (
        read_token(jwt.encode(claims, SECRET, algorithm="HS256"), secret=SECRET).session_version
        == 0
    )


@pytest.mark.parametrize("version", ["1", 1.0, None, True])
def test_session_version_of_another_type_is_refused(version: object) -> None:
    issued = int(time.time())
    claims = {"sub": "u1", "aud": "ctv-admin", "iat": issued, "exp": issued + 60, "ver": version}
    with pytest.raises(NotAuthenticated):
        read_token(jwt.encode(claims, SECRET, algorithm="HS256"), secret=SECRET)
