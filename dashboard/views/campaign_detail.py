"""One campaign (``?id=``): facts, status actions, budget, delivery, VAST tag, creatives and
change history."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import streamlit as st

from ads import delivery_alerts, event_log, playback_alerts
from ads.campaigns import CampaignStatus
from ads.dayparts import Daypart, describe
from ads.decision import MAX_AD_DURATION_S
from ads.history import completion_note, processed_text
from ads.projection import SHORT_OF_BUDGET
from ads.serving_check import Verdict
from config.settings import get_settings
from dashboard import (
    charts,
    creatives_panel,
    delivery_hours,
    forecast_panel,
    formatting,
    metrics,
    player_errors,
    session,
)
from dashboard import components as ui
from dashboard.api_client import AdminApi, ApiError
from dashboard.delivery_range import DeliveryRange, RangeChoice, delivery_range
from dashboard.models import Campaign, CampaignChange, CampaignPace, SpendProjection
from dashboard.tags import vast_tag_url
from dashboard.views.campaign_form import LABELS, key_value_lines

# Countries in the campaign's place chart (the rest are counted in a caption).
PLACES_CHARTED = 10


def _pick_campaign(api: AdminApi) -> None:
    st.title("Campaign")
    campaigns = metrics.all_campaigns(api)
    if not campaigns:
        st.info("No campaigns yet.")
        if session.can_edit():
            st.page_link(ui.CAMPAIGN_FORM, label="Create a campaign", icon=":material/add_circle:")
        return
    chosen = st.selectbox(
        "Choose a campaign",
        campaigns,
        index=None,
        format_func=lambda c: c.name,
        placeholder="Campaign name",
    )
    if chosen is not None:
        st.query_params["id"] = str(chosen.id)
        st.rerun()


def _header(api: AdminApi, campaign: Campaign) -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.title(formatting.md(campaign.name), width="content")
        ui.campaign_badge(campaign.status)
    st.caption(f"Campaign {campaign.id}")
    if not session.can_edit():
        return
    with st.container(horizontal=True, key="status-actions"):
        for target in ui.next_statuses(campaign.status):
            label, icon = ui.action_label(campaign.status, target)
            if target is CampaignStatus.COMPLETED:
                with st.popover(label, icon=icon):
                    st.markdown("Completing is final: the campaign stops serving for good.")
                    if st.button("Complete campaign", type="primary", key="confirm-complete"):
                        ui.change_status(api, campaign, target)
            elif st.button(label, icon=icon, type="primary", key=f"status-{target.value}"):
                ui.change_status(api, campaign, target)
        st.page_link(
            ui.CAMPAIGN_FORM,
            label="Edit",
            icon=":material/edit:",
            query_params={"id": str(campaign.id)},
        )
        st.page_link(
            ui.CAMPAIGN_FORM,
            label="Duplicate",
            icon=":material/content_copy:",
            query_params={"copy": str(campaign.id)},
            help="A new draft with this campaign's settings (not its creatives)",
        )
        with st.popover("Delete", icon=":material/delete:"):
            st.markdown("Delete this campaign and its creatives? This cannot be undone.")
            if st.button("Delete campaign", type="primary", key="confirm-delete-campaign"):
                api.delete_campaign(campaign.id)
                session.notify(f"Campaign {formatting.quoted(campaign.name)} deleted.")
                st.switch_page(ui.CAMPAIGNS)


_CHECK_LABELS = {
    "status": "Status",
    "catalog": "Ad servers' copy",
    "flight": "Flight dates",
    "daypart": "Hours",
    "budget": "Budget",
    "daily_cap": "Daily cap",
    "pacing": "Pacing",
    "creatives": "Creatives",
    "targeting": "Targeting",
    "frequency_cap": "Frequency cap",
    "priority": "Priority",
    "delivery": "Delivery",
    "player_errors": "Player errors",
}
_VERDICT_ICONS = {
    Verdict.OK: ":green[:material/check_circle:]",
    Verdict.LIMITED: ":orange[:material/filter_alt:]",
    Verdict.BLOCKED: ":red[:material/block:]",
}


def _serving_check(api: AdminApi, campaign: Campaign) -> None:
    """Whether it can serve right now, and every condition that decides it."""
    check = api.serving_check(campaign.id)
    limited = any(c.verdict is Verdict.LIMITED for c in check.checks)
    summary = formatting.md(check.summary)
    if not check.serving:
        st.error(summary, icon=":material/block:")
    elif limited:
        st.warning(summary, icon=":material/filter_alt:")
    else:
        st.success(summary, icon=":material/play_circle:")
    with st.expander("Serving check"):
        for c in check.checks:
            label = _CHECK_LABELS.get(c.key, c.key)
            st.markdown(f"{_VERDICT_ICONS[c.verdict]} **{label}**: {formatting.md(c.detail)}")
        st.caption(
            "Read from the campaign as the ad servers see it, at "
            f"{check.checked_at:%H:%M:%S} UTC. Limited: only some requests or some of the time."
        )


def _budget(campaign: Campaign) -> None:
    with st.container(horizontal=True, key="campaign-budget"):
        st.metric("Budget", formatting.money(campaign.budget_total), border=True)
        st.metric("Spent", formatting.money(campaign.budget_spent), border=True)
        st.metric("Remaining", formatting.money(campaign.budget_remaining), border=True)
        st.metric("CPM", formatting.money(campaign.cpm), border=True)
    share = float(campaign.budget_spent / campaign.budget_total) if campaign.budget_total else 0.0
    st.progress(
        min(share, 1.0),
        text=f"{formatting.money(campaign.budget_spent)} of "
        f"{formatting.money(campaign.budget_total)} spent ({formatting.percent(share)})",
    )


def _categories(codes: list[str]) -> str:
    """``IAB2 · Automotive, IAB2-3 · Automotive`` (escaped), or ``—``."""
    return formatting.md(", ".join(map(formatting.category, codes))) if codes else "—"


def _content(codes: list[str]) -> str:
    return _categories(codes) if codes else "any"


def _key_values(keys: dict[str, list[str]]) -> str:
    """``genre: comedy or drama · live: true``, or that any request will do."""
    if not keys:
        return "any"
    return " · ".join(
        f"{formatting.md(key)}: {' or '.join(formatting.md(v) for v in values)}"
        for key, values in keys.items()
    )


def _places(codes: list[str]) -> str:
    """``California, US · Germany``, or that the campaign runs everywhere."""
    return " · ".join(map(formatting.place, codes)) if codes else "everywhere"


def _apps(bundles: list[str]) -> str:
    """The app bundles a campaign is limited to, as code (a bundle holds no backtick), or that
    it runs in every app."""
    return ", ".join(f"`{bundle}`" for bundle in bundles) if bundles else "every app"


def _platforms(names: Sequence[str]) -> str:
    """``Roku, Amazon Fire TV``, or that the campaign plays on every device."""
    return ", ".join(map(formatting.platform, names)) if names else "every device"


def _trackers(campaign: Campaign) -> str:
    """``2 impression, 1 click`` (the URLs are on the edit form), or ``none``."""
    counts = [
        f"{len(urls)} {kind}"
        for kind, urls in (
            ("impression", campaign.impression_trackers),
            ("click", campaign.click_trackers),
        )
        if urls
    ]
    return ", ".join(counts) or "none"


def _daypart(campaign: Campaign) -> str:
    """``Mon-Fri 18:00-23:00 (America/New_York)``, or that it runs all the time."""
    if not campaign.daypart_hours:
        return "all day, every day"
    return describe(Daypart(frozenset(campaign.daypart_hours), campaign.timezone))


def _paid_by(campaign: Campaign) -> str:
    """Who pays, as the ads' "why this ad" page names it (the advertiser unless set)."""
    if campaign.paid_by:
        return formatting.md(campaign.paid_by)
    return "the advertiser" if campaign.advertiser else "—"


