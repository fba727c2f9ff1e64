"""Auth: login/logout/profile, cookie and bearer, and auth on every other management route."""

from __future__ import annotations

import httpx
import pytest

from tests.stack_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, Stack

PUBLIC = {("post", "/auth/login"), ("post", "/auth/logout")}


def test_login_sets_httponly_cookie_and_returns_token(anon: httpx.Client) -> None:
    answer = anon.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["access_token"]
    cookie = answer.headers["set-cookie"]
    assert "ctv_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    profile = anon.get("/auth/profile")  # the client keeps the cookie
    assert profile.status_code == 200
    assert profile.json()["email"] == ADMIN_EMAIL


@pytest.mark.parametrize(
    ("email", "password"),
    [(ADMIN_EMAIL, "wrong"), ("nobody@test.example", ADMIN_PASSWORD), (ADMIN_EMAIL.upper(), "x")],
)
def test_bad_credentials_are_401_with_reason(anon: httpx.Client, email: str, password: str) -> None:
    answer = anon.post("/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert "set-cookie" not in answer.headers


def test_email_is_case_insensitive(anon: httpx.Client) -> None:
    answer = anon.post(
        "/auth/login", json={"email": ADMIN_EMAIL.upper(), "password": ADMIN_PASSWORD}
    )
    assert answer.status_code == 200


def test_bearer_token_and_logout_revokes_it(stack: Stack, anon: httpx.Client) -> None:
    token = anon.post(
        "/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=stack.admin_url, timeout=30) as fresh:
        assert fresh.get("/auth/profile", headers=headers).status_code == 200
        assert fresh.post("/auth/logout", headers=headers).status_code == 204
        after = fresh.get("/auth/profile", headers=headers)
    assert after.status_code == 401
    assert "log in again" in after.json()["error"]["message"]


@pytest.mark.parametrize(
    "token",
    ["garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "a.b.c"],
    ids=["junk", "alg-none", "abc"],
)
def test_forged_tokens_are_refused(anon: httpx.Client, token: str) -> None:
    answer = anon.get("/campaigns", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"


def test_every_management_route_requires_auth(stack: Stack) -> None:
    spec = httpx.get(f"{stack.admin_url}/openapi.json", timeout=30).json()
    checked = 0
    with httpx.Client(base_url=stack.admin_url, timeout=30) as client:
        for path, methods in spec["paths"].items():
            for method in methods:
                if (method, path) in PUBLIC:
                    continue
                url = path.replace("{campaign_id}", "00000000-0000-0000-0000-000000000000")
                answer = client.request(method.upper(), url, json={})
                assert answer.status_code == 401, (
                    f"{method.upper()} {path} answered {answer.status_code}"
                )
                assert answer.json()["error"]["code"] == "not_authenticated"
                checked += 1
    assert checked >= 6


def test_openapi_and_docs_are_served(stack: Stack) -> None:
    assert httpx.get(f"{stack.admin_url}/docs", timeout=30).status_code == 200
    spec = httpx.get(f"{stack.admin_url}/openapi.json", timeout=30).json()
    assert "/campaigns/{campaign_id}/status" in spec["paths"]
