"""Delivery figures for the pages, with a stand-in while the reporting endpoints are missing.

``/dashboard`` and ``/reports/performance`` arrive with the beacon pipeline. Until then (they
answer 404) the pages show what the campaigns themselves know: counts, status, budget spent and
remaining, with zero delivery. Every other failure is raised as usual.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ads.campaigns import CampaignStatus
from ads.separation import advertiser_key
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import (
    Campaign,
    DashboardDay,
    DashboardSummary,
    DashboardTotals,
    PerformanceRow,
)

PAGE_SIZE = 200
MAX_CAMPAIGNS = 10_000
REACH_HELP = (
    "Distinct devices that saw an ad, known by the advertising id the player sends "
    "(players without one, or limiting ad tracking, are not counted)"
)
FREQUENCY_HELP = "Impressions per device reached"
PLATFORMS_HELP = (
    "Where the ads played, read from the device each impression was reported by (its "
    "User-Agent). Impressions a server reported on the players' behalf count by the device it "
    "names (X-Device-User-Agent), else as unknown."
)
PLACES_HELP = (
    "Where the viewers were, as the CDN or load balancer in front of the ad server located each "
    "impression's request (its geo headers). Unknown: no such edge, or impressions recorded "
    "before places were."
)
INVALID_TRAFFIC_HELP = (
    "Invalid traffic: beacons that no viewer's playback sent, kept out of the delivery figures "
    "and off the bill: robots that name themselves (search and ad crawlers, link previews, "
    "headless browsers, uptime monitors), prefetches, and devices in networks the operator "
    "excludes (data centres, the publisher's own offices)."
)
PLAYER_ERRORS_HELP = (
    "Errors players reported through the ads' VAST Error URLs, by IAB VAST error code: what "
    "went wrong and what helps. An error before the ad's impression lost the ad (the failure "
    "rate: of the ads players tried to play, impressions and such failures, the share that "
    "failed); one after it stopped the ad during playback. Ads served in the range, while "
    "their raw events are kept."
)
CREATIVES_HELP = (
    "Each creative's impressions in the range and its share of them, with how many viewers "
    "watched it to the end and clicked. A deleted creative keeps the delivery it had."
)


def all_campaigns(api: AdminApi, *, status: CampaignStatus | None = None) -> list[Campaign]:
    """Every campaign (newest first), fetched page by page."""
    found: list[Campaign] = []
    while len(found) < MAX_CAMPAIGNS:
        page = api.list_campaigns(status=status, limit=PAGE_SIZE, offset=len(found))
        found.extend(page.campaigns)
        if not page.campaigns or len(found) >= page.total:
            break
    return found


def last_days(days: int, *, today: date | None = None) -> list[date]:
    """The ``days`` calendar days (UTC) ending today, oldest first."""
    end = today or datetime.now(UTC).date()
    return [end - timedelta(days=n) for n in range(days - 1, -1, -1)]


def overview(api: AdminApi) -> tuple[DashboardSummary, bool]:
    """The home page's summary and whether delivery figures are live (``False``: stand-in)."""
    try:
        return api.dashboard(), True
    except ApiError as exc:
        if exc.status != 404:
            raise
    campaigns = all_campaigns(api)
    totals = DashboardTotals(
        campaigns=len(campaigns),
        active_campaigns=sum(c.status is CampaignStatus.ACTIVE for c in campaigns),
        spend=float(sum(c.budget_spent for c in campaigns)),
    )
    return DashboardSummary(
        totals=totals, series=[DashboardDay(day=d) for d in last_days(7)]
    ), False


def performance(
    api: AdminApi, *, start: datetime, end: datetime
) -> tuple[list[PerformanceRow], bool]:
    """Per-campaign performance over ``[start, end)`` and whether it is live."""
    try:
        return api.performance(start=start, end=end).rows, True
    except ApiError as exc:
        if exc.status != 404:
            raise
    rows = [
        PerformanceRow(
            campaign_id=c.id,
            name=c.name,
            status=c.status.value,
            budget_remaining=float(c.budget_remaining),
            advertiser=c.advertiser,
            priority=c.priority,
        )
        for c in all_campaigns(api)
    ]
    return rows, False


def impressions_by_campaign(
    api: AdminApi, campaigns: list[Campaign]
) -> dict[uuid.UUID, int] | None:
    """Lifetime impressions of ``campaigns``; ``None`` while the report endpoint is missing."""
    if not campaigns:
        return {}
    start = min(c.start_date for c in campaigns)
    end = datetime.now(UTC) + timedelta(days=1)
    try:
        rows = api.performance(start=start, end=end).rows
    except ApiError as exc:
        if exc.status != 404:
            raise
        return None
    return {row.campaign_id: row.impressions for row in rows}


NO_ADVERTISER = "No advertiser"


@dataclass(frozen=True, slots=True)
class AdvertiserFigures:
    """One advertiser's campaigns summed over a report's range."""

    advertiser: str
    campaigns: int
    impressions: int
    completes: int
    clicks: int
    spend: float

    @property
    def vcr(self) -> float:
        return self.completes / self.impressions if self.impressions else 0.0

    @property
    def ctr(self) -> float:
        return self.clicks / self.impressions if self.impressions else 0.0

    @property
    def ecpm(self) -> float:
        return self.spend * 1000 / self.impressions if self.impressions else 0.0


def by_advertiser(rows: list[PerformanceRow]) -> list[AdvertiserFigures]:
    """``rows`` summed per advertiser, most impressions first. Names group as the ad server
    compares them (ignoring case and spacing) under the first spelling met; campaigns without
    one come together as :data:`NO_ADVERTISER`."""
    groups: dict[str, list[PerformanceRow]] = {}
    names: dict[str, str] = {}
    for row in rows:
        key = advertiser_key(row.advertiser) if row.advertiser else ""
        groups.setdefault(key, []).append(row)
        names.setdefault(key, row.advertiser or NO_ADVERTISER)
    figures = [
        AdvertiserFigures(
            advertiser=names[key],
            campaigns=len(group),
            impressions=sum(r.impressions for r in group),
            completes=sum(r.completes for r in group),
            clicks=sum(r.clicks for r in group),
            spend=sum(r.spend for r in group),
        )
        for key, group in groups.items()
    ]
    return sorted(figures, key=lambda f: (-f.impressions, f.advertiser.casefold()))
