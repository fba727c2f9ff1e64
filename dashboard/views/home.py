"""Home: key figures, the last 7 days of impressions, campaigns behind plan, projected to fall
short of their budget or ending soon, ad requests and fill, recent campaigns, quick actions and
the ad-break tag for publishers' players."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ads.decision import MAX_AD_DURATION_S, MAX_POD_ADS
from ads.roles import Role
from ads.separation import TIER1_CATEGORIES
from ads.vast import VastVersion
from ads.vmap import MAX_BREAKS, MAX_CONTENT_S
from config.settings import get_settings
from dashboard import charts, formatting, metrics, session
from dashboard import components as ui
from dashboard.api_client import ApiError
from dashboard.models import (
    BehindPlan,
    DashboardTotals,
    EndingSoon,
    FailingPlayback,
    FallingShort,
)
from dashboard.tags import vast_tag_url, vmap_tag_url

RECENT = 5


def _metric_cards(totals: DashboardTotals, *, live: bool) -> None:
    with st.container(key="home-metrics", horizontal=True):
        st.metric("Total campaigns", formatting.count(totals.campaigns), border=True)
        st.metric("Active campaigns", formatting.count(totals.active_campaigns), border=True)
        st.metric(
            "Impressions",
            formatting.count(totals.impressions),
            border=True,
            help=None if live else "Counted once ad serving and beacon tracking are live.",
        )
        st.metric("Spend", formatting.money(totals.spend), border=True)


# The inventory ranges: the last hours hour by hour, or the last days day by day.
INVENTORY_RANGES = {"24 hours": (24, None), "30 days": (None, 30), "1 year": (None, 365)}


def _inventory() -> None:
    """Ad requests and how many were filled, over a chosen range: the publisher's side."""
    title, choice = st.columns([3, 2], vertical_alignment="bottom")
    picked = choice.segmented_control(
        "Range",
        list(INVENTORY_RANGES),
        default="24 hours",
        key="home-inventory-range",
        label_visibility="collapsed",
    )
    span = picked or "24 hours"
    title.subheader(f"Ad requests, last {span}")
    hours, days = INVENTORY_RANGES[span]
    try:
        report = session.api().inventory(hours=hours, days=days)
    except ApiError as exc:  # the rest of Home still shows
        st.info(f"Ad request counts are unavailable right now ({formatting.md(exc.message)}).")
        return
    totals = report.totals
    with st.container(key="home-inventory", horizontal=True):
        st.metric(
            "Ad requests",
            formatting.count(totals.requests),
            border=True,
            help=f"Valid ad requests, JSON and VAST. Left out: {formatting.count(totals.robots)} "
            f"from robots (answered with no ad) and {formatting.count(totals.invalid)} refused "
            "as malformed.",
        )
        st.metric(
            "Fill rate",
            formatting.percent(totals.fill_rate),
            border=True,
            help="Share of valid ad requests answered with at least one ad.",
        )
        st.metric(
            "Paid fill rate",
            formatting.percent(totals.paid_fill_rate),
            border=True,
            help="Share of valid ad requests answered with at least one paid (not house) ad.",
        )
        st.metric(
            "House ads",
            formatting.count(totals.house_ads),
            border=True,
            help="Ads of house campaigns: the publisher's own promos, in breaks no paid "
            "campaign could fill.",
        )
    series = report.series
    figure = charts.fill_bars(
        [p.bucket for p in series if p.bucket is not None],
        [p.paid_filled for p in series],
        [p.filled - p.paid_filled for p in series],
        [p.no_fill for p in series],
        daily=days is not None,
    )
    st.plotly_chart(figure, config=charts.CONFIG, key="home-inventory-chart")


def _quick_actions() -> None:
    st.subheader("Quick actions")
    if session.can_edit():
        st.page_link(ui.CAMPAIGN_FORM, label="Create a campaign", icon=":material/add_circle:")
        st.page_link(ui.CAMPAIGN, label="Upload a creative", icon=":material/upload:")
    st.page_link(ui.CAMPAIGNS, label="Manage campaigns", icon=":material/campaign:")
    st.page_link(ui.ANALYTICS, label="See performance", icon=":material/monitoring:")
    if session.role() is Role.ADMIN:
        waiting = len(session.api().review_queue())
        if waiting:
            noun = "creative waits" if waiting == 1 else "creatives wait"
            st.page_link(
                ui.REVIEWS,
                label=f"{waiting} {noun} for your review",
                icon=":material/fact_check:",
            )