def _ad_info(campaign: Campaign) -> str:
    """A link to the page each ad's information icon opens for viewers."""
    if campaign.ad_info_url is None:
        return "no icon on the ads (AD_INFO_ICON is off)"
    return f"[the page viewers see]({campaign.ad_info_url})"


def _frequency_cap(campaign: Campaign) -> str:
    """``3 ads per device every 24 h`` (or ``per household``), or ``—``."""
    ads, hours = campaign.frequency_cap_ads, campaign.frequency_cap_hours
    if ads is None or hours is None:
        return "—"
    return f"{ads} ad{'' if ads == 1 else 's'} per {campaign.frequency_cap_scope} every {hours} h"


def _facts(campaign: Campaign) -> None:
    left, right = st.columns(2, gap="large")
    with left:
        advertiser = campaign.advertiser
        st.markdown(
            f"**Flight** {formatting.moment(campaign.start_date)} → "
            f"{formatting.moment(campaign.end_date)}  \n"
            f"**Priority** {formatting.PRIORITY[campaign.priority].label}  \n"
            f"**Pacing** {formatting.PACING[campaign.pacing]}  \n"
            f"**Daily cap** {formatting.money(campaign.daily_cap)}  \n"
            f"**Frequency cap** {_frequency_cap(campaign)}  \n"
            f"**Dayparts** {_daypart(campaign)}  \n"
            f"**Advertiser** {formatting.md(advertiser) if advertiser else '—'}  \n"
            f"**Paid for by** {_paid_by(campaign)}  \n"
            f"**Why this ad** {_ad_info(campaign)}"
        )
    with right:
        url = campaign.click_through_url
        st.markdown(
            f"**Click-through** {formatting.md(url) if url else '—'}  \n"
            f"**Created** {formatting.moment(campaign.created_at)}  \n"
            f"**Updated** {formatting.moment(campaign.updated_at)}  \n"
            f"**Categories** {_categories(campaign.categories)}  \n"
            f"**Apps** {_apps(campaign.target_apps)}  \n"
            f"**Platforms** {_platforms(campaign.target_platforms)}  \n"
            f"**Content** {_content(campaign.target_content)}  \n"
            f"**Places** {_places(campaign.target_geo)}  \n"
            f"**Key-values** {_key_values(campaign.target_keys)}  \n"
            f"**Kids' apps** {'kept out' if campaign.exclude_child_directed else 'allowed'}  \n"
            f"**Position** {'first in the break' if campaign.first_in_break else 'any'}  \n"
            f"**Third-party trackers** {_trackers(campaign)}  \n"
            f"**Verification** {', '.join(v.vendor for v in campaign.verifications) or 'none'}"
        )
    if campaign.description:
        st.markdown(formatting.md(campaign.description))


