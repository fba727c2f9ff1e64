"""The team: admins add users with a role; editors change campaigns; viewers only read; role
changes, deactivation and new passwords apply to the very next request."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import httpx
import pytest
import redis

from tests.integration.factories import PASSWORD, client_of, draft_campaign, log_in, new_user
from tests.stack_fixtures import ADMIN_EMAIL, Stack

ANY_ID = "00000000-0000-0000-0000-000000000000"
ADMIN_ONLY = ("/users", "/api-keys", "/notifications")


def routes(stack: Stack) -> list[tuple[str, str]]:
    """Every (method, path) of the management API but logging in and out."""
    spec = httpx.get(f"{stack.admin_url}/openapi.json", timeout=30).json()
    return [
        (
            method.upper(),
            path.replace("{campaign_id}", ANY_ID)
            .replace("{user_id}", ANY_ID)
            .replace("{creative_id}", ANY_ID)
            .replace("{key_id}", ANY_ID),
        )
        for path, methods in spec["paths"].items()
        for method in methods
        if path not in ("/auth/login", "/auth/logout")
    ]


def test_admin_adds_users_who_log_in_with_their_role(stack: Stack, api: httpx.Client) -> None:
    user = new_user(api, "editor")
    assert user["role"] == "editor" and user["active"] and user["last_login_at"] is None
    with client_of(stack, user["email"].upper()) as client:
        profile = client.get("/auth/profile").json()
    assert (profile["email"], profile["role"]) == (user["email"], "editor")
    listed = {u["email"]: u for u in api.get("/users").json()["users"]}
    assert listed[ADMIN_EMAIL]["role"] == "admin"
    assert listed[user["email"]]["last_login_at"] is not None


def test_a_viewer_reads_everything_and_changes_nothing(stack: Stack, viewer: httpx.Client) -> None:
    writes = 0
    for method, path in routes(stack):
        answer = viewer.request(method, path, json={})
        if method == "GET" and not path.startswith(ADMIN_ONLY):
            assert answer.status_code in (200, 404), f"{method} {path}: {answer.text}"
        elif path != "/auth/password":
            assert answer.status_code == 403, f"{method} {path} answered {answer.status_code}"
            assert answer.json()["error"]["code"] == "forbidden"
            writes += 1
    assert writes >= 10
    assert "viewer" in viewer.post("/campaigns", json={}).json()["error"]["message"]


def test_an_editor_changes_campaigns_under_their_name_but_not_the_team(
    stack: Stack, editor: httpx.Client
) -> None:
    cid = draft_campaign(editor, name="Editor's own")
    assert editor.put(f"/campaigns/{cid}/status", json={"status": "active"}).status_code == 200
    history = editor.get(f"/campaigns/{cid}/history").json()["changes"]
    me = editor.get("/auth/profile").json()["email"]
    assert {c["actor"] for c in history} == {me}
    for method, path in routes(stack):
        if path.startswith(ADMIN_ONLY):
            answer = editor.request(method, path, json={"role": "admin"})
            assert answer.status_code == 403, f"{method} {path} answered {answer.status_code}"
            assert "only admins" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address", "password": PASSWORD, "role": "viewer"}, "email"),
        ({"email": "x@team.example.com", "password": "short", "role": "viewer"}, "password"),
        ({"email": "x@team.example.com", "password": PASSWORD, "role": "owner"}, "role"),
        ({"email": "x@team.example.com", "password": PASSWORD}, "role"),
    ],
)
def test_bad_new_users_are_422_naming_the_field(
    api: httpx.Client, body: dict[str, str], field: str
) -> None:
    answer = api.post("/users", json=body)
    assert answer.status_code == 422
    assert field in {d["field"] for d in answer.json()["error"]["details"]}


def test_an_email_is_one_user(api: httpx.Client) -> None:
    user = new_user(api, "viewer")
    again = api.post(
        "/users", json={"email": user["email"].upper(), "password": PASSWORD, "role": "editor"}
    )
    assert again.status_code == 409
    assert user["email"] in again.json()["error"]["message"]


def test_role_changes_apply_to_the_next_request(stack: Stack, api: httpx.Client) -> None:
    user = new_user(api, "viewer")
    with client_of(stack, user["email"]) as client:
        assert client.post("/campaigns", json={}).status_code == 403
        assert api.patch(f"/users/{user['id']}", json={"role": "editor"}).status_code == 200
        assert client.post("/campaigns", json={}).status_code == 422  # allowed; the body is bad


def test_deactivation_ends_sessions_and_logins_until_reactivated(
    stack: Stack, api: httpx.Client
) -> None:
    user = new_user(api, "editor")
    with client_of(stack, user["email"]) as client:
        off = api.patch(f"/users/{user['id']}", json={"active": False})
        assert off.status_code == 200 and off.json()["user"]["active"] is False
        refused = client.get("/campaigns")
        assert refused.status_code == 401
        assert "deactivated" in refused.json()["error"]["message"]
    login = log_in(stack, user["email"])
    assert login.status_code == 401
    assert login.json()["error"]["code"] == "account_deactivated"
    assert log_in(stack, user["email"], "a wrong password!").json()["error"]["message"] == (
        "invalid email or password"
    )
    assert api.patch(f"/users/{user['id']}", json={"active": True}).status_code == 200
    assert log_in(stack, user["email"]).status_code == 200


def test_admin_password_reset_ends_the_users_sessions(stack: Stack, api: httpx.Client) -> None:
    user = new_user(api, "viewer")
    with client_of(stack, user["email"]) as client:
        reset = api.patch(f"/users/{user['id']}", json={"password": "a brand new password"})
        assert reset.status_code == 200
        ended = client.get("/campaigns")
    assert ended.status_code == 401 and "log in again" in ended.json()["error"]["message"]
    assert log_in(stack, user["email"]).status_code == 401
    assert log_in(stack, user["email"], "a brand new password").status_code == 200


def test_own_password_change_keeps_this_session_and_ends_the_others(
    stack: Stack, api: httpx.Client
) -> None:
    user = new_user(api, "viewer")
    with client_of(stack, user["email"]) as this, client_of(stack, user["email"]) as other:
        wrong = this.post(
            "/auth/password",
            json={"current_password": "not it at all", "new_password": "another password"},
        )
        assert wrong.status_code == 422
        assert wrong.json()["error"]["details"][0]["field"] == "current_password"
        weak = this.post(
            "/auth/password", json={"current_password": PASSWORD, "new_password": "short"}
        )
        assert weak.json()["error"]["details"][0]["field"] == "new_password"
        changed = this.post(
            "/auth/password",
            json={"current_password": PASSWORD, "new_password": "another password"},
        )
        assert changed.status_code == 200
        assert "ctv_session=" in changed.headers["set-cookie"]
        token = changed.json()["access_token"]
        assert this.get("/campaigns").status_code == 401  # the old token
        assert other.get("/campaigns").status_code == 401
        fresh = this.get("/campaigns", headers={"Authorization": f"Bearer {token}"})
        assert fresh.status_code == 200
    assert log_in(stack, user["email"], "another password").status_code == 200


def test_removed_users_lose_access_and_keep_their_history(stack: Stack, api: httpx.Client) -> None:
    user = new_user(api, "editor")
    with client_of(stack, user["email"]) as client:
        cid = draft_campaign(client)
        assert api.delete(f"/users/{user['id']}").status_code == 204
        gone = client.get("/campaigns")
        assert gone.status_code == 401 and "no longer exists" in gone.json()["error"]["message"]
    assert api.get(f"/users/{user['id']}").status_code == 404
    history = api.get(f"/campaigns/{cid}/history").json()["changes"]
    assert history[-1]["actor"] == user["email"]


def test_the_team_always_keeps_an_active_admin(stack: Stack, api: httpx.Client) -> None:
    me = api.get("/auth/profile").json()
    for change in ({"active": False}, {"role": "viewer"}):
        # The bootstrap admin is alone (admins made here are demoted before the test ends).
        refused = api.patch(f"/users/{me['id']}", json=change)
        assert refused.status_code == 409, refused.text
    assert api.delete(f"/users/{me['id']}").status_code == 409
    second = new_user(api, "admin")
    try:
        with client_of(stack, second["email"]) as other:
            assert other.patch(f"/users/{me['id']}", json={"role": "editor"}).status_code == 200
            assert api.get("/users").status_code == 403  # I am an editor now
            assert other.patch(f"/users/{second['id']}", json={"role": "viewer"}).status_code == 409
            assert other.patch(f"/users/{me['id']}", json={"role": "admin"}).status_code == 200
    finally:
        api.patch(f"/users/{second['id']}", json={"role": "viewer"})
    assert api.get("/users").status_code == 200


@pytest.mark.parametrize("user_id", [ANY_ID, "not-a-uuid", "../../etc"])
def test_unknown_users_are_404(api: httpx.Client, user_id: str) -> None:
    for answer in (
        api.get(f"/users/{user_id}"),
        api.patch(f"/users/{user_id}", json={"role": "viewer"}),
    ):
        assert answer.status_code == 404, answer.text


def test_an_empty_change_is_422(api: httpx.Client) -> None:
    user = new_user(api, "viewer")
    assert api.patch(f"/users/{user['id']}", json={}).status_code == 422
    assert api.patch(f"/users/{user['id']}", json={"role": "boss"}).status_code == 422


def restore_admin(
    stack: Stack, email: str, typed: str, *, command: tuple[str, ...] = ("cluster", "restore-admin")
) -> subprocess.CompletedProcess[str]:
    """The operator's command: ``python -m cluster restore-admin`` (local stack) or, as in a
    Ray pod, ``python -m storage.restore_admin``."""
    env = {**os.environ, "DATABASE_URL": stack.database_url}
    return subprocess.run(
        [sys.executable, "-m", *command, email],
        input=typed,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_operator_restores_a_locked_out_admin(stack: Stack, api: httpx.Client) -> None:
    user = new_user(api, "viewer")
    with client_of(stack, user["email"]) as earlier:
        assert api.patch(f"/users/{user['id']}", json={"active": False}).status_code == 200
        weak = restore_admin(stack, user["email"], "short\n")
        assert weak.returncode == 2 and "at least 10 characters" in weak.stderr
        done = restore_admin(stack, user["email"].upper(), "restored password 1\n")
        assert done.returncode == 0, done.stderr
        assert "is an active admin" in done.stdout
        assert earlier.get("/campaigns").status_code == 401
    with client_of(stack, user["email"], "restored password 1") as restored:
        assert restored.get("/auth/profile").json()["role"] == "admin"
        assert restored.get("/users").status_code == 200
    latest = api.get("/users/history", params={"limit": 1}).json()["changes"][0]
    assert (latest["user_id"], latest["action"], latest["actor"]) == (
        user["id"],
        "restored",
        "operator (restore-admin)",
    )
    api.patch(f"/users/{user['id']}", json={"role": "viewer"})  # one admin again for the others
    fresh = f"new-admin-{uuid.uuid4().hex[:8]}@team.example.com"
    in_a_pod = restore_admin(
        stack, fresh, "restored password 2\n", command=("storage.restore_admin",)
    )
    assert in_a_pod.returncode == 0, in_a_pod.stderr
    with client_of(stack, fresh, "restored password 2") as created:
        me = created.get("/auth/profile").json()
    assert me["role"] == "admin"
    api.patch(f"/users/{me['id']}", json={"role": "viewer"})


def test_password_guessing_is_locked_out_per_email(
    stack: Stack, api: httpx.Client, rds: redis.Redis
) -> None:
    guessed, bystander = new_user(api, "viewer")["email"], new_user(api, "viewer")["email"]
    for _ in range(9):
        assert log_in(stack, guessed, "wrong guess 123").status_code == 401
    assert log_in(stack, guessed).status_code == 200  # a right password clears the count
    for _ in range(10):
        assert log_in(stack, guessed, "wrong guess 123").status_code == 401
    locked = log_in(stack, guessed)  # even the right password waits now
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"
    wait = int(locked.headers["Retry-After"])
    assert 800 < wait <= 900 and locked.json()["error"]["details"]["retry_after_seconds"] == wait
    assert log_in(stack, guessed.upper()).status_code == 429  # the same email, however typed
    assert log_in(stack, bystander).status_code == 200
    rds.delete(f"{stack.redis_prefix}login-failures:{guessed}")  # the window ends
    assert log_in(stack, guessed).status_code == 200


def test_the_team_history_says_who_changed_whom_and_outlives_the_user(
    stack: Stack, api: httpx.Client
) -> None:
    user = new_user(api, "viewer")
    reset = {"role": "editor", "password": "another password 9"}
    assert api.patch(f"/users/{user['id']}", json=reset).status_code == 200
    assert api.patch(f"/users/{user['id']}", json={"role": "editor"}).status_code == 200  # no-op
    with client_of(stack, user["email"], "another password 9") as own:
        body = {"current_password": "another password 9", "new_password": "third password 99"}
        assert own.post("/auth/password", json=body).status_code == 200
    assert api.delete(f"/users/{user['id']}").status_code == 204
    entries = [
        change
        for change in api.get("/users/history", params={"limit": 500}).json()["changes"]
        if change["user_id"] == user["id"]
    ]
    assert [(c["action"], c["actor"], c["changes"]) for c in entries] == [
        ("removed", ADMIN_EMAIL, {}),
        ("changed", user["email"], {"password": [None, "set"]}),
        ("changed", ADMIN_EMAIL, {"role": ["viewer", "editor"], "password": [None, "set"]}),
        ("added", ADMIN_EMAIL, {"role": [None, "viewer"]}),
    ]
    assert {c["email"] for c in entries} == {user["email"]}
    assert "another password" not in api.get("/users/history").text
    assert api.get("/users/history", params={"limit": 0}).status_code == 422
