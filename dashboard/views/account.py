"""Account: who is signed in, with which role, and a new password."""

from __future__ import annotations

import streamlit as st

from ads.roles import MIN_PASSWORD_CHARS
from dashboard import components as ui
from dashboard import formatting, session
from dashboard.api_client import ApiError

_LABELS = {"current_password": "Current password", "new_password": "New password"}


def render() -> None:
    st.title("Account")
    role = session.role()
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{formatting.md(session.email())}**")
        ui.role_badge(role)
    st.caption(f"Your role {formatting.ROLE_HELP[role]}.")
    with st.form("password-form", border=True, clear_on_submit=True):
        st.markdown("**Change your password**")
        current = st.text_input(
            "Current password",
            type="password",
            autocomplete="current-password",
            key="account-current",
        )
        new = st.text_input(
            "New password",
            type="password",
            autocomplete="new-password",
            help=f"At least {MIN_PASSWORD_CHARS} characters",
            key="account-new",
        )
        repeated = st.text_input("Repeat the new password", type="password", key="account-repeat")
        sent = st.form_submit_button(
            "Change password", type="primary", icon=":material/key:", key="account-send"
        )
    if not sent:
        return
    if not current or not new:
        st.error("Enter your current and your new password.", icon=":material/error:")
        return
    if new != repeated:
        st.error("The new passwords differ.", icon=":material/error:")
        return
    try:
        token = session.api().change_password(current=current, new=new)
    except ApiError as exc:
        ui.report_api_error(exc, action="change the password", labels=_LABELS)
        return
    session.replace_token(token.access_token)
    session.notify("Password changed. Your other sessions were logged out.")
    st.rerun()


if __name__ == "__main__":
    render()