def _ad_break_tag() -> None:
    st.subheader("Ad-break tag")
    st.caption(
        "One VAST 4.x tag for a player's ad breaks: each request gets a pod of ads from every "
        "active campaign, all of it within the break's length, never two ads of one advertiser "
        "or one category family in a break."
    )
    with st.container(horizontal=True):
        seconds = st.number_input(
            "Break length (seconds)",
            min_value=5,
            max_value=MAX_AD_DURATION_S,
            value=120,
            step=15,
            key="break-tag-seconds",
            width=240,
        )
        ads = st.number_input(
            "Ads per break, at most",
            min_value=1,
            max_value=MAX_POD_ADS,
            value=4,
            key="break-tag-ads",
            width=240,
        )
    blocked_column, content_column = st.columns(2)
    blocked = blocked_column.multiselect(
        "Keep these categories out (e.g. for a kids' app)",
        list(TIER1_CATEGORIES),
        format_func=formatting.category,
        key="break-tag-blocked",
        placeholder="No category blocked",
    )
    content = content_column.multiselect(
        "What plays around these breaks (e.g. a sports channel)",
        list(TIER1_CATEGORIES),
        format_func=formatting.category,
        key="break-tag-content",
        placeholder="Not said",
        help="The content's IAB categories, for campaigns targeted to content (contextual). "
        "Use one tag per channel or show type.",
    )
    kids = st.checkbox(
        "A child-directed app (COPPA)",
        key="break-tag-coppa",
        help="Adds coppa=1: no advertising id is used for these breaks, and campaigns kept out "
        "of kids' apps are not served.",
    )
    version = ui.vast_version_picker(key="break-tag-version")
    url = vast_tag_url(
        get_settings().public_base_url,
        max_duration_s=int(seconds),
        max_ads=int(ads),
        blocked_categories=blocked,
        content_categories=content,
        child_directed=kids,
        vast_version=version,
    )
    ui.tag_box(url, key="break-tag")
    _programme_tag(int(seconds), int(ads), blocked, content, kids=kids, version=version)


def _programme_tag(
    seconds: int,
    ads: int,
    blocked: list[str],
    content: list[str],
    *,
    kids: bool,
    version: VastVersion | None,
) -> None:
    """The VMAP tag of a whole programme whose breaks are the ad-break tag's."""
    st.markdown(
        "**Whole programme (VMAP)**: players of long-form content ask once per episode or "
        "film and get its ad breaks, each one the ad-break tag above, fetched when it comes."
    )
    with st.container(horizontal=True, vertical_alignment="bottom"):
        minutes = st.number_input(
            "Programme length (minutes)",
            min_value=1,
            max_value=MAX_CONTENT_S // 60 - 1,
            value=45,
            key="vmap-minutes",
            width=240,
        )
        every = st.number_input(
            "A mid-roll every (minutes; 0: none)",
            min_value=0,
            max_value=MAX_CONTENT_S // 60 - 1,
            value=15,
            key="vmap-every",
            width=240,
        )
        preroll = st.checkbox("Pre-roll", value=True, key="vmap-preroll")
        postroll = st.checkbox("Post-roll", value=True, key="vmap-postroll")
    midrolls = (int(minutes) - 1) // int(every) if every else 0
    breaks = midrolls + preroll + postroll
    if not 0 < breaks <= MAX_BREAKS:
        st.warning(f"A programme holds 1 to {MAX_BREAKS} ad breaks; this one {breaks}.")
        return
    url = vmap_tag_url(
        get_settings().public_base_url,
        content_minutes=int(minutes),
        midroll_every_minutes=int(every),
        preroll=preroll,
        postroll=postroll,
        break_s=seconds,
        max_ads=ads,
        blocked_categories=blocked,
        content_categories=content,
        child_directed=kids,
        vast_version=version,
    )
    ui.tag_box(url, key="vmap-tag", caption=f"{breaks} ad breaks")


def _behind_plan(behind: list[BehindPlan]) -> None:
    """Active campaigns whose spend lags their even plan: what needs a look first."""
    if not behind:
        return
    st.subheader("Behind plan")
    for campaign in behind:
        st.warning(
            f"**{formatting.md(campaign.name)}** has spent "
            f"{formatting.money(campaign.budget_spent)} of the "
            f"{formatting.money(campaign.budget_planned)} planned by now "
            f"({formatting.percent(campaign.pace)}): check its targeting, caps, dayparts and "
            "creatives, or the players' requests.",
            icon=":material/trending_down:",
        )
        st.page_link(
            ui.CAMPAIGN,
            label="Open campaign",
            query_params={"id": str(campaign.id)},
            icon=":material/open_in_new:",
        )


