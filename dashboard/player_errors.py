"""Player errors on the campaign page: what went wrong when players tried to play the ads, by
VAST error code with what helps, by creative and by platform.

A marketer reads it to find the creative, or the devices, that lose impressions: a 403 on one
platform means no rendition that platform plays; many 402s, media served too far away.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from ads.player_errors import failure_warning
from dashboard import formatting, metrics
from dashboard.api_client import AdminApi
from dashboard.models import Campaign


def code_label(code: int | None) -> str:
    """A VAST error code as the tables show it."""
    return "—" if code is None else str(code)


def render(api: AdminApi, campaign: Campaign, *, start: datetime, end: datetime) -> None:
    report = api.player_errors(campaign.id, start=start, end=end)
    st.markdown("**Player errors**", help=metrics.PLAYER_ERRORS_HELP)
    if report.codes is None:
        st.caption("Left out: reading the error beacons took too long. Try again shortly.")
        return
    if not report.codes:
        st.caption("None in this range: players played every ad they tried.")
        return
    st.caption(
        f"{formatting.count(report.errors)} errors reported; "
        f"{formatting.count(report.before_play)} ads failed before they played "
        f"({formatting.percent(report.failure_rate)} of the ads players tried to play), "
        "the rest stopped during playback."
    )
    warning = failure_warning(report.failure_rate, report.codes[0])
    if warning is not None:
        st.warning(warning, icon=":material/error:")
    number = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        [
            {
                "Code": code_label(row.code),
                "What the player reported": row.meaning,
                "What helps": row.hint,
                "Errors": row.errors,
                "Before playing": row.before_play,
                "Share": row.share,
            }
            for row in report.codes
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "What helps": st.column_config.TextColumn(width="large"),
            "Errors": number,
            "Before playing": number,
            "Share": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
        },
        key="campaign-player-errors",
    )
    creatives, platforms = st.columns(2, gap="large")
    with creatives:
        st.dataframe(
            [
                {
                    "Creative": "(deleted)" if row.name is None else row.name,
                    "Errors": row.errors,
                    "Before playing": row.before_play,
                    "Most often": code_label(row.top_code),
                }
                for row in report.creatives
            ],
            hide_index=True,
            width="stretch",
            column_config={"Errors": number, "Before playing": number},
            key="campaign-player-errors-creatives",
        )
    with platforms:
        st.dataframe(
            [
                {
                    "Platform": row.label,
                    "Errors": row.errors,
                    "Most often": code_label(row.top_code),
                }
                for row in report.platforms
            ],
            hide_index=True,
            width="stretch",
            column_config={"Errors": number},
            key="campaign-player-errors-platforms",
        )
