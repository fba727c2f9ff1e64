"""The avails forecast on the campaign page (until the flight ends, against the remaining
budget) and on the campaign form (for the flight and budget being entered): the ad requests
expected, the unsold ones among them, against the impressions the budget buys."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from ads.campaigns import CampaignStatus
from ads.forecast import Forecast
from dashboard import formatting
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import Campaign

HELP = (
    "Each hour to come is expected to bring as many ad requests as the same hour of the day did "
    "over the last week; unsold: those no paid campaign takes today (no fill, or house ads "
    "only). Before targeting, caps and pacing: the publisher's whole supply."
)


def verdict(result: Forecast) -> tuple[str, str]:
    """What the forecast means for the campaign: (kind, text), kind one of success, warning,
    error, info."""
    needed, unsold, requests = result.impressions_needed, result.unsold, result.requests
    until = formatting.day(result.end)
    if result.history_hours == 0:
        return "info", "No ad requests counted yet: the forecast starts once players ask for ads."
    if needed is None:
        return "info", "At CPM 0 the budget sets no number of impressions to deliver."
    if needed <= unsold:
        return "success", (
            f"The {formatting.count(unsold)} unsold breaks expected by {until} cover the "
            f"{formatting.count(needed)} impressions the remaining budget buys."
        )
    if needed <= requests:
        return "warning", (
            f"The remaining budget buys {formatting.count(needed)} impressions; only "
            f"{formatting.count(unsold)} breaks expected by {until} are unsold. The rest must "
            "be won from running campaigns (priority and remaining budget decide the draw)."
        )
    return "error", (
        f"The remaining budget buys {formatting.count(needed)} impressions, more than the "
        f"{formatting.count(requests)} ad requests expected by {until} in all: lengthen the "
        "flight, lower the budget or raise the CPM."
    )


def render(api: AdminApi, campaign: Campaign) -> None:
    now = datetime.now(UTC)
    if campaign.status is CampaignStatus.COMPLETED or campaign.end_date <= now:
        return
    try:
        result = api.forecast(
            start=max(campaign.start_date, now),
            end=campaign.end_date,
            budget=campaign.budget_remaining,
            cpm=campaign.cpm,
        )
    except ApiError as exc:
        if exc.status != 404:
            raise
        return  # a server without forecasts
    st.subheader("Forecast", help=HELP)
    show(result)


def show(result: Forecast) -> None:
    """The forecast's figures and what they mean for the budget."""
    known = result.history_hours > 0  # nothing counted yet: no figure rather than a 0
    with st.container(horizontal=True, key="campaign-forecast"):
        requests, unsold = (
            formatting.count(n) if known else "—" for n in (result.requests, result.unsold)
        )
        st.metric("Ad requests expected", requests, border=True)
        st.metric("Unsold", unsold, border=True)
        needed = result.impressions_needed
        st.metric(
            "Impressions the budget buys",
            "—" if needed is None else formatting.count(needed),
            border=True,
        )
    kind, text = verdict(result)
    {"success": st.success, "warning": st.warning, "error": st.error, "info": st.info}[kind](text)
