"""Analytics: per-campaign stats, platform and place splits, creatives and invalid traffic,
the dashboard summary, ad inventory (fill rate), the avails forecast and the performance report
(JSON, CSV).

Counters come from the hourly and daily roll-ups, reach, platforms and places from the raw
events, invalid traffic from the filtered beacons; the math is in :mod:`ads.reporting`,
:mod:`ads.platform_report`, :mod:`ads.place_report` and :mod:`ads.invalid_traffic_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ads import projection, reporting
from ads.audience import reach
from ads.campaigns import MAX_BUDGET, CampaignTargeting
from ads.creative_report import CreativeReport, creative_rows
from ads.digest import ENDING_WITHIN
from ads.errors import InvalidInput, NotFound
from ads.forecast import Forecast, forecast, history_hours, impressions_for
from ads.invalid_traffic_report import InvalidTrafficReport, invalid_traffic_report
from ads.inventory import (
    DAY,
    MAX_DAYS,
    MAX_HOURS,
    InventoryReport,
    by_day,
    days_up_to,
    hours_of,
    hours_up_to,
)
from ads.inventory import report as inventory_report
from ads.pacing import planned_by
from ads.pacing_report import PacingReport, pacing_report
from ads.place_report import PlaceReport, place_rows
from ads.platform_report import PlatformReport, platform_rows
from ads.player_errors import PlayerErrorReport, player_error_report
from ads.reporting import (
    CampaignStats,
    Counters,
    Dashboard,
    EndingSoon,
    ExportFormat,
    FailingPlayback,
    Granularity,
    PerformanceReport,
    Reach,
    RecentCampaign,
    parse_bound,
)
from config.settings import get_settings
from deployments.management.deps import CurrentUser, SessionDep, StateDep, path_id
from storage import campaigns as campaign_repo
from storage import creatives as creative_repo
from storage import stats
from storage.catalog_records import campaign_record
from storage.inventory import RedisInventory
from storage.inventory_archive import inventory_counts, sampled_requests
from storage.models import Campaign

router = APIRouter(tags=["analytics"])

TOP_CAMPAIGNS = 5
ATTENTION = 5
"""Campaigns listed as behind plan, and as ending soon."""
RECENT_CAMPAIGNS = 5
FORECAST_SPAN = timedelta(days=7)

From = Annotated[
    str | None,
    Query(alias="from", max_length=64, description="ISO date or datetime (UTC if no offset)"),
]
To = Annotated[
    str | None,
    Query(max_length=64, description="ISO date (inclusive) or datetime (exclusive); default now"),
]
TargetingList = Annotated[
    str | None, Query(max_length=30_000, description="comma-separated, as a campaign takes them")
]


async def _campaign(session: AsyncSession, campaign_id: str) -> Campaign:
    campaign = await campaign_repo.get(session, path_id(campaign_id, "campaign"))
    if campaign is None:
        raise NotFound(f"campaign {campaign_id!r} not found")
    return campaign


async def _campaign_days(
    session: AsyncSession, campaign_id: str, from_: str | None, to: str | None
) -> tuple[Campaign, reporting.ReportRange]:
    """The campaign and a range of whole UTC days (the range is checked first)."""
    report_range = reporting.resolve_range(
        from_, to, granularity=Granularity.DAY, now=datetime.now(UTC)
    )
    return await _campaign(session, campaign_id), report_range


@router.get("/campaigns/{campaign_id}/stats", response_model=CampaignStats)
async def campaign_stats(
    campaign_id: str,
    _: CurrentUser,
    session: SessionDep,
    from_: From = None,
    to: To = None,
    granularity: Granularity = Granularity.DAY,
    reach: Annotated[
        bool, Query(description="false leaves reach out (counters only: no raw-event query)")
    ] = True,
) -> CampaignStats:
    report_range = reporting.resolve_range(
        from_, to, granularity=granularity, now=datetime.now(UTC)
    )
    campaign = await _campaign(session, campaign_id)
    series: Sequence[tuple[date, Counters]]
    if granularity is Granularity.HOUR:
        hourly = await stats.hourly_counters(
            session, campaign_id=campaign.id, start=report_range.start, end=report_range.end
        )
        series = reporting.fill_series(report_range.hours(), hourly)
    else:
        daily = await stats.daily_counters(
            session,
            first=report_range.first_day,
            last=report_range.last_day,
            campaign_id=campaign.id,
        )
        series = reporting.fill_series(report_range.days(), daily)
    reached = (
        await stats.reach(
            session,
            start=report_range.start,
            end=report_range.end,
            campaign_id=campaign.id,
            timeout_seconds=get_settings().report_reach_timeout_seconds,
        )
        if reach
        else None
    )
    return reporting.campaign_stats(
        campaign_id=campaign.id,
        report_range=report_range,
        series=series,
        budget_total=campaign.budget_total,
        budget_spent=campaign.budget_spent,
        budget_planned=planned_by(campaign_record(campaign), datetime.now(UTC)),
        reach=None if reached is None else reached.get(campaign.id, Reach()),
    )


@router.get("/campaigns/{campaign_id}/pacing", response_model=PacingReport)
async def campaign_pacing(campaign_id: str, _: CurrentUser, session: SessionDep) -> PacingReport:
    """The campaign's spend day by day over its flight so far, summed up, against what its
    pacing plan had released by each day's end, and where the last 24 hours' rate takes it."""
    campaign = await _campaign(session, campaign_id)
    now = datetime.now(UTC)
    daily = await stats.daily_counters(
        session,
        first=campaign.start_date.date(),
        last=min(now, campaign.end_date).date(),
        campaign_id=campaign.id,
    )
    basis_start, basis_end = projection.basis(now)
    hourly = await stats.hourly_counters(
        session, campaign_id=campaign.id, start=basis_start, end=basis_end
    )
    return pacing_report(
        campaign_record(campaign),
        {day: c.spend for day, c in daily.items()},
        basis_spend=sum((c.spend for c in hourly.values()), Decimal(0)),
        now=now,
    )


@router.get("/campaigns/{campaign_id}/platforms", response_model=PlatformReport)
async def campaign_platforms(
    campaign_id: str, _: CurrentUser, session: SessionDep, from_: From = None, to: To = None
) -> PlatformReport:
    """Impressions of ads served in the range, by the platform their beacons came from."""
    campaign, report_range, read = await _impressions_by(
        session, campaign_id, "user_agent", from_, to
    )
    return PlatformReport(
        campaign_id=campaign.id,
        from_=report_range.start,
        to=report_range.end,
        impressions=0 if read is None else read[1],
        rows=None if read is None else platform_rows(read[0], total=read[1]),
    )


@router.get("/campaigns/{campaign_id}/places", response_model=PlaceReport)
async def campaign_places(
    campaign_id: str, _: CurrentUser, session: SessionDep, from_: From = None, to: To = None
) -> PlaceReport:
    """Impressions of ads served in the range, by the country (and region) their beacons came
    from, as the edge's geo headers said."""
    campaign, report_range, read = await _impressions_by(session, campaign_id, "place", from_, to)
    return PlaceReport(
        campaign_id=campaign.id,
        from_=report_range.start,
        to=report_range.end,
        impressions=0 if read is None else read[1],
        rows=None if read is None else place_rows(read[0], total=read[1]),
    )


