"""Entry point of the marketer dashboard: ``streamlit run dashboard/app.py``.

Signed out, the only page is the login. Signed in, the sidebar lists the pages the user's role
offers (no campaign form for viewers, the team for admins); the campaign details page is reached
from the campaign list (``?id=``). A 401 from the API anywhere ends the
session and returns to the login; any other API failure a page did not handle is shown, never
raised.
"""

from __future__ import annotations

import contextlib

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ads.roles import Role
from dashboard import components as ui
from dashboard import formatting, session
from dashboard.api_client import ApiError


def _sidebar() -> None:
    with st.sidebar:
        role = formatting.ROLE[session.role()].label.lower()
        st.caption(f"Signed in as {formatting.md(session.email())} ({role})")
        if st.button("Log out", icon=":material/logout:", key="logout"):
            # The token is dropped either way; an expired one cannot (and need not) be revoked.
            with contextlib.suppress(ApiError):
                session.api().logout()
            session.sign_out("You are logged out.")
            st.rerun()


def _pages() -> dict[str, list[StreamlitPage]]:
    """The signed-in user's pages: viewers get no campaign form, only admins the team and the
    creative review."""
    form = st.Page(
        ui.CAMPAIGN_FORM,
        title="New campaign",
        icon=":material/add_circle:",
        url_path="campaign-form",
    )
    team = st.Page(ui.TEAM, title="Team", icon=":material/group:")
    reviews = st.Page(ui.REVIEWS, title="Creative review", icon=":material/fact_check:")
    admin = session.role() is Role.ADMIN
    return {
        "Manage": [
            st.Page(ui.HOME, title="Home", icon=":material/home:", default=True),
            st.Page(ui.CAMPAIGNS, title="Campaigns", icon=":material/campaign:"),
            *([form] if session.can_edit() else []),
            *([reviews] if admin else []),
            st.Page(
                ui.CAMPAIGN,
                title="Campaign",
                icon=":material/movie:",
                url_path="campaign",
                visibility="hidden",
            ),
        ],
        "Measure": [st.Page(ui.ANALYTICS, title="Analytics", icon=":material/monitoring:")],
        "Settings": [
            *([team] if admin else []),
            st.Page(ui.ACCOUNT, title="Account", icon=":material/account_circle:"),
        ],
    }


def _refresh_role() -> None:
    """Read the user's role again (an admin may have changed it since the login): every run
    draws the pages and tools of the role the API applies now."""
    try:
        profile = session.api().profile()
    except ApiError as exc:
        if exc.status == 401:
            ui.report_api_error(exc, action="load your profile")
        return  # API unreachable: the page says so; the role stays as it was
    session.set_role(profile.role)


def main() -> None:
    st.set_page_config(page_title="CTV Ad Server", page_icon=":material/live_tv:", layout="wide")
    if session.signed_in():
        _refresh_role()  # a 401 ends the session here and reruns into the login
        page = st.navigation(_pages())
        _sidebar()
    else:
        page = st.navigation(
            [st.Page(ui.LOGIN, title="Log in", icon=":material/login:", default=True)],
            position="hidden",
        )
    session.show_notices()
    try:
        page.run()
    except ApiError as exc:
        ui.report_api_error(exc, action="load this page")


if __name__ == "__main__":
    main()