@contextmanager
def _campaign_row(campaign_id: uuid.UUID, name: str, *, icon: str) -> Iterator[None]:
    """A bordered row opening with the campaign's name, a link to its page; what the block
    writes follows on the row."""
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        st.page_link(
            ui.CAMPAIGN,
            label=formatting.md(name),
            icon=icon,
            query_params={"id": str(campaign_id)},
            width="stretch",
        )
        yield


def _failing_playback(failing: list[FailingPlayback]) -> None:
    """Active campaigns whose ads players keep failing to play: lost delivery until a
    rendition, a codec or a CDN is fixed."""
    if not failing:
        return
    st.subheader("Players failing")
    for campaign in failing:
        with _campaign_row(campaign.id, campaign.name, icon=":material/error:"):
            st.caption(
                f"since {formatting.moment(campaign.failing_since)} · its player errors say "
                "which code and what helps"
            )


def _ending_soon(ending: list[EndingSoon]) -> None:
    """Active campaigns whose flight ends within days: a last look at delivery, or an
    extension to agree with the advertiser."""
    if not ending:
        return
    st.subheader("Ending soon")
    for campaign in ending:
        share = campaign.budget_spent / campaign.budget_total if campaign.budget_total else 0.0
        with _campaign_row(campaign.id, campaign.name, icon=":material/event_busy:"):
            st.caption(
                f"ends {formatting.moment(campaign.end_date)} · "
                f"{formatting.money(campaign.budget_spent)} of "
                f"{formatting.money(campaign.budget_total)} spent ({formatting.percent(share)})"
            )


def _falling_short(short: list[FallingShort]) -> None:
    """Active campaigns whose last day's rate leaves budget unspent at their end date: time to
    widen their targeting or raise their bid while there are days left."""
    if not short:
        return
    st.subheader("Projected to fall short")
    for campaign in short:
        with _campaign_row(campaign.id, campaign.name, icon=":material/hourglass_bottom:"):
            st.caption(
                f"{formatting.money(campaign.spend_at_end)} of "
                f"{formatting.money(campaign.budget_total)} by the end date "
                f"({formatting.percent(campaign.share_of_budget)}) at the last day's rate"
            )


def _recent_campaigns() -> None:
    st.subheader("Recent campaigns")
    page = session.api().list_campaigns(limit=RECENT)
    if not page.campaigns:
        st.info("No campaigns yet. Create your first one to start delivering ads.")
        return
    for campaign in page.campaigns:
        with _campaign_row(campaign.id, campaign.name, icon=":material/movie:"):
            ui.campaign_badge(campaign.status)
            st.caption(
                f"{formatting.money(campaign.budget_spent)} of "
                f"{formatting.money(campaign.budget_total)} · "
                f"{formatting.day(campaign.start_date)} to {formatting.day(campaign.end_date)}"
            )


def render() -> None:
    st.title("Home")
    summary, live = metrics.overview(session.api())
    _metric_cards(summary.totals, live=live)

    chart, actions = st.columns([2, 1], gap="large")
    with chart:
        st.subheader("Impressions, last 7 days")
        figure = charts.daily_line(
            [d.day for d in summary.series],
            [d.impressions for d in summary.series],
            y_title="Impressions",
            empty_text="No impressions yet",
        )
        st.plotly_chart(figure, config=charts.CONFIG, key="home-impressions")
        if not live:
            st.caption("Delivery figures appear once ad serving and beacon tracking are live.")
    with actions:
        _quick_actions()
        if summary.top_campaigns:
            st.subheader("Top campaigns")
            for top in summary.top_campaigns:
                unit = "impression" if top.impressions == 1 else "impressions"
                st.markdown(
                    f"**{formatting.md(top.name)}**: {formatting.count(top.impressions)} {unit}, "
                    f"{formatting.money(top.spend)}"
                )
    _failing_playback(summary.failing_playback)
    _behind_plan(summary.behind_plan)
    _falling_short(summary.falling_short)
    _ending_soon(summary.ending_soon)
    _inventory()
    _recent_campaigns()
    _ad_break_tag()


if __name__ == "__main__":
    render()