@router.get("/campaigns/{campaign_id}/invalid-traffic", response_model=InvalidTrafficReport)
async def campaign_invalid_traffic(
    campaign_id: str, _: CurrentUser, session: SessionDep, from_: From = None, to: To = None
) -> InvalidTrafficReport:
    """Beacons received in the range that were filtered as invalid traffic (robots,
    prefetches, excluded networks), against the impressions counted on the same days."""
    campaign, report_range = await _campaign_days(session, campaign_id, from_, to)
    daily = await stats.daily_counters(
        session, first=report_range.first_day, last=report_range.last_day, campaign_id=campaign.id
    )
    counts, agents = await stats.invalid_traffic(
        session, campaign_id=campaign.id, start=report_range.start, end=report_range.end
    )
    return invalid_traffic_report(
        campaign_id=campaign.id,
        start=report_range.start,
        end=report_range.end,
        impressions=sum(c.impressions for c in daily.values()),
        counts=counts,
        agents=agents,
    )


@router.get("/campaigns/{campaign_id}/player-errors", response_model=PlayerErrorReport)
async def campaign_player_errors(
    campaign_id: str, _: CurrentUser, session: SessionDep, from_: From = None, to: To = None
) -> PlayerErrorReport:
    """The errors players reported for ads served in the range, by VAST error code (with what
    each means and what helps), by creative and by platform; the share of the ads players tried
    to play that failed, against the impressions counted on the same days."""
    campaign, report_range = await _campaign_days(session, campaign_id, from_, to)
    daily = await stats.daily_counters(
        session, first=report_range.first_day, last=report_range.last_day, campaign_id=campaign.id
    )
    read = await stats.player_errors(
        session,
        campaign_id=campaign.id,
        start=report_range.start,
        end=report_range.end,
        timeout_seconds=get_settings().report_reach_timeout_seconds,
    )
    current = await creative_repo.list_for_campaign(session, campaign.id)
    return player_error_report(
        campaign_id=campaign.id,
        start=report_range.start,
        end=report_range.end,
        impressions=sum(c.impressions for c in daily.values()),
        read=read,
        creative_names={c.id: c.name for c in current},
    )


