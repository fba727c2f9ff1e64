"""Creative review on the dashboard: a creative's review state for everyone, and the approve /
reject controls admins use on the Review page and on the campaign's creatives."""

from __future__ import annotations

import streamlit as st

from ads.creative_review import MAX_NOTE_LENGTH, ReviewStatus
from dashboard import components as ui
from dashboard import formatting, session
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import Creative

_LABELS = {"note": "Why"}


def state(creative: Creative) -> None:
    """What review means for this creative being served, unless it is simply approved."""
    if creative.review_status is ReviewStatus.PENDING:
        st.caption("Waiting for an admin's approval: players get it once approved.")
    elif creative.review_status is ReviewStatus.REJECTED:
        by = f" by {formatting.md(creative.reviewed_by)}" if creative.reviewed_by else ""
        st.warning(
            f"Rejected{by}: {formatting.md(creative.review_note or 'no reason given')}",
            icon=":material/block:",
        )


def controls(api: AdminApi, creative: Creative) -> None:
    """Approve (unless approved) and reject (take down, once approved) with a note; admins."""
    with st.container(horizontal=True):
        if creative.review_status is not ReviewStatus.APPROVED and st.button(
            "Approve", icon=":material/verified:", key=f"approve-{creative.id}"
        ):
            _decide(api, creative, approve=True)
        if creative.review_status is not ReviewStatus.REJECTED:
            label = "Take down" if creative.review_status is ReviewStatus.APPROVED else "Reject"
            with st.popover(label, icon=":material/block:"):
                note = st.text_area(
                    "Why",
                    max_chars=MAX_NOTE_LENGTH,
                    placeholder="What the editor should change",
                    key=f"reject-note-{creative.id}",
                )
                if st.button(label, type="primary", key=f"reject-{creative.id}"):
                    _decide(api, creative, approve=False, note=note)


def _decide(api: AdminApi, creative: Creative, *, approve: bool, note: str | None = None) -> None:
    try:
        api.review_creative(creative.id, approve=approve, note=note)
    except ApiError as exc:
        ui.report_api_error(exc, action="review the creative", labels=_LABELS)
        return
    verdict = "approved: players get it now" if approve else "rejected: players no longer get it"
    session.notify(f"Creative {formatting.quoted(creative.name)} {verdict}.")
    st.rerun()
