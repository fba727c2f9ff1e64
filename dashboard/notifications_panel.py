"""The Team page's notifications: whether campaign news and the daily digest have a webhook to go
to (set on the server), and a test notification to check the receiving end."""

from __future__ import annotations

import streamlit as st

from dashboard import formatting
from dashboard.api_client import AdminApi, ApiError


def render(api: AdminApi) -> None:
    st.subheader("Notifications")
    settings = api.notification_settings()
    if not settings.webhook:
        st.caption(
            "No webhook is set: campaign news and the daily digest are not sent anywhere. The "
            "server's NOTIFY_WEBHOOK_URL sets one (a Slack incoming webhook, say)."
        )
        return
    digest = (
        f"the daily digest from {settings.digest_hour:02d}:00 UTC"
        if settings.digest_hour is not None
        else "no daily digest"
    )
    signing = "signed" if settings.signed else "not signed (no NOTIFY_WEBHOOK_SECRET)"
    st.caption(
        f"Campaign news goes to the server's webhook as it happens, and {digest}; {signing}."
    )
    if st.button("Send a test notification", icon=":material/send:", key="notify-test"):
        try:
            sent = api.send_test_notification()
        except ApiError as exc:
            st.error(f"The test notification failed: {formatting.md(exc.message)}")
        else:
            st.success(f"Delivered: the webhook answered {sent.status_code}.")
