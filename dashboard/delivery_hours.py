"""When a campaign's ads play: impressions by day of the week and hour of the day, on the
campaign's own clock, over its last four weeks (the campaign page's heat map).

Marketers read it to place dayparts: a campaign that plays mostly at 02:00 is filling the
night's breaks, not prime time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, formatting
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import Campaign

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SPAN = timedelta(days=28)
"""Four whole weeks: each hour of the week counted four times."""

Grid = list[list[int]]
"""Impressions by weekday (Monday first) and hour (0-23)."""


def week_grid(points: Iterable[tuple[datetime, int]], zone: ZoneInfo) -> Grid:
    """Hourly impressions (each at its UTC hour's start) summed by the weekday and hour they
    fell in on ``zone``'s clock."""
    grid = [[0] * 24 for _ in WEEKDAYS]
    for at, impressions in points:
        local = at.astimezone(zone)
        grid[local.weekday()][local.hour] += impressions
    return grid


def busiest(grid: Grid) -> tuple[int, int, int] | None:
    """The (weekday, hour, impressions) with the most impressions, the earliest of ties; None
    without any."""
    count, weekday, hour = max(
        ((grid[d][h], -d, -h) for d in range(len(WEEKDAYS)) for h in range(24)), default=(0, 0, 0)
    )
    return (-weekday, -hour, count) if count else None


def heatmap(grid: Grid, *, height: int = 300) -> go.Figure:
    """The grid as a heat map, Monday on top, hours left to right."""
    hours = [f"{h:02d}:00" for h in range(24)]
    fig = go.Figure(
        go.Heatmap(
            z=grid,
            x=hours,
            y=[day[:3] for day in WEEKDAYS],
            colorscale="Blues",
            hovertemplate="%{y} %{x}: %{z:,} impressions<extra></extra>",
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(dtick=3)
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        font={"family": "Source Sans Pro, sans-serif"},
    )
    return fig


def render(api: AdminApi, campaign: Campaign) -> None:
    """The heat map of the campaign's last four weeks (of its flight), with the busiest hour
    said in words."""
    end = min(datetime.now(UTC), campaign.end_date)
    start = max(campaign.start_date, end - SPAN)
    if end <= start:
        return
    try:
        stats = api.campaign_stats(
            campaign.id, start=start, end=end, granularity="hour", reach=False
        )
    except ApiError as exc:
        if exc.status != 404:
            raise
        return
    zone = ZoneInfo(campaign.timezone)
    grid = week_grid(((p.bucket, p.impressions) for p in stats.series), zone)
    peak = busiest(grid)
    if peak is None:
        return
    weekday, hour, count = peak
    st.markdown("**When the ads play**")
    st.plotly_chart(heatmap(grid), config=charts.CONFIG, key="campaign-hours-chart")
    days = (end - start).days or 1
    st.caption(
        f"Impressions by day and hour over the last {days} day{'s' if days > 1 else ''}, "
        f"{formatting.md(campaign.timezone)} time. Busiest: {WEEKDAYS[weekday]}s "
        f"{hour:02d}:00 to {(hour + 1) % 24:02d}:00 ({formatting.count(count)} "
        f"impression{'' if count == 1 else 's'})."
    )
