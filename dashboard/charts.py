"""Plotly figures of the dashboard, all in one look (the seed's colours, white background)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import plotly.graph_objects as go

COLORS = ["#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#14b8a6", "#64748b"]
# The ``config`` every page passes to ``st.plotly_chart``: no mode bar.
CONFIG: dict[str, Any] = {"displayModeBar": False}


def _layout(
    fig: go.Figure, *, y_title: str, money: bool, height: int, hovermode: str = "x unified"
) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        colorway=COLORS,
        height=height,
        margin={"l": 8, "r": 8, "t": 24, "b": 8},
        hovermode=hovermode,
        legend={"orientation": "h", "y": 1.12, "x": 0},
        yaxis={"title": y_title, "rangemode": "tozero", "tickprefix": "$" if money else ""},
        font={"family": "Source Sans Pro, sans-serif"},
    )
    return fig


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _empty_note(fig: go.Figure, text: str) -> None:
    fig.add_annotation(
        text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 14}
    )


def daily_line(
    days: Sequence[date],
    values: Sequence[float],
    *,
    y_title: str,
    empty_text: str,
    height: int = 300,
) -> go.Figure:
    """One line over calendar days; ``empty_text`` is written across it when all are zero."""
    fig = go.Figure(
        go.Scatter(x=list(days), y=list(values), mode="lines+markers", name=y_title, fill="tozeroy")
    )
    fig.update_xaxes(tickformat="%b %d", dtick=86_400_000 if len(days) <= 14 else None)
    if days:  # half a day of margin, so the first and last days keep their labels
        margin = timedelta(hours=12)
        fig.update_xaxes(range=[_midnight(days[0]) - margin, _midnight(days[-1]) + margin])
    if not any(values):
        _empty_note(fig, empty_text)
        fig.update_yaxes(range=[0, 1])
    return _layout(fig, y_title=y_title, money=False, height=height)


def pacing_lines(
    days: Sequence[date],
    spent: Sequence[float | None],
    planned: Sequence[float | None],
    *,
    budget: float,
    projected: Sequence[tuple[date, float]] = (),
    height: int = 280,
) -> go.Figure:
    """Spend summed up day by day (None: days to come), the plan's line over the whole flight
    (dashed, where there is one), the projection's (dotted, where there is one) and the
    budget."""
    fig = go.Figure(
        go.Scatter(x=list(days), y=list(spent), mode="lines+markers", name="Spent", fill="tozeroy")
    )
    if any(value is not None for value in planned):
        plan = go.Scatter(x=list(days), y=list(planned), mode="lines", name="Planned")
        fig.add_trace(plan.update(line_dash="dash"))
    if projected:
        ahead = go.Scatter(
            x=[p[0] for p in projected], y=[p[1] for p in projected], mode="lines", name="Projected"
        )
        fig.add_trace(ahead.update(line_dash="dot"))
    fig.add_hline(
        y=budget, line_dash="dot", line_color=COLORS[-1], annotation_text="Budget", opacity=0.7
    )
    fig.update_xaxes(tickformat="%b %d", dtick=86_400_000 if len(days) <= 14 else None)
    return _layout(fig, y_title="Spend", money=True, height=height)


def series_lines(
    series: Mapping[str, Sequence[tuple[datetime, float]]],
    *,
    y_title: str,
    empty_text: str,
    height: int = 340,
) -> go.Figure:
    """One line per name over time buckets (campaigns' impressions, say)."""
    fig = go.Figure()
    for name, points in series.items():
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in points], y=[p[1] for p in points], mode="lines+markers", name=name
            )
        )
    if not any(value for points in series.values() for _, value in points):
        _empty_note(fig, empty_text)
        fig.update_yaxes(range=[0, 1])
    return _layout(fig, y_title=y_title, money=False, height=height)


def share_bars(
    labels: Sequence[str], values: Sequence[int], shares: Sequence[float], *, x_title: str
) -> go.Figure:
    """Horizontal bars in the given order, top down, each labelled with its share."""
    fig = go.Figure(
        go.Bar(
            x=list(values),
            y=list(labels),
            orientation="h",
            marker_color=COLORS[0],
            text=[f"{share:.0%}" for share in shares],
            textposition="auto",
            hovertemplate="%{y}<br>%{x:,} (%{text})<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    _layout(fig, y_title="", money=False, height=60 + 34 * len(labels), hovermode="closest")
    fig.update_xaxes(title=x_title, rangemode="tozero")
    return fig


def comparison_bar(
    names: Sequence[str], values: Sequence[float], *, y_title: str, money: bool, height: int = 340
) -> go.Figure:
    """Campaigns side by side on one metric, largest first."""
    ordered = sorted(zip(names, values, strict=True), key=lambda pair: pair[1], reverse=True)
    fig = go.Figure(
        go.Bar(
            x=[n for n, _ in ordered],
            y=[v for _, v in ordered],
            marker_color=COLORS[0],
            hovertemplate="%{x}<br>%{y:,.2f}<extra></extra>" if money else None,
        )
    )
    return _layout(fig, y_title=y_title, money=money, height=height, hovermode="closest")


def fill_bars(
    buckets: Sequence[datetime],
    paid: Sequence[int],
    house: Sequence[int],
    empty: Sequence[int],
    *,
    daily: bool = False,
    height: int = 300,
) -> go.Figure:
    """Ad requests per hour (or per day), stacked by how they were answered: a paid ad, house
    ads only, or no ad at all."""
    fig = go.Figure()
    for name, values, color in (
        ("Paid ad", paid, COLORS[1]),
        ("House ads only", house, COLORS[0]),
        ("No fill", empty, COLORS[6]),
    ):
        fig.add_trace(go.Bar(x=list(buckets), y=list(values), name=name, marker_color=color))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat="%b %d" if daily else "%H:%M\n%b %d")
    if not any(paid) and not any(house) and not any(empty):
        _empty_note(fig, "No ad requests yet")
        fig.update_yaxes(range=[0, 1])
    return _layout(fig, y_title="Ad requests", money=False, height=height)
