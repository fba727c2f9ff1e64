"""The avails forecast on the campaign page (until the flight ends, against the remaining
budget) and on the campaign form (for the flight, budget and targeting being entered): the ad
requests expected, the part the targeting reaches, the unsold ones among them, against the
impressions the budget buys."""

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
    "only). With apps, platforms, content or places chosen, the share of last week's requests "
    "(a sample of them) those reach narrows both; with dayparts, only its hours count. Before "
    "frequency caps and pacing."
)
TARGETING = ("target_apps", "target_platforms", "target_content", "target_geo", "daypart_hours")
"""The campaign fields the forecast weighs the supply by (dayparts on the campaign's
``timezone``)."""


def verdict(result: Forecast) -> tuple[str, str]:
    """What the forecast means for the campaign: (kind, text), kind one of success, warning,
    error, info."""
    needed = result.impressions_needed
    unsold, requests = _supply(result)
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
            targeting={name: getattr(campaign, name) for name in TARGETING},
            timezone=campaign.timezone,
        )
    except ApiError as exc:
        if exc.status != 404:
            raise
        return  # a server without forecasts
    st.subheader("Forecast", help=HELP)
    show(result)


def _supply(result: Forecast) -> tuple[int, int]:
    """(unsold, requests) the campaign can reach: its targeting's part when one was weighed."""
    if result.targeted_unsold is not None and result.targeted_requests is not None:
        return result.targeted_unsold, result.targeted_requests
    return result.unsold, result.requests


def show(result: Forecast) -> None:
    """The forecast's figures and what they mean for the budget."""
    known = result.history_hours > 0  # nothing counted yet: no figure rather than a 0
    unsold, requests = _supply(result)
    targeted = result.targeted_share is not None
    with st.container(horizontal=True, key="campaign-forecast"):
        st.metric(
            "Ad requests expected",
            formatting.count(result.requests) if known else "—",
            border=True,
        )
        if targeted:
            st.metric(
                "Reached by its targeting",
                formatting.count(requests) if known else "—",
                delta=f"{formatting.percent(result.targeted_share or 0)} of them",
                delta_color="off",
                help=f"From {formatting.count(result.targeted_samples)} sampled ad requests "
                "of the last week: the share whose app, platform, content and place it takes.",
                border=True,
            )
        st.metric(
            "Unsold" + (" it reaches" if targeted else ""),
            formatting.count(unsold) if known else "—",
            border=True,
        )
        needed = result.impressions_needed
        st.metric(
            "Impressions the budget buys",
            "—" if needed is None else formatting.count(needed),
            border=True,
        )
    if result.running_hours is not None:
        st.caption(
            f"In its dayparts: {formatting.count(round(result.running_hours))} hours until "
            f"{formatting.day(result.end)}."
        )
    kind, text = verdict(result)
    {"success": st.success, "warning": st.warning, "error": st.error, "info": st.info}[kind](text)