async def _impressions_by(
    session: AsyncSession,
    campaign_id: str,
    field: stats.ImpressionsBy,
    from_: str | None,
    to: str | None,
) -> tuple[Campaign, reporting.ReportRange, tuple[list[tuple[str | None, int]], int] | None]:
    """The campaign, its report range and its impressions by ``field`` (None: timed out)."""
    campaign, report_range = await _campaign_days(session, campaign_id, from_, to)
    read = await stats.impressions_by(
        session,
        field,
        campaign_id=campaign.id,
        start=report_range.start,
        end=report_range.end,
        timeout_seconds=get_settings().report_reach_timeout_seconds,
    )
    return campaign, report_range, read


@router.get("/campaigns/{campaign_id}/creatives/stats", response_model=CreativeReport)
async def creative_stats(
    campaign_id: str, _: CurrentUser, session: SessionDep, from_: From = None, to: To = None
) -> CreativeReport:
    """The campaign's delivery per creative over the range (UTC days; same range rules as
    ``/stats``), deleted creatives included."""
    campaign, report_range = await _campaign_days(session, campaign_id, from_, to)
    counters = await stats.creative_counters(
        session,
        campaign_id=campaign.id,
        first=report_range.first_day,
        last=report_range.last_day,
    )
    current = await creative_repo.list_for_campaign(session, campaign.id)
    return CreativeReport(
        campaign_id=campaign.id,
        from_=report_range.start,
        to=report_range.end,
        creatives=creative_rows(
            counters, {c.id: (c.name, c.vast_tag_url is not None) for c in current}
        ),
    )


@router.get("/dashboard", response_model=Dashboard)
async def dashboard(_: CurrentUser, session: SessionDep) -> Dashboard:
    week = reporting.resolve_range(None, None, granularity=Granularity.DAY, now=datetime.now(UTC))
    first, last = week.first_day, week.last_day
    campaigns, active = await stats.campaign_counts(session)
    daily = await stats.daily_counters(session, first=first, last=last)
    top = await stats.top_campaigns(session, first=first, last=last, limit=TOP_CAMPAIGNS)
    recent, _total = await campaign_repo.list_page(
        session, status=None, search=None, limit=RECENT_CAMPAIGNS, offset=0
    )
    now = datetime.now(UTC)
    behind, short = await campaign_repo.delivery_watch(session, now=now, limit=ATTENTION)
    ending = await campaign_repo.ending(session, now=now, within=ENDING_WITHIN)
    failing = await campaign_repo.failing_playback(session, limit=ATTENTION)
    return reporting.dashboard(
        campaigns=campaigns,
        active_campaigns=active,
        series=reporting.fill_series(week.days(), daily),
        top_campaigns=top,
        recent_campaigns=[RecentCampaign.model_validate(c) for c in recent],
        behind=behind,
        ending=[EndingSoon.model_validate(c) for c in ending[:ATTENTION]],
        short=short,
        failing=[FailingPlayback.model_validate(c) for c in failing],
    )


@router.get("/inventory", response_model=InventoryReport)
async def inventory(
    _: CurrentUser,
    state: StateDep,
    session: SessionDep,
    hours: Annotated[
        int | None, Query(ge=1, le=MAX_HOURS, description="hours up to now (default 24)")
    ] = None,
    days: Annotated[
        int | None, Query(ge=1, le=MAX_DAYS, description="UTC days up to today, one point each")
    ] = None,
) -> InventoryReport:
    """Ad requests the decision replicas answered, hour by hour (or day by day), and how many
    were filled (with a paid ad, or house ads only); counted every few seconds by each replica
    into Redis, and copied to PostgreSQL every minute (the archive answers where Redis has
    nothing)."""
    if hours is not None and days is not None:
        raise InvalidInput(
            "give hours or days, not both",
            details=[{"field": "query.days", "message": "not with hours"}],
        )
    live = RedisInventory(state.redis, prefix=state.settings.redis_key_prefix)
    now = datetime.now(UTC)
    if days is None:
        buckets = hours_up_to(now, hours or 24)
        return inventory_report(buckets, await inventory_counts(session, live, buckets))
    starts = days_up_to(now, days)
    hourly = await inventory_counts(session, live, hours_of(starts))
    return inventory_report(starts, by_day(hourly), width=DAY)