def _delivery(api: AdminApi, campaign: Campaign) -> None:
    st.subheader("Delivery")
    if campaign.behind_plan_since is not None and campaign.status == CampaignStatus.ACTIVE:
        st.warning(
            f"Behind its pacing plan since {formatting.moment(campaign.behind_plan_since)}: "
            "the serving check above says what holds it back, the spend curve below how far.",
            icon=":material/trending_down:",
        )
    if campaign.failing_since is not None and campaign.status == CampaignStatus.ACTIVE:
        st.warning(
            "Players have been failing to play its ads since "
            f"{formatting.moment(campaign.failing_since)}: the player errors below say which "
            "error code and what helps.",
            icon=":material/error:",
        )
    shown = _delivery_range(campaign)
    start, end = shown.start, shown.end
    try:
        stats = api.campaign_stats(
            campaign.id, start=start, end=end, granularity="hour" if shown.hourly else "day"
        )
    except ApiError as exc:
        if exc.status != 404:
            raise
        st.caption("Delivery figures appear once ad serving and beacon tracking are live.")
        return
    t = stats.totals
    with st.container(horizontal=True, key="campaign-delivery"):
        st.metric("Impressions", formatting.count(t.impressions), border=True)
        st.metric("Reach", formatting.count(t.reach), help=metrics.REACH_HELP, border=True)
        st.metric(
            "Frequency",
            formatting.frequency(t.frequency),
            help=metrics.FREQUENCY_HELP,
            border=True,
        )
        st.metric("Completion rate", formatting.percent(t.vcr), border=True)
        st.metric("Click-through rate", formatting.percent(t.ctr), border=True)
        st.metric("Spend", formatting.money(t.spend), border=True)
        st.metric("eCPM", formatting.money(t.ecpm), border=True)
        if t.budget_planned and t.budget_spent is not None:
            _pace(t.budget_spent, t.budget_planned)
    impressions, spend = st.columns(2, gap="large")
    if stats.series:
        figure = (
            charts.series_lines(
                {"Impressions": [(p.bucket, p.impressions) for p in stats.series]},
                y_title="Impressions",
                empty_text="No impressions this day",
                height=280,
            )
            if shown.hourly
            else charts.daily_line(
                [p.bucket.date() for p in stats.series],
                [p.impressions for p in stats.series],
                y_title="Impressions",
                empty_text="No impressions yet",
                height=280,
            )
        )
        impressions.plotly_chart(figure, config=charts.CONFIG, key="campaign-delivery-chart")
    with spend:
        _spend_against_plan(api, campaign)
    if t.impressions:
        platforms, creatives = st.columns(2, gap="large")
        with platforms:
            _platforms_played(api, campaign, start=start, end=end)
            _places_played(api, campaign, start=start, end=end)
        with creatives:
            _creatives_played(api, campaign, start=start, end=end)
        delivery_hours.render(api, campaign)
    _invalid_traffic(api, campaign, start=start, end=end)
    player_errors.render(api, campaign, start=start, end=end)
    _event_log(api, campaign)


