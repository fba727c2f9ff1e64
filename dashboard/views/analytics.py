"""Analytics: performance per campaign and per advertiser over a date range, two charts and a
CSV export."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import streamlit as st

from dashboard import charts, formatting, metrics, session
from dashboard.api_client import AdminApi, ApiError, Granularity
from dashboard.models import PerformanceRow

MAX_LINES = 5
_METRICS: dict[str, tuple[str, bool]] = {
    "Impressions": ("impressions", False),
    "Spend": ("spend", True),
    "Completes": ("completes", False),
    "Clicks": ("clicks", False),
}


def _date_range() -> tuple[datetime, datetime] | None:
    """The chosen days as ``[start, end)`` in UTC, or ``None`` while only a start is picked."""
    today = datetime.now(UTC).date()
    picked = st.date_input(
        "Date range (UTC)",
        value=(today - timedelta(days=6), today),
        max_value=today,
        key="analytics-range",
        width=320,
    )
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.caption("Pick the last day of the range.")
        return None
    first, last = picked
    return _midnight(first), _midnight(last + timedelta(days=1))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _totals(rows: list[PerformanceRow]) -> None:
    impressions = sum(r.impressions for r in rows)
    spend = sum(r.spend for r in rows)
    vcr = _ratio(sum(r.completes for r in rows), impressions)
    ctr = _ratio(sum(r.clicks for r in rows), impressions)
    with st.container(horizontal=True, key="analytics-totals"):
        st.metric("Impressions", formatting.count(impressions), border=True)
        st.metric("Completion rate", formatting.percent(vcr), border=True)
        st.metric("Click-through rate", formatting.percent(ctr), border=True)
        st.metric("Spend", formatting.money(spend), border=True)
        st.metric("eCPM", formatting.money(_ratio(spend * 1000, impressions)), border=True)


def _delivery_columns() -> dict[str, Any]:
    """How both tables show impressions, rates and money."""
    return {
        "Impressions": st.column_config.NumberColumn(format="localized"),
        "VCR": st.column_config.NumberColumn(format="percent", help="Video completion rate"),
        "CTR": st.column_config.NumberColumn(format="percent", help="Click-through rate"),
        "Spend": st.column_config.NumberColumn(format="dollar"),
        "eCPM": st.column_config.NumberColumn(format="dollar", help="Spend per 1,000 impressions"),
    }


def _table(rows: list[PerformanceRow]) -> None:
    if any(r.reach is None for r in rows):
        st.caption(
            "Reach and frequency are left out: counting devices over this range took too long. "
            "Each campaign's page shows its own."
        )
    st.dataframe(
        [
            {
                "Campaign": r.name,
                "Advertiser": r.advertiser or "",
                "Status": r.status.capitalize(),
                "Priority": formatting.PRIORITY[r.priority].label,
                "Impressions": r.impressions,
                "Filtered": r.invalid_impressions,
                "Completes": r.completes,
                "Clicks": r.clicks,
                "Reach": r.reach,
                "Frequency": r.frequency or None,
                "VCR": r.vcr,
                "CTR": r.ctr,
                "Spend": r.spend,
                "eCPM": r.ecpm,
                "Budget remaining": r.budget_remaining,
            }
            for r in rows
        ],
        hide_index=True,
        key="performance-table",
        column_config={
            "Campaign": st.column_config.TextColumn(width="medium", pinned=True),
            "Filtered": st.column_config.NumberColumn(
                format="localized", help=metrics.INVALID_TRAFFIC_HELP
            ),
            "Completes": st.column_config.NumberColumn(format="localized"),
            "Clicks": st.column_config.NumberColumn(format="localized"),
            "Reach": st.column_config.NumberColumn(format="localized", help=metrics.REACH_HELP),
            "Frequency": st.column_config.NumberColumn(format="%.1fx", help=metrics.FREQUENCY_HELP),
            **_delivery_columns(),
            "Budget remaining": st.column_config.NumberColumn(format="dollar"),
        },
    )


def _advertisers(rows: list[PerformanceRow]) -> None:
    if not any(r.advertiser for r in rows):
        return
    st.subheader("By advertiser")
    st.dataframe(
        [
            {
                "Advertiser": f.advertiser,
                "Campaigns": f.campaigns,
                "Impressions": f.impressions,
                "VCR": f.vcr,
                "CTR": f.ctr,
                "Spend": f.spend,
                "eCPM": f.ecpm,
            }
            for f in metrics.by_advertiser(rows)
        ],
        hide_index=True,
        key="advertiser-table",
        column_config={
            "Advertiser": st.column_config.TextColumn(width="medium", pinned=True),
            **_delivery_columns(),
        },
    )


def _over_time(api: AdminApi, rows: list[PerformanceRow], start: datetime, end: datetime) -> None:
    st.subheader("Impressions over time")
    ranked = sorted(rows, key=lambda r: r.impressions, reverse=True)
    by_name = {f"{r.name} ({str(r.campaign_id)[:8]})": r for r in ranked}
    chosen = st.multiselect(
        "Campaigns", list(by_name), default=list(by_name)[:MAX_LINES], max_selections=MAX_LINES
    )
    granularity: Granularity = "hour" if end - start <= timedelta(days=2) else "day"
    series: dict[str, list[tuple[datetime, float]]] = {}
    for label in chosen:
        try:
            stats = api.campaign_stats(
                by_name[label].campaign_id, start=start, end=end, granularity=granularity
            )
        except ApiError as exc:
            if exc.status != 404:
                raise
            break
        series[by_name[label].name] = [(p.bucket, float(p.impressions)) for p in stats.series]
    figure = charts.series_lines(series, y_title="Impressions", empty_text="No impressions yet")
    st.plotly_chart(figure, config=charts.CONFIG, key="analytics-over-time")


def _comparison(rows: list[PerformanceRow]) -> None:
    st.subheader("Campaign comparison")
    label = st.segmented_control("Metric", list(_METRICS), default="Impressions", key="compare-by")
    field, money = _METRICS[label or "Impressions"]
    values = [float(getattr(r, field)) for r in rows]
    figure = charts.comparison_bar([r.name for r in rows], values, y_title=label or "", money=money)
    st.plotly_chart(figure, config=charts.CONFIG, key="analytics-comparison")


def render() -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.title("Analytics")
        st.button("Refresh", icon=":material/refresh:", key="analytics-refresh")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        window = _date_range()
        wanted = st.text_input(
            "Filter campaigns",
            placeholder="Part of a name or advertiser",
            icon=":material/filter_list:",
            width=320,
        )
    if window is None:
        return
    start, end = window
    api = session.api()
    rows, live = metrics.performance(api, start=start, end=end)
    if not rows:
        st.info("No campaigns yet: performance appears here once campaigns deliver.")
        return
    needle = wanted.strip().casefold()
    rows = [
        r for r in rows if needle in r.name.casefold() or needle in (r.advertiser or "").casefold()
    ]
    if not rows:
        st.info("No campaign matches this filter.")
        return
    if not live:
        st.info(
            "Delivery figures appear once ad serving and beacon tracking are live; "
            "until then the table lists your campaigns and their budgets.",
            icon=":material/info:",
        )
    _totals(rows)
    with st.container(key="analytics-table"):
        _table(rows)
    if live:
        st.download_button(
            "Export CSV",
            api.performance_csv(start=start, end=end),
            file_name=f"performance-{start:%Y%m%d}-{end - timedelta(days=1):%Y%m%d}.csv",
            mime="text/csv",
            icon=":material/download:",
            help="Every campaign in the date range, as the API reports it.",
        )
    _advertisers(rows)
    left, right = st.columns(2, gap="large")
    with left:
        _over_time(api, rows, start, end)
    with right:
        _comparison(rows)


if __name__ == "__main__":
    render()