@router.get("/forecast", response_model=Forecast)
async def avails_forecast(
    _: CurrentUser,
    state: StateDep,
    session: SessionDep,
    from_: Annotated[
        str | None, Query(alias="from", max_length=64, description="ISO date or datetime; now")
    ] = None,
    to: Annotated[
        str | None,
        Query(max_length=64, description="ISO date (inclusive) or datetime; 7 days after from"),
    ] = None,
    budget: Annotated[Decimal | None, Query(gt=0, le=MAX_BUDGET)] = None,
    cpm: Annotated[Decimal | None, Query(ge=0, le=MAX_BUDGET)] = None,
    target_apps: TargetingList = None,
    target_platforms: TargetingList = None,
    target_content: TargetingList = None,
    target_geo: TargetingList = None,
    daypart_hours: TargetingList = None,
    timezone: Annotated[str | None, Query(max_length=64, description="of daypart_hours")] = None,
) -> Forecast:
    """Ad requests expected from ``from`` to ``to`` at the last week's hourly rates, and how many
    of them no paid campaign takes today (see ads/forecast.py); with ``budget`` and ``cpm``, the
    impressions that budget needs, to compare; with a targeting (comma-separated, as a campaign
    takes them), the part of both that targeting reaches, from the sampled requests; with
    ``daypart_hours`` (hours of the week on ``timezone``'s clock), only those hours count."""
    now = datetime.now(UTC)
    start = now if from_ is None else parse_bound(from_, field="from", end=False)
    end = start + FORECAST_SPAN if to is None else parse_bound(to, field="to", end=True)
    parsed = _targeting(
        {
            "target_apps": target_apps,
            "target_platforms": target_platforms,
            "target_content": target_content,
            "target_geo": target_geo,
            "daypart_hours": daypart_hours,
        },
        timezone=timezone,
    )
    wanted = parsed.audience()
    hours = history_hours(now)
    live = RedisInventory(state.redis, prefix=state.settings.redis_key_prefix)
    counts = await inventory_counts(session, live, hours)
    audience = None
    if wanted:
        days = sorted({h.date() for h in hours})
        audience = reach(await sampled_requests(session, live, days), wanted)
    needed = None if budget is None or cpm is None else impressions_for(budget, cpm)
    return forecast(
        counts,
        now=now,
        start=start,
        end=end,
        impressions_needed=needed,
        audience=audience,
        daypart=parsed.daypart(),
    )


def _targeting(lists: dict[str, str | None], *, timezone: str | None) -> CampaignTargeting:
    """The targeting of the forecast's query (comma-separated lists); :class:`InvalidInput`
    naming a bad list."""
    fields: dict[str, object] = {name: raw.split(",") for name, raw in lists.items() if raw}
    if raw_hours := lists.get("daypart_hours"):  # whole numbers, as a campaign takes them
        fields["daypart_hours"] = [
            int(h) if h.strip().isascii() and h.strip().isdigit() else h
            for h in raw_hours.split(",")
        ]
    if timezone:
        fields["timezone"] = timezone
    try:
        return CampaignTargeting.model_validate(fields)
    except ValidationError as exc:
        raise InvalidInput.of("invalid targeting", exc) from exc


@router.get(
    "/reports/performance",
    response_model=PerformanceReport,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}},
)
async def performance_report(
    _: CurrentUser,
    session: SessionDep,
    from_: From = None,
    to: To = None,
    format_: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.JSON,
) -> PerformanceReport | Response:
    report_range = reporting.resolve_range(
        from_, to, granularity=Granularity.DAY, now=datetime.now(UTC)
    )
    figures = await stats.campaign_figures(session, report_range)
    reached = await stats.reach(
        session,
        start=report_range.start,
        end=report_range.end,
        timeout_seconds=get_settings().report_reach_timeout_seconds,
    )
    if reached is not None:
        figures = [replace(f, reach=reached.get(f.id, Reach())) for f in figures]
    report = reporting.performance_report(report_range, figures)
    if format_ is ExportFormat.JSON:
        return report
    filename = reporting.performance_filename(report_range)
    return Response(
        content=reporting.performance_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
