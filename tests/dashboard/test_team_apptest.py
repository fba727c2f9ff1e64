"""The Team and Account pages, and what each role sees, through Streamlit's AppTest against the
real management API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import formatting, session
from tests.dashboard.helpers import create_campaign, goto, log_in, new_app, texts
from tests.stack_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, Stack

pytestmark = pytest.mark.integration

HOME = "views/home.py"
CAMPAIGNS = "views/campaigns.py"
DETAIL = "views/campaign_detail.py"
TEAM = "views/team.py"
ACCOUNT = "views/account.py"
PASSWORD = "team password 1"


def team_user(api: httpx.Client, role: str) -> dict[str, Any]:
    email = f"dash-{role}-{uuid.uuid4().hex[:8]}@team.example.com"
    answer = api.post("/users", json={"email": email, "password": PASSWORD, "role": role})
    assert answer.status_code == 201, answer.text
    user: dict[str, Any] = answer.json()["user"]
    return user


def signed_in(email: str, password: str = PASSWORD) -> AppTest:
    at = log_in(new_app(), email=email, password=password)
    assert session.TOKEN_KEY in at.session_state, texts(at)
    return at


def user_by_email(api: httpx.Client, email: str) -> dict[str, Any]:
    users: list[dict[str, Any]] = api.get("/users").json()["users"]
    (user,) = [u for u in users if u["email"] == email]
    return user


def pick_user(app: AppTest, email: str) -> AppTest:
    picker = app.selectbox(key="edit-user-pick")
    index = next(i for i, shown in enumerate(picker.options) if shown.startswith(email))
    return picker.select_index(index).run()


def test_admin_adds_a_user_then_changes_their_role_and_access(
    stack: Stack, api: httpx.Client
) -> None:
    app = goto(signed_in(ADMIN_EMAIL, ADMIN_PASSWORD), TEAM)
    assert app.title[0].value == "Team"
    assert ADMIN_EMAIL in list(app.dataframe[0].value["Email"])
    email = f"new-{uuid.uuid4().hex[:8]}@team.example.com"
    app.text_input(key="add-user-email").input(email)
    app.text_input(key="add-user-password").input("short")
    app = app.button(key="add-user-send").click().run()
    assert "**Temporary password**: a password needs at least 10 characters" in app.error[0].value
    app.text_input(key="add-user-email").input(email)
    app.text_input(key="add-user-password").input(PASSWORD)
    app = app.button(key="add-user-send").click().run()
    assert "can now log in as editor" in texts(app)
    assert f"added **{formatting.md(email)}** as editor" in texts(app)  # the team's history
    assert user_by_email(api, email)["role"] == "editor"
    assert email in list(app.dataframe[0].value["Email"])

    app = pick_user(app, email)
    user_id = user_by_email(api, email)["id"]
    app.selectbox(key=f"edit-user-role-{user_id}").select_index(2)  # viewer
    app.toggle(key=f"edit-user-active-{user_id}").set_value(False)
    app = app.button(key="edit-user-send").click().run()
    changed = user_by_email(api, email)
    assert (changed["role"], changed["active"]) == ("viewer", False)
    assert "Deactivated" in list(app.dataframe[0].value["Status"])

    app = pick_user(app, email)
    app = app.button(key=f"remove-user-{user_id}").click().run()
    assert email not in {u["email"] for u in api.get("/users").json()["users"]}


def test_admin_cannot_lock_the_team_out_and_is_told_why(api: httpx.Client) -> None:
    app = goto(signed_in(ADMIN_EMAIL, ADMIN_PASSWORD), TEAM)
    app = pick_user(app, ADMIN_EMAIL)
    me = user_by_email(api, ADMIN_EMAIL)["id"]
    app.toggle(key=f"edit-user-active-{me}").set_value(False)
    app = app.button(key="edit-user-send").click().run()
    assert "you cannot deactivate yourself" in app.error[0].value
    assert user_by_email(api, ADMIN_EMAIL)["active"] is True


def test_a_viewer_sees_campaigns_but_no_way_to_change_them(api: httpx.Client) -> None:
    campaign = create_campaign(api)
    app = signed_in(team_user(api, "viewer")["email"])
    assert "(viewer)" in app.sidebar.caption[0].value
    links = {link.label for link in app.page_link}
    assert "See performance" in links and "Create a campaign" not in links
    app = goto(app, CAMPAIGNS)
    assert not [b for b in app.button if b.key and b.key.startswith(("quick-", "new-campaign"))]
    assert "Edit" not in {link.label for link in app.page_link}
    app = goto(app, DETAIL, id=campaign["id"])
    assert app.title[0].value == campaign["name"]
    assert not [b for b in app.button if b.key and b.key.startswith("status-")]
    assert not app.get("file_uploader") and "Upload creative" not in [b.label for b in app.button]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        goto(app, TEAM)  # not offered: the viewer's pages have no team


def test_an_editor_gets_the_campaign_tools_but_not_the_team(api: httpx.Client) -> None:
    campaign = create_campaign(api)
    app = signed_in(team_user(api, "editor")["email"])
    assert "Create a campaign" in {link.label for link in app.page_link}
    app = goto(app, DETAIL, id=campaign["id"])
    app.button(key="status-active").click().run()
    assert api.get(f"/campaigns/{campaign['id']}").json()["campaign"]["status"] == "active"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        goto(app, TEAM)


def test_a_role_change_reaches_an_open_dashboard_session(api: httpx.Client) -> None:
    user = team_user(api, "viewer")
    app = goto(signed_in(user["email"]), CAMPAIGNS)
    assert "new-campaign" not in {b.key for b in app.button}
    assert api.patch(f"/users/{user['id']}", json={"role": "admin"}).status_code == 200
    app = goto(app, CAMPAIGNS)
    assert "new-campaign" in {b.key for b in app.button}
    assert "(admin)" in app.sidebar.caption[0].value
    assert goto(app, TEAM).title[0].value == "Team"
    api.patch(f"/users/{user['id']}", json={"role": "viewer"})  # the team keeps one admin


def test_account_changes_the_password_and_keeps_the_session(
    stack: Stack, api: httpx.Client
) -> None:
    email = team_user(api, "viewer")["email"]
    app = goto(signed_in(email), ACCOUNT)
    assert f"**{formatting.md(email)}**" in texts(app) and "changes nothing" in texts(app)

    def send(current: str, new: str, repeated: str) -> AppTest:
        app.text_input(key="account-current").input(current)
        app.text_input(key="account-new").input(new)
        app.text_input(key="account-repeat").input(repeated)
        return app.button(key="account-send").click().run()

    app = send(PASSWORD, "a new password 2", "a new password 3")
    assert "The new passwords differ." in app.error[0].value
    app = send("not my password", "a new password 2", "a new password 2")
    assert "**Current password**: the current password is wrong" in app.error[0].value
    app = send(PASSWORD, "a new password 2", "a new password 2")
    assert "Password changed." in texts(app)
    app = goto(app, CAMPAIGNS)  # the session goes on with the new token
    assert app.title[0].value == "Campaigns"
    login = httpx.post(
        f"{stack.admin_url}/auth/login",
        json={"email": email, "password": "a new password 2"},
        timeout=30,
    )
    assert login.status_code == 200


def test_a_deactivated_user_is_sent_to_the_login_with_the_reason(api: httpx.Client) -> None:
    user = team_user(api, "editor")
    app = signed_in(user["email"])
    assert api.patch(f"/users/{user['id']}", json={"active": False}).status_code == 200
    app = goto(app, CAMPAIGNS)
    assert app.title[0].value.endswith("CTV Ad Server")
    assert "this account is deactivated" in texts(app)
    app = log_in(app, email=user["email"], password=PASSWORD)
    assert "This account is deactivated: ask an admin." in app.error[0].value
    assert session.TOKEN_KEY not in app.session_state


def test_admin_makes_an_api_key_shown_once_then_revokes_it(stack: Stack, api: httpx.Client) -> None:
    app = goto(signed_in(ADMIN_EMAIL, ADMIN_PASSWORD), TEAM)
    name = f"BI export {uuid.uuid4().hex[:6]}"
    app.text_input(key="api-key-name").input(name)
    app = app.button(key="api-key-send").click().run()
    (secret,) = [c.value for c in app.code if c.value.startswith("ctvk_")]
    assert "not shown again" in app.success[0].value
    with httpx.Client(
        base_url=stack.admin_url, headers={"Authorization": f"Bearer {secret}"}, timeout=30
    ) as integration:
        assert integration.get("/reports/performance").status_code == 200
        assert integration.post("/campaigns", json={}).status_code == 403  # a viewer key
        app = goto(app, TEAM)  # the key is not shown again
        assert not [c for c in app.code if c.value.startswith("ctvk_")]
        (key,) = [k for k in api.get("/api-keys").json()["api_keys"] if k["name"] == name]
        picker = app.selectbox(key="api-key-pick")
        index = next(i for i, shown in enumerate(picker.options) if shown.startswith(name))
        app = picker.select_index(index).run()
        app = app.button(key="api-key-revoke").click().run()
        assert integration.get("/reports/performance").status_code == 401
    revoked = {k["id"]: k for k in api.get("/api-keys").json()["api_keys"]}[key["id"]]
    assert revoked["revoked_at"] is not None


def test_admin_sends_the_webhook_a_test_notification(stack: Stack) -> None:
    assert stack.webhook is not None
    app = goto(signed_in(ADMIN_EMAIL, ADMIN_PASSWORD), TEAM)
    assert "and the daily digest from 07:00 UTC; signed." in texts(app)
    before = len(stack.webhook.received)
    app = app.button(key="notify-test").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == ["Delivered: the webhook answered 204."]
    tests = [r for r in stack.webhook.received[before:] if b'"event":"test"' in r.body]
    assert len(tests) == 1 and ADMIN_EMAIL.encode() in tests[0].body