def _delivery_range(campaign: Campaign) -> DeliveryRange:
    """The range the delivery figures cover, as picked above them (the flight to date unless
    another is picked; the choice stays while the user moves between campaigns)."""
    now = datetime.now(UTC)
    with st.container(horizontal=True, vertical_alignment="center", key="campaign-range-row"):
        choice = st.segmented_control(
            "Range",
            list(RangeChoice),
            default=RangeChoice.FLIGHT,
            key="campaign-delivery-range",
            label_visibility="collapsed",
        )
        picked = None
        if choice is RangeChoice.PICKED:
            today = now.date()
            days = st.date_input(
                "Days (UTC)",
                value=(today - timedelta(days=6), today),
                max_value=today,
                key="campaign-delivery-days",
                label_visibility="collapsed",
                width=240,
            )
            if isinstance(days, tuple) and len(days) == 2:
                picked = (days[0], days[1])
        shown = delivery_range(
            RangeChoice(choice or RangeChoice.FLIGHT),
            now=now,
            flight=(campaign.start_date, campaign.end_date),
            picked=picked,
        )
        st.caption(shown.label)
    return shown


def _event_log(api: AdminApi, campaign: Campaign) -> None:
    """The log-level download: the beacons of the served days picked (up to a month), for
    reconciling with the advertiser's counts."""
    today = datetime.now(UTC).date()
    first, last = campaign.start_date.date(), min(campaign.end_date.date(), today)
    if first > last:
        return
    with st.expander("Log-level data", icon=":material/table_rows:"):
        picked = st.date_input(
            "Days served (UTC)",
            value=(last, last),
            min_value=first,
            max_value=last,
            help=f"One day, or a range of up to {event_log.MAX_DAYS}.",
            key="event-log-days",
        )
        days = [d for d in (picked if isinstance(picked, tuple) else (picked,)) if d]
        if not days:
            return
        start, end = days[0], days[-1]
        if (end - start).days >= event_log.MAX_DAYS:
            st.warning(f"Pick at most {event_log.MAX_DAYS} days.", icon=":material/date_range:")
            return
        st.download_button(
            "Download the beacons (CSV)",
            data=functools.partial(api.campaign_events_csv, campaign.id, start, end),
            file_name=event_log.filename(campaign.id, start, end),
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
        )
        st.caption(
            "One row per beacon of the ads served those days, day by day: the counted ones, "
            "which add up to the day's figures, then those filtered as invalid traffic, with "
            "the reason. For days of millions of beacons, fetch "
            f"`GET /campaigns/{campaign.id}/events?day=&to=` with an API key (Team page)."
        )


