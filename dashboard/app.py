"""Entry point of the marketer dashboard: ``streamlit run dashboard/app.py``.

Signed out, the only page is the login. Signed in, the sidebar lists the pages; the campaign
details page is reached from the campaign list (``?id=``). A 401 from the API anywhere ends the
session and returns to the login; any other API failure a page did not handle is shown, never
raised.
"""

from __future__ import annotations

import contextlib

import streamlit as st

from dashboard import components as ui
from dashboard import formatting, session
from dashboard.api_client import ApiError


def _sidebar() -> None:
    with st.sidebar:
        st.caption(f"Signed in as {formatting.md(session.email())}")
        if st.button("Log out", icon=":material/logout:", key="logout"):
            # The token is dropped either way; an expired one cannot (and need not) be revoked.
            with contextlib.suppress(ApiError):
                session.api().logout()
            session.sign_out("You are logged out.")
            st.rerun()


def main() -> None:
    st.set_page_config(page_title="CTV Ad Server", page_icon=":material/live_tv:", layout="wide")
    if session.signed_in():
        page = st.navigation(
            {
                "Manage": [
                    st.Page(ui.HOME, title="Home", icon=":material/home:", default=True),
                    st.Page(ui.CAMPAIGNS, title="Campaigns", icon=":material/campaign:"),
                    st.Page(
                        ui.CAMPAIGN_FORM,
                        title="New campaign",
                        icon=":material/add_circle:",
                        url_path="campaign-form",
                    ),
                    st.Page(
                        ui.CAMPAIGN,
                        title="Campaign",
                        icon=":material/movie:",
                        url_path="campaign",
                        visibility="hidden",
                    ),
                ],
                "Measure": [
                    st.Page(ui.ANALYTICS, title="Analytics", icon=":material/monitoring:"),
                ],
            }
        )
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
