"""Log in with an email and password (the API's ``POST /auth/login``)."""

from __future__ import annotations

import streamlit as st

from dashboard import session
from dashboard.api_client import ApiError


def render() -> None:
    _, middle, _ = st.columns([1, 1.2, 1])
    with middle, st.container(key="login"):
        st.title(":material/live_tv: CTV Ad Server")
        st.caption("Plan, launch and measure connected-TV video campaigns.")
        with st.form("login-form", border=True):
            email = st.text_input("Email", autocomplete="username", placeholder="you@example.com")
            password = st.text_input("Password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("Log in", type="primary", width="stretch")
        if not submitted:
            return
        if not email.strip() or not password:
            st.error("Enter your email and password.", icon=":material/error:")
            return
        try:
            token = session.api().login(email=email.strip(), password=password)
            profile = session.api(token=token.access_token).profile()
        except ApiError as exc:
            if exc.code == "account_deactivated":
                st.error("This account is deactivated: ask an admin.", icon=":material/block:")
            elif exc.status == 401:
                st.error("Wrong email or password.", icon=":material/error:")
            else:
                st.error(f"Could not log in: {exc.message}.", icon=":material/error:")
            return
        session.sign_in(token=token.access_token, user_email=profile.email, user_role=profile.role)
        st.rerun()


if __name__ == "__main__":
    render()