def _spend_against_plan(api: AdminApi, campaign: Campaign) -> None:
    """The delivery curve: spend summed up day by day over the flight, against the plan's."""
    pace = api.campaign_pacing(campaign.id)
    figure = charts.pacing_lines(
        [d.day for d in pace.days],
        [d.spent for d in pace.days],
        [d.planned for d in pace.days],
        budget=pace.budget_total,
        projected=_projected_line(pace),
    )
    st.plotly_chart(figure, config=charts.CONFIG, key="campaign-pacing-chart")
    if pace.projection is not None:
        _projection(pace.projection, budget=pace.budget_total)


def _projected_line(pace: CampaignPace) -> list[tuple[date, float]]:
    """The projection's points on the spend curve: from today's spend to the end date's (the
    budget from the day it runs out, if it does)."""
    gone = [d for d in pace.days if d.spent is not None]
    if pace.projection is None or not gone:
        return []
    out_at, last_day = pace.projection.budget_spent_at, pace.days[-1].day
    line = [(gone[-1].day, gone[-1].spent or 0.0)]
    if out_at is not None:
        line.append((out_at.date(), pace.budget_total))
    return [*line, (last_day, pace.projection.spend_at_end)]


def _projection(projection: SpendProjection, *, budget: float) -> None:
    """Where the last 24 hours' rate takes the campaign: a warning when it falls short."""
    rate = f"At the last 24 hours' rate ({formatting.money(projection.basis_spend)} spent in them)"
    if projection.budget_spent_at is not None:
        st.info(
            f"{rate} the budget runs out {formatting.moment(projection.budget_spent_at)}, "
            "before the end date.",
            icon=":material/hourglass_bottom:",
        )
        return
    outlook = (
        f"{rate} it will spend {formatting.money(projection.spend_at_end)} of its "
        f"{formatting.money(budget)} budget by the end date "
        f"({formatting.percent(projection.share_of_budget)})."
    )
    if projection.share_of_budget < SHORT_OF_BUDGET:
        st.warning(outlook, icon=":material/trending_down:")
    else:
        st.caption(outlook)


def _pace(spent: float, planned: float) -> None:
    """Spend against what even pacing planned by now: 100% is on plan."""
    share = spent / planned
    st.metric(
        "Pace",
        formatting.percent(share),
        delta=f"{share - 1:+.0%} vs plan" if abs(share - 1) >= 0.005 else "on plan",
        delta_color="off" if abs(share - 1) < 0.05 else "normal",
        help=(
            f"Spent {formatting.money(spent)} of the {formatting.money(planned)} even pacing "
            "planned by now. Behind plan: too few requests or players (budget, dates, "
            "targeting, caps); the plan catches up over the days left."
        ),
        border=True,
    )


class _ShareRow(Protocol):
    """A row of a split of the impressions (by platform, by country)."""

    @property
    def label(self) -> str: ...
    @property
    def impressions(self) -> int: ...
    @property
    def share(self) -> float: ...


def _share_chart(title: str, about: str, rows: Sequence[_ShareRow] | None, *, key: str) -> bool:
    """``title``, then the rows as bars of their share of the impressions; False, saying why,
    when there are none (left out for time, or no longer kept)."""
    st.markdown(f"**{title}**", help=about)
    if rows is None:
        st.caption("Left out: reading the impressions took too long. Try again shortly.")
        return False
    if not rows:
        st.caption("Not known for this range: its impression events are no longer kept.")
        return False
    figure = charts.share_bars(
        [row.label for row in rows],
        [row.impressions for row in rows],
        [row.share for row in rows],
        x_title="Impressions",
    )
    st.plotly_chart(figure, config=charts.CONFIG, key=key)
    return True


