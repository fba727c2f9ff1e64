"""Creative review (admins only): creatives editors added that wait for approval before players
get them, oldest first, each with a preview, its campaign and who added it."""

from __future__ import annotations

import streamlit as st

from dashboard import components as ui
from dashboard import formatting, review_panel, session
from dashboard.api_client import AdminApi
from dashboard.creatives_panel import show_preview
from dashboard.models import ReviewItem


def _item(api: AdminApi, item: ReviewItem) -> None:
    creative = item.creative
    with st.container(border=True, key=f"review-{creative.id}"):
        preview, about = st.columns([2, 3], gap="medium")
        with preview:
            show_preview(
                creative, tag_caption="Third-party VAST tag: open it to see what it serves."
            )
            if creative.vast_tag_url:
                st.link_button("Open tag", creative.vast_tag_url, icon=":material/open_in_new:")
        with about:
            st.markdown(f"**{formatting.md(creative.name)}**")
            advertiser = f" · {formatting.md(item.advertiser)}" if item.advertiser else ""
            st.caption(f"Campaign {formatting.quoted(item.campaign_name)}{advertiser}")
            added = formatting.moment(creative.created_at) if creative.created_at else "—"
            by = formatting.md(creative.created_by) if creative.created_by else "—"
            st.caption(f"Added {added} by {by}")
            st.page_link(
                ui.CAMPAIGN,
                label="Open the campaign",
                icon=":material/movie:",
                query_params={"id": str(creative.campaign_id)},
            )
            review_panel.controls(api, creative)


def render() -> None:
    st.title("Creative review")
    st.caption(
        "Third-party VAST tags that editors add wait here for an admin's approval before "
        "players get them (the server's CREATIVE_REVIEW setting can make uploads wait too). "
        "Rejecting asks for a reason, which the editor sees on the campaign."
    )
    api = session.api()
    queue = api.review_queue()
    with st.container(key="review-queue"):
        if not queue:
            st.success("Nothing waits for review.", icon=":material/task_alt:")
        for item in queue:
            _item(api, item)


if __name__ == "__main__":
    render()
