"""Team (admins only): who can log in and with which role; add users, change a role,
deactivate or reactivate, set a new password, remove; API keys for integrations; the team's
history."""

from __future__ import annotations

import streamlit as st

from ads.roles import MIN_PASSWORD_CHARS, Role
from ads.team_history import TeamAction, TeamChange
from dashboard import api_keys_panel, formatting, notifications_panel, session
from dashboard import components as ui
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import TeamUser

_ADD_LABELS = {"email": "Email", "password": "Temporary password", "role": "Role"}
_EDIT_LABELS = {"role": "Role", "active": "Active", "password": "New password"}
_PASSWORD_HELP = (
    f"At least {MIN_PASSWORD_CHARS} characters. Share it with them privately; they can change "
    "it under Account."
)


def _role_label(role: Role) -> str:
    return f"{formatting.ROLE[role].label}: {formatting.ROLE_HELP[role]}"


def _table(users: list[TeamUser]) -> None:
    st.dataframe(
        [
            {
                "Email": u.email,
                "Role": formatting.ROLE[u.role].label,
                "Status": "Active" if u.active else "Deactivated",
                "Last login": formatting.moment(u.last_login_at) if u.last_login_at else "never",
                "Added": formatting.day(u.created_at),
            }
            for u in users
        ],
        hide_index=True,
        width="stretch",
    )


def _add_form(api: AdminApi) -> None:
    with st.form("add-user", clear_on_submit=True, border=True):  # empty for the next user
        st.markdown("**Add a user**")
        email = st.text_input("Email", placeholder="name@example.com", key="add-user-email")
        role: Role | None = st.selectbox(
            "Role", list(Role), index=1, format_func=_role_label, key="add-user-role"
        )
        password = st.text_input(
            "Temporary password", type="password", help=_PASSWORD_HELP, key="add-user-password"
        )
        sent = st.form_submit_button(
            "Add user", type="primary", icon=":material/person_add:", key="add-user-send"
        )
    if not sent or role is None:
        return
    try:
        user = api.create_user(email=email, password=password, role=role)
    except ApiError as exc:
        ui.report_api_error(exc, action="add the user", labels=_ADD_LABELS)
        return
    session.notify(f"{formatting.md(user.email)} can now log in as {role.value}.")
    st.rerun()


def _edit_form(api: AdminApi, users: list[TeamUser]) -> None:
    st.markdown("**Change a user**")
    user = st.selectbox(
        "User",
        users,
        format_func=lambda u: u.email if u.active else f"{u.email} (deactivated)",
        key="edit-user-pick",
    )
    if user is None:
        return
    with st.form(f"edit-user-{user.id}", border=True):
        role: Role | None = st.selectbox(
            "Role",
            list(Role),
            index=list(Role).index(user.role),
            format_func=_role_label,
            key=f"edit-user-role-{user.id}",
        )
        active = st.toggle(
            "Active",
            value=user.active,
            help="Deactivated users cannot log in",
            key=f"edit-user-active-{user.id}",
        )
        password = st.text_input(
            "New password",
            type="password",
            help=f"Optional. {_PASSWORD_HELP} Their open sessions end.",
            key=f"edit-user-password-{user.id}",
        )
        sent = st.form_submit_button(
            "Save changes", type="primary", icon=":material/save:", key="edit-user-send"
        )
    if sent and role is not None:
        _save(api, user, role=role, active=active, password=password)
    with st.popover("Remove", icon=":material/person_remove:"):
        st.markdown(
            f"Remove **{formatting.md(user.email)}**? They can no longer log in; the campaign "
            "history keeps their name. Deactivating keeps the account for later."
        )
        if st.button("Remove user", type="primary", key=f"remove-user-{user.id}"):
            try:
                api.delete_user(user.id)
            except ApiError as exc:
                ui.report_api_error(exc, action="remove the user")
                return
            session.notify(f"{formatting.md(user.email)} removed.")
            st.rerun()


def _save(api: AdminApi, user: TeamUser, *, role: Role, active: bool, password: str) -> None:
    if role is user.role and active == user.active and not password:
        st.info("Nothing to change.")
        return
    try:
        api.update_user(
            user.id,
            role=None if role is user.role else role,
            active=None if active == user.active else active,
            password=password or None,
        )
    except ApiError as exc:
        ui.report_api_error(exc, action="change the user", labels=_EDIT_LABELS)
        return
    session.notify(f"{formatting.md(user.email)} updated.")
    st.rerun()


def change_text(change: TeamChange) -> str:
    """One history entry in words (markdown): ``added ana@… as editor``."""
    who = f"**{formatting.md(change.email)}**"
    if change.action is TeamAction.ADDED:
        role = change.changes.get("role", [None, "?"])[1]
        return f"added {who} as {role}"
    if change.action is TeamAction.REMOVED:
        return f"removed {who}"
    if change.action is TeamAction.RESTORED:
        return f"restored {who} as an active admin with a new password"
    parts = []
    if "role" in change.changes:
        before, after = change.changes["role"]
        parts.append(f"role {before} → {after}")
    if "active" in change.changes:
        parts.append("reactivated" if change.changes["active"][1] else "deactivated")
    if "password" in change.changes:
        parts.append("new password")
    return f"changed {who}: {', '.join(parts)}"


def _history(api: AdminApi) -> None:
    changes = api.team_history(limit=50)
    shown = f"{len(changes)}{'+' if len(changes) == 50 else ''}"
    with st.expander(f"History ({shown})", icon=":material/history:"):
        if not changes:
            st.caption("No changes yet.")
        for change in changes:
            st.markdown(
                f"**{formatting.moment(change.at)}** · {formatting.md(change.actor)} · "
                f"{change_text(change)}"
            )


def render() -> None:
    st.title("Team")
    st.caption(
        "Who can log in, and what they may do. Role changes, deactivations and new passwords "
        "apply at once, to sessions already open too."
    )
    api = session.api()
    users = api.list_users()
    with st.container(key="team-table"):
        _table(users)
    left, right = st.columns(2, gap="large")
    with left:
        _add_form(api)
    with right:
        _edit_form(api, users)
    api_keys_panel.render(api)
    notifications_panel.render(api)
    _history(api)


if __name__ == "__main__":
    render()