def _platforms_played(api: AdminApi, campaign: Campaign, *, start: datetime, end: datetime) -> None:
    """Impressions by the platform their beacons came from (the players' User-Agents)."""
    split = api.campaign_platforms(campaign.id, start=start, end=end)
    key = "campaign-platforms-chart"
    _share_chart("Impressions by platform", metrics.PLATFORMS_HELP, split.rows, key=key)


def _places_played(api: AdminApi, campaign: Campaign, *, start: datetime, end: datetime) -> None:
    """Impressions by the country (and region) their beacons came from."""
    split = api.campaign_places(campaign.id, start=start, end=end)
    charted = None if split.rows is None else split.rows[:PLACES_CHARTED]
    if split.rows is None or not _share_chart(
        "Impressions by country", metrics.PLACES_HELP, charted, key="campaign-places-chart"
    ):
        return
    if len(split.rows) > PLACES_CHARTED:
        st.caption(f"And {len(split.rows) - PLACES_CHARTED} more places, fewer impressions each.")
    regions = [
        {"Country": row.label, "Region": region.label, "Impressions": region.impressions}
        for row in split.rows
        for region in row.regions
    ]
    if regions:
        with st.expander("By region"):
            st.dataframe(
                regions,
                hide_index=True,
                width="stretch",
                column_config={
                    "Impressions": st.column_config.NumberColumn(format="localized"),
                },
            )


def _creatives_played(api: AdminApi, campaign: Campaign, *, start: datetime, end: datetime) -> None:
    """Each creative's share of the impressions, completion and click-through rates (and skip
    rates, once some viewer skipped a skippable one)."""
    rows = api.creative_split(campaign.id, start=start, end=end)
    skipped = any(row.skips for row in rows)
    st.markdown("**Delivery by creative**", help=metrics.CREATIVES_HELP)
    st.dataframe(
        [
            {
                "Creative": "(deleted)" if row.name is None else row.name,
                "Impressions": row.impressions,
                "Share": row.share,
                "Completion rate": row.vcr,
                "Click-through rate": row.ctr,
                **({"Skip rate": row.skip_rate} if skipped else {}),
                "Spend": float(row.spend),
            }
            for row in rows
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "Impressions": st.column_config.NumberColumn(format="localized"),
            "Share": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
            "Completion rate": st.column_config.NumberColumn(format="percent"),
            "Click-through rate": st.column_config.NumberColumn(format="percent"),
            "Skip rate": st.column_config.NumberColumn(format="percent"),
            "Spend": st.column_config.NumberColumn(format="dollar"),
        },
    )


def _invalid_traffic(api: AdminApi, campaign: Campaign, *, start: datetime, end: datetime) -> None:
    """The beacons filtered out of the figures: how many, why, and who sent most of them."""
    filed = api.invalid_traffic(campaign.id, start=start, end=end)
    st.markdown("**Invalid traffic filtered**", help=metrics.INVALID_TRAFFIC_HELP)
    if not filed.invalid_events:
        st.caption("None in this range: every beacon came from a player.")
        return
    st.caption(
        f"{formatting.count(filed.invalid_impressions)} impressions "
        f"({formatting.percent(filed.invalid_share)} of those that arrived) and "
        f"{formatting.count(filed.invalid_events - filed.invalid_impressions)} other beacons "
        "were not counted or billed."
    )
    reasons, senders = st.columns(2, gap="large")
    number = st.column_config.NumberColumn(format="localized")
    with reasons:
        st.dataframe(
            [
                {"Reason": r.label, "Impressions": r.impressions, "All beacons": r.events}
                for r in filed.reasons
            ],
            hide_index=True,
            width="stretch",
            column_config={"Impressions": number, "All beacons": number},
            key="campaign-invalid-reasons",
        )
    with senders:
        st.dataframe(
            [
                {"Sent by (User-Agent)": a.user_agent or "(none)", "Beacons": a.events}
                for a in filed.agents
            ],
            hide_index=True,
            width="stretch",
            column_config={"Beacons": number},
            key="campaign-invalid-agents",
        )


