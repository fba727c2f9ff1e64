"""Reporting: derived metrics, report ranges, zero-filled series, the CSV export and API schemas.

Storage hands in raw counters summed from the hourly and daily roll-ups; everything the analytics
API computes from them lives here. A report range is half-open, ``[start, end)`` in UTC, and
always covers whole buckets of its granularity (hours or UTC days).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ads.campaigns import CampaignStatus, Money
from ads.delivery_alerts import is_behind
from ads.errors import InvalidInput
from ads.priority import Priority
from ads.projection import FallingShort

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
DEFAULT_SPAN = timedelta(days=7)
MONEY_PLACES = Decimal("0.000001")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Bucket = TypeVar("Bucket", datetime, date)


class Granularity(StrEnum):
    HOUR = "hour"
    DAY = "day"

    @property
    def step(self) -> timedelta:
        return HOUR if self is Granularity.HOUR else DAY

    @property
    def max_span(self) -> timedelta:
        """The longest range a report of this granularity may cover."""
        return timedelta(days=31) if self is Granularity.HOUR else timedelta(days=366)


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


class Counters(BaseModel):
    """Raw event counters and spend of one bucket, or summed over several."""

    model_config = ConfigDict(frozen=True)

    impressions: int = 0
    starts: int = 0
    first_quartiles: int = 0
    midpoints: int = 0
    third_quartiles: int = 0
    completes: int = 0
    clicks: int = 0
    errors: int = 0
    skips: int = 0
    """Skippable ads the viewer skipped (the ``skip`` beacon)."""
    spend: Money = Decimal(0)

    def __add__(self, other: Counters) -> Counters:
        return Counters(**{name: getattr(self, name) + getattr(other, name) for name in COUNTERS})


COUNTERS = tuple(Counters.model_fields)


def total(counters: Iterable[Counters]) -> Counters:
    return sum(counters, Counters())


def rate(events: int, impressions: int) -> float:
    """``events`` per impression (VCR for completes, CTR for clicks); 0.0 without impressions."""
    return events / impressions if impressions else 0.0


def ecpm(spend: Decimal, impressions: int) -> Decimal:
    """Effective cost per thousand impressions, to six decimals; 0 without impressions."""
    if not impressions:
        return Decimal(0)
    return (spend * 1000 / impressions).quantize(MONEY_PLACES)


def budget_remaining(budget_total: Decimal, budget_spent: Decimal) -> Decimal:
    """What is left of the budget, never below zero."""
    return max(budget_total - budget_spent, Decimal(0))


# --- ranges and buckets -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRange:
    """Whole buckets of ``granularity`` covering the UTC instants ``[start, end)``."""

    start: datetime
    end: datetime
    granularity: Granularity

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        """The last day the range touches (inclusive)."""
        return (self.end - timedelta.resolution).date()

    def hours(self) -> list[datetime]:
        return [self.start + i * HOUR for i in range((self.end - self.start) // HOUR)]

    def days(self) -> list[date]:
        first = self.first_day
        return [first + i * DAY for i in range((self.last_day - first).days + 1)]


def _floor(moment: datetime, granularity: Granularity) -> datetime:
    if granularity is Granularity.HOUR:
        return moment.replace(minute=0, second=0, microsecond=0)
    return datetime.combine(moment.date(), time.min, tzinfo=UTC)


def _ceil(moment: datetime, granularity: Granularity) -> datetime:
    floor = _floor(moment, granularity)
    return floor if floor == moment else floor + granularity.step


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": field, "message": message}])


def parse_bound(raw: str, *, field: str, end: bool) -> datetime:
    """An ISO date or datetime as an aware UTC datetime; naive values are taken as UTC.

    A date alone means the start of that day, or for an ``end`` bound the end of it, so that
    ``from=2025-03-01&to=2025-03-31`` covers all of March. :class:`InvalidInput` if malformed.
    """
    try:
        return _parse_instant(raw.strip(), end=end)
    except ValueError:
        raise _invalid(field, f"{field} must be an ISO 8601 date or datetime") from None
    except OverflowError:
        raise _invalid(field, f"{field} is out of range") from None


def _parse_instant(text: str, *, end: bool) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    midnight = datetime.combine(day, time.min, tzinfo=UTC)
    return midnight + DAY if end else midnight


def resolve_range(
    raw_from: str | None, raw_to: str | None, *, granularity: Granularity, now: datetime
) -> ReportRange:
    """The bucket-aligned range a report request asks for.

    ``to`` defaults to ``now`` (so the current, partial bucket is included) and ``from`` to
    seven days before the aligned end: 7 days or 168 hours. Buckets that the requested instants
    only partly cover are included whole. :class:`InvalidInput` if a bound is malformed, ``to``
    is not after ``from``, or the range is longer than ``granularity.max_span``.
    """
    end_at = now.astimezone(UTC) if raw_to is None else parse_bound(raw_to, field="to", end=True)
    start_at = None if raw_from is None else parse_bound(raw_from, field="from", end=False)
    try:
        end = _ceil(end_at, granularity)
        start = end - DEFAULT_SPAN if start_at is None else _floor(start_at, granularity)
    except OverflowError:
        raise _invalid("to", "to is out of range") from None
    if start_at is not None and end_at <= start_at:
        raise _invalid("to", "to must be after from")
    if end - start > granularity.max_span:
        raise _invalid(
            "from",
            f"the range may cover at most {granularity.max_span.days} days "
            f"at {granularity.value} granularity",
        )
    return ReportRange(start=start, end=end, granularity=granularity)


def fill_series(
    buckets: Iterable[Bucket], counted: Mapping[Bucket, Counters]
) -> list[tuple[date, Counters]]:
    """Every bucket in order (days, or hours as datetimes) with its counters, zeros where nothing
    was counted."""
    return [(bucket, counted.get(bucket, Counters())) for bucket in buckets]


# --- campaign stats -----------------------------------------------------------------------


class SeriesPoint(Counters):
    bucket: datetime | date


@dataclass(frozen=True, slots=True)
class Reach:
    """The distinct devices that had an impression, and how many impressions named a device
    (players that send no advertising id, or limit ad tracking, are in neither)."""

    devices: int = 0
    impressions: int = 0

    @property
    def frequency(self) -> float:
        """Impressions per device reached, to two places; 0 with no device reached."""
        return round(self.impressions / self.devices, 2) if self.devices else 0.0


class CampaignTotals(Counters):
    vcr: float
    ctr: float
    ecpm: Money
    budget_total: Money
    budget_spent: Money
    budget_remaining: Money
    budget_planned: Money | None = None
    """What even pacing planned to spend by now (the flight's end at the latest), to set
    ``budget_spent`` against; None for ASAP pacing, a zero CPM, or before the flight starts."""
    reach: int | None
    """Distinct devices with an impression of an ad served in the range; None when counting
    them took too long (see REPORT_REACH_TIMEOUT_SECONDS)."""
    frequency: float | None
    """Impressions per device reached (impressions that named a device only)."""


class CampaignStats(BaseModel):
    """``GET /campaigns/{id}/stats``: totals over the range and one point per bucket."""

    campaign_id: uuid.UUID
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    granularity: Granularity
    totals: CampaignTotals
    series: list[SeriesPoint]


def campaign_stats(
    *,
    campaign_id: uuid.UUID,
    report_range: ReportRange,
    series: Sequence[tuple[date, Counters]],
    budget_total: Decimal,
    budget_spent: Decimal,
    reach: Reach | None,
    budget_planned: Decimal | None = None,
) -> CampaignStats:
    """The stats answer for one campaign from its zero-filled series and its reach."""
    summed = total(counters for _, counters in series)
    totals = CampaignTotals(
        **summed.model_dump(),
        vcr=rate(summed.completes, summed.impressions),
        ctr=rate(summed.clicks, summed.impressions),
        ecpm=ecpm(summed.spend, summed.impressions),
        budget_total=budget_total,
        budget_spent=budget_spent,
        budget_remaining=budget_remaining(budget_total, budget_spent),
        budget_planned=budget_planned,
        reach=None if reach is None else reach.devices,
        frequency=None if reach is None else reach.frequency,
    )
    return CampaignStats(
        campaign_id=campaign_id,
        from_=report_range.start,
        to=report_range.end,
        granularity=report_range.granularity,
        totals=totals,
        series=[SeriesPoint(bucket=bucket, **c.model_dump()) for bucket, c in series],
    )


# --- dashboard ----------------------------------------------------------------------------


class DashboardTotals(BaseModel):
    campaigns: int
    active_campaigns: int
    impressions: int
    clicks: int
    completes: int
    spend: Money
    ctr: float
    vcr: float


class DashboardDay(BaseModel):
    day: date
    impressions: int
    completes: int
    clicks: int
    spend: Money


class TopCampaign(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: CampaignStatus
    impressions: int
    spend: Money


class RecentCampaign(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: CampaignStatus
    created_at: datetime


class BehindPlan(BaseModel):
    """An active, evenly paced campaign whose spend lags what its plan has released so far."""

    id: uuid.UUID
    name: str
    budget_spent: Money
    budget_planned: Money
    pace: float
    """Spent over planned, to three places: 0.6 is 40% behind plan."""


def behind_plan(
    campaigns: Iterable[tuple[uuid.UUID, str, Decimal, Decimal | None, Decimal]], *, limit: int
) -> list[BehindPlan]:
    """From ``(id, name, spent, planned, cpm)`` of the active campaigns: those behind their plan
    (``ads.delivery_alerts.is_behind``), furthest behind first."""
    behind = [
        BehindPlan(
            id=cid,
            name=name,
            budget_spent=spent,
            budget_planned=planned,
            pace=round(float(spent / planned), 3),
        )
        for cid, name, spent, planned, cpm in campaigns
        if planned is not None and is_behind(spent, planned, cpm)
    ]
    return sorted(behind, key=lambda b: (b.pace, b.name))[:limit]


class EndingSoon(BaseModel):
    """An active campaign whose flight ends within ``ads.digest.ENDING_WITHIN``."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    end_date: datetime
    budget_spent: Money
    budget_total: Money


class FailingPlayback(BaseModel):
    """An active campaign whose ads players fail to play (``ads.playback_alerts``)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    failing_since: datetime


class Dashboard(BaseModel):
    """``GET /dashboard``: the last seven days across all campaigns, the campaigns whose ads
    players fail to play, those behind their plan now, those ending soon and those whose last
    day's rate falls short of their budget."""

    totals: DashboardTotals
    series: list[DashboardDay]
    top_campaigns: list[TopCampaign]
    recent_campaigns: list[RecentCampaign]
    behind_plan: list[BehindPlan] = []
    ending_soon: list[EndingSoon] = []
    falling_short: list[FallingShort] = []
    failing_playback: list[FailingPlayback] = []


def dashboard(
    *,
    campaigns: int,
    active_campaigns: int,
    series: Sequence[tuple[date, Counters]],
    top_campaigns: list[TopCampaign],
    recent_campaigns: list[RecentCampaign],
    behind: list[BehindPlan] | None = None,
    ending: list[EndingSoon] | None = None,
    short: list[FallingShort] | None = None,
    failing: list[FailingPlayback] | None = None,
) -> Dashboard:
    """The dashboard answer; its totals are the sums of its zero-filled daily ``series``."""
    summed = total(counters for _, counters in series)
    return Dashboard(
        totals=DashboardTotals(
            campaigns=campaigns,
            active_campaigns=active_campaigns,
            impressions=summed.impressions,
            clicks=summed.clicks,
            completes=summed.completes,
            spend=summed.spend,
            ctr=rate(summed.clicks, summed.impressions),
            vcr=rate(summed.completes, summed.impressions),
        ),
        series=[
            DashboardDay(
                day=day,
                impressions=c.impressions,
                completes=c.completes,
                clicks=c.clicks,
                spend=c.spend,
            )
            for day, c in series
        ],
        top_campaigns=top_campaigns,
        recent_campaigns=recent_campaigns,
        behind_plan=behind or [],
        ending_soon=ending or [],
        falling_short=short or [],
        failing_playback=failing or [],
    )


# --- performance report ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CampaignFigures:
    """A campaign's identity and budget with its counters summed over a report range."""

    id: uuid.UUID
    name: str
    status: str
    budget_total: Decimal
    budget_spent: Decimal
    counters: Counters
    advertiser: str | None = None
    reach: Reach | None = None
    """None: not counted (too long for the range)."""
    priority: Priority = Priority.STANDARD
    invalid_impressions: int = 0
    """Impressions filtered as invalid traffic (ads/invalid_traffic.py): not in ``counters``."""


class PerformanceRow(BaseModel):
    campaign_id: uuid.UUID
    name: str
    status: CampaignStatus
    impressions: int
    starts: int
    completes: int
    clicks: int
    errors: int
    vcr: float
    ctr: float
    spend: Money
    ecpm: Money
    budget_total: Money
    budget_spent: Money
    budget_remaining: Money
    advertiser: str | None
    """New columns go last, so the CSV's earlier columns keep their places."""
    reach: int | None
    frequency: float | None
    priority: Priority = Priority.STANDARD
    invalid_impressions: int = 0
    """Impressions filtered as invalid traffic, not in ``impressions`` nor billed."""


class PerformanceReport(BaseModel):
    """``GET /reports/performance``: one row per campaign, in the order storage gives them."""

    from_: datetime = Field(serialization_alias="from")
    to: datetime
    rows: list[PerformanceRow]


def performance_row(figures: CampaignFigures) -> PerformanceRow:
    c = figures.counters
    return PerformanceRow(
        campaign_id=figures.id,
        name=figures.name,
        status=CampaignStatus(figures.status),
        impressions=c.impressions,
        starts=c.starts,
        completes=c.completes,
        clicks=c.clicks,
        errors=c.errors,
        vcr=rate(c.completes, c.impressions),
        ctr=rate(c.clicks, c.impressions),
        spend=c.spend,
        ecpm=ecpm(c.spend, c.impressions),
        budget_total=figures.budget_total,
        budget_spent=figures.budget_spent,
        budget_remaining=budget_remaining(figures.budget_total, figures.budget_spent),
        advertiser=figures.advertiser,
        reach=None if figures.reach is None else figures.reach.devices,
        frequency=None if figures.reach is None else figures.reach.frequency,
        priority=figures.priority,
        invalid_impressions=figures.invalid_impressions,
    )


def performance_report(
    report_range: ReportRange, figures: Iterable[CampaignFigures]
) -> PerformanceReport:
    return PerformanceReport(
        from_=report_range.start,
        to=report_range.end,
        rows=[performance_row(f) for f in figures],
    )


def spreadsheet_safe(value: Any) -> Any:
    """``value``, with text that a spreadsheet would run as a formula prefixed by ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def performance_csv(report: PerformanceReport) -> str:
    """The report's rows as RFC 4180 CSV with a header row; values as in the JSON answer."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PerformanceRow.model_fields)
    for row in report.rows:
        writer.writerow(spreadsheet_safe(v) for v in row.model_dump(mode="json").values())
    return out.getvalue()


def performance_filename(report_range: ReportRange) -> str:
    return f"performance_{report_range.first_day}_{report_range.last_day}.csv"