def _vast_tag(campaign: Campaign) -> None:
    st.subheader("VAST tag")
    if campaign.status is not CampaignStatus.ACTIVE:
        st.info("The VAST tag is shown while the campaign is active.", icon=":material/info:")
        return
    with st.container(horizontal=True):
        longest = st.number_input(
            "Longest ad the player's slot takes (seconds; 0: any)",
            min_value=0,
            max_value=MAX_AD_DURATION_S,
            value=0,
            step=5,
            key="vast-tag-max-duration",
            help="Adds max_duration: creatives longer than this are not served through the tag.",
            width=360,
        )
        version = ui.vast_version_picker(key="vast-tag-version")
    url = vast_tag_url(
        get_settings().public_base_url,
        campaign.id,
        max_duration_s=int(longest),
        vast_version=version,
    )
    caption = "VAST 4.x URL for publishers — use the copy button at its right."
    ui.tag_box(url, key="vast-tag", caption=caption)
    with st.expander("How publishers use it"):
        st.markdown(
            "1. Copy the URL above.\n"
            "2. Paste it as the VAST tag of the video player (Video.js with IMA, JW Player, "
            "Brightcove, Google IMA SDK or any VAST 4 player).\n"
            "3. The player requests an ad at each break and fires the tracking beacons; "
            "impressions and completions show up on the Analytics page.\n"
            "4. Keep the bracketed IAB macros at the end (`ifa=[IFA]` to "
            "`vast_versions=[VASTVERSIONS]`): players that fill them put the device's "
            "advertising id (frequency caps and reach count by it), their app's bundle (app "
            "targeting matches it), fetching for a player its User-Agent (platform targeting "
            "reads it), the viewer's privacy choices (limit ad tracking, COPPA, GDPR "
            "consent: they decide whether the id may be used) and the VAST versions they "
            "take (the answer is in the newest of 4.0, 4.1 and 4.2 they list) there; left "
            "unfilled, they are ignored."
        )


def _history(api: AdminApi, campaign: Campaign) -> None:
    """Who changed the campaign and how, newest first."""
    try:
        history = api.campaign_history(campaign.id)
    except ApiError as exc:
        if exc.status != 404:
            raise
        return
    with st.expander(f"History ({len(history.changes)})", icon=":material/history:"):
        for change in history.changes:
            st.markdown(
                f"**{formatting.moment(change.at)}** · {formatting.md(change.actor)} · "
                f"{_change_text(change)}"
            )


def _change_text(change: CampaignChange) -> str:
    """``created the campaign``, ``Total budget: 1000.00 → 1500.00; Status: active → paused``."""
    if change.action == "created":
        return "created the campaign"
    if change.action == "deleted":
        return "deleted the campaign"
    if change.action == "reviewed":
        return _review_text(change)
    if change.action == "creative_updated":
        return _creative_text(change)
    if change.action == "creative_processed":
        return formatting.md(processed_text(change.changes))
    if change.action == "delivery":
        return formatting.md(delivery_alerts.describe(change.changes))
    if change.action == "playback":
        return formatting.md(playback_alerts.describe(change.changes))
    if change.action == "creative_added":
        name = str(change.changes.get("creative", ["", "a creative"])[-1])
        waits = change.changes.get("review", [None, None])[-1] == "pending"
        return f"added creative {formatting.quoted(name)}" + (" (awaiting review)" if waits else "")
    if "reason" in change.changes:  # the ad server completed it
        before, after = change.changes["status"]
        note = formatting.md(completion_note(change.changes))
        return f"Status: {_change_value(before)} → {_change_value(after)} ({note})"
    return "; ".join(
        f"{LABELS.get(field, field.replace('_', ' ').capitalize())}: "
        f"{_change_value(before)} → {_change_value(after)}"
        for field, (before, after) in change.changes.items()
    )


def _review_text(change: CampaignChange) -> str:
    """``approved creative “Spot”`` or ``rejected creative “Spot”: why``."""
    name = str(change.changes.get("creative", ["", "a creative"])[-1])
    verdict = str(change.changes.get("review", ["", "reviewed"])[-1])
    note = change.changes.get("note", [None, None])[-1]
    text = f"{verdict} creative {formatting.quoted(name)}"
    return f"{text}: {_change_value(note)}" if note else text


def _creative_text(change: CampaignChange) -> str:
    """``changed creative “Spot”: renamed from “Old”; paused; weight 1 → 3; captions added in
    es-MX; skippable after 5 s; runs from Dec 20, 2026 00:00 UTC``."""
    old, new = (str(name) for name in change.changes.get("creative", ["", "a creative"]))
    parts = [f"renamed from {formatting.quoted(old)}"] if old != new else []
    if "paused" in change.changes:
        parts.append("paused" if change.changes["paused"][-1] else "resumed")
    if "weight" in change.changes:
        before, after = change.changes["weight"]
        parts.append(f"weight {before} → {after}")
    if "captions" in change.changes:
        parts.append(_captions_text(*change.changes["captions"]))
    if "skip_offset_s" in change.changes:
        after = change.changes["skip_offset_s"][-1]
        parts.append(f"skippable after {after:g} s" if after else "not skippable")
    if "universal_ad_id" in change.changes:
        industry = change.changes["universal_ad_id"][-1]
        named = f"{industry['registry']} {industry['value']}" if industry else "none"
        parts.append(f"industry ID {formatting.md(named)}")
    for field, side, bound in (
        ("starts_at", "from", "the campaign's start"),
        ("ends_at", "until", "the campaign's end"),
    ):
        if field in change.changes:
            after = change.changes[field][-1]
            when = formatting.moment(datetime.fromisoformat(str(after))) if after else bound
            parts.append(f"runs {side} {when}")
    return f"changed creative {formatting.quoted(new)}: {'; '.join(parts)}"


def _captions_text(before: list[str], after: list[str]) -> str:
    """``captions added in es-MX``, ``captions removed in fr``, or ``captions replaced``."""
    added = [language for language in after if language not in before]
    removed = [language for language in before if language not in after]
    changed = [f"captions added in {', '.join(added)}"] if added else []
    changed += [f"captions removed in {', '.join(removed)}"] if removed else []
    return formatting.md("; ".join(changed or ["captions replaced"]))


def _change_value(value: object) -> str:
    """A value of a change as the page shows it: lists joined, key-values as the form writes
    them, long text cut, escaped."""
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        value = "; ".join(key_value_lines(dict(sorted(value.items()))))
    if isinstance(value, list):
        value = ", ".join(
            str(item.get("vendor", item)) if isinstance(item, dict) else str(item) for item in value
        )
    text = str(value)
    return formatting.md(text if len(text) <= 80 else text[:79] + "…")


def render() -> None:
    api = session.api()
    campaign_id = ui.campaign_id_param()
    if campaign_id is None:
        _pick_campaign(api)
        return
    try:
        campaign = api.get_campaign(campaign_id)
    except ApiError as exc:
        if exc.status != 404:
            raise
        st.error(
            "This campaign does not exist (it may have been deleted).", icon=":material/error:"
        )
        st.page_link(ui.CAMPAIGNS, label="Back to campaigns", icon=":material/arrow_back:")
        return
    with st.container(key="campaign-detail"):
        _header(api, campaign)
        check = st.container()
        _budget(campaign)
        _facts(campaign)
    _delivery(api, campaign)
    forecast_panel.render(api, campaign)
    _vast_tag(campaign)
    creatives_panel.render(api, campaign)
    with check:  # filled last, so a creative uploaded in this run counts
        _serving_check(api, campaign)
    _history(api, campaign)


if __name__ == "__main__":
    render()
