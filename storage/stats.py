"""Campaign statistics repository: reads the hourly and daily roll-ups the impression sinks
write, and reach from the raw events. Read-only; callers own the session. Day ranges are
inclusive ``[first, last]``, time ranges half-open ``[start, end)``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypeVarTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    Select,
    distinct,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ads.player_errors import AgentErrors, CampaignFailures, ErrorCount
from ads.priority import Priority
from ads.reporting import (
    COUNTERS,
    CampaignFigures,
    Counters,
    Reach,
    ReportRange,
    TopCampaign,
)
from storage.models import (
    AdEvent,
    Campaign,
    CampaignDailyStats,
    CampaignHourlyStats,
    CreativeDailyStats,
    InvalidEvent,
)

StatsTable = type[CampaignHourlyStats] | type[CampaignDailyStats] | type[CreativeDailyStats]
_QUERY_CANCELED = "57014"
_SET_TIMEOUT = text("SELECT set_config('statement_timeout', :ms, true)")
_Columns = TypeVarTuple("_Columns")
TOP_INVALID_AGENTS = 10
_DAY = timedelta(days=1)


def _sums(table: StatsTable) -> list[ColumnElement[Any]]:
    """``SUM`` of every counter column, labelled by name; event counts stay integers."""
    sums: list[ColumnElement[Any]] = []
    for name in COUNTERS:
        column = getattr(table, name)
        summed = func.sum(column) if name == "spend" else func.sum(column).cast(BigInteger)
        sums.append(summed.label(name))
    return sums


def _counters(row: Row[Any]) -> Counters:
    return Counters.model_validate({name: getattr(row, name) for name in COUNTERS})


def _in_days(first: date, last: date) -> ColumnElement[bool]:
    return CampaignDailyStats.day.between(first, last)


async def hourly_counters(
    session: AsyncSession, *, campaign_id: uuid.UUID, start: datetime, end: datetime
) -> dict[datetime, Counters]:
    """One campaign's counters by hour, for the hours that have a row (one per hour at most)."""
    table = CampaignHourlyStats
    result = await session.execute(
        select(table.hour, *(getattr(table, name) for name in COUNTERS)).where(
            table.campaign_id == campaign_id, table.hour >= start, table.hour < end
        )
    )
    return {row.hour: _counters(row) for row in result}


async def daily_counters(
    session: AsyncSession, *, first: date, last: date, campaign_id: uuid.UUID | None = None
) -> dict[date, Counters]:
    """Counters by day for the days that have a row: one campaign's, or all campaigns' summed."""
    table = CampaignDailyStats
    stmt = select(table.day, *_sums(table)).where(_in_days(first, last)).group_by(table.day)
    if campaign_id is not None:
        stmt = stmt.where(table.campaign_id == campaign_id)
    result = await session.execute(stmt)
    return {row.day: _counters(row) for row in result}


async def creative_counters(
    session: AsyncSession, *, campaign_id: uuid.UUID, first: date, last: date
) -> dict[uuid.UUID, Counters]:
    """One campaign's counters per creative over the days ``first``..``last``."""
    table = CreativeDailyStats
    result = await session.execute(
        select(table.creative_id, *_sums(table))
        .where(table.campaign_id == campaign_id, table.day.between(first, last))
        .group_by(table.creative_id)
    )
    return {row.creative_id: _counters(row) for row in result}


async def campaign_counts(session: AsyncSession) -> tuple[int, int]:
    """How many campaigns exist, and how many of them are active."""
    row = (
        await session.execute(
            select(func.count(), func.count().filter(Campaign.status == "active")).select_from(
                Campaign
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def top_campaigns(
    session: AsyncSession, *, first: date, last: date, limit: int
) -> list[TopCampaign]:
    """The campaigns with the most impressions over the days, most first (ties by name)."""
    table = CampaignDailyStats
    impressions = func.sum(table.impressions).cast(BigInteger).label("impressions")
    result = await session.execute(
        select(
            Campaign.id,
            Campaign.name,
            Campaign.status,
            impressions,
            func.sum(table.spend).label("spend"),
        )
        .join(table, table.campaign_id == Campaign.id)
        .where(_in_days(first, last))
        .group_by(Campaign.id)
        .having(func.sum(table.impressions) > 0)
        .order_by(impressions.desc(), Campaign.name, Campaign.id)
        .limit(limit)
    )
    return [TopCampaign.model_validate(row) for row in result]


async def campaign_figures(
    session: AsyncSession, report_range: ReportRange
) -> list[CampaignFigures]:
    """Every campaign with its counters over the range's days (zeros without stats) and the
    impressions filtered as invalid traffic in it, by impressions descending, then name."""
    table = CampaignDailyStats
    sums = (
        select(table.campaign_id, *_sums(table))
        .where(_in_days(report_range.first_day, report_range.last_day))
        .group_by(table.campaign_id)
        .subquery()
    )
    invalid = (
        select(InvalidEvent.campaign_id, func.count().label("impressions"))
        .where(
            InvalidEvent.event_type == "impression",
            InvalidEvent.received_at >= report_range.start,
            InvalidEvent.received_at < report_range.end,
        )
        .group_by(InvalidEvent.campaign_id)
        .subquery()
    )
    counters = {name: func.coalesce(sums.c[name], 0).label(name) for name in COUNTERS}
    result = await session.execute(
        select(
            Campaign.id,
            Campaign.name,
            Campaign.status,
            Campaign.budget_total,
            Campaign.budget_spent,
            Campaign.advertiser,
            Campaign.priority,
            func.coalesce(invalid.c.impressions, 0).label("invalid_impressions"),
            *counters.values(),
        )
        .outerjoin(sums, sums.c.campaign_id == Campaign.id)
        .outerjoin(invalid, invalid.c.campaign_id == Campaign.id)
        .order_by(counters["impressions"].desc(), Campaign.name, Campaign.id)
    )
    return [
        CampaignFigures(
            id=row.id,
            name=row.name,
            status=row.status,
            budget_total=row.budget_total,
            budget_spent=row.budget_spent,
            counters=_counters(row),
            advertiser=row.advertiser,
            priority=Priority(row.priority),
            invalid_impressions=row.invalid_impressions,
        )
        for row in result
    ]


async def reach(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    campaign_id: uuid.UUID | None = None,
    timeout_seconds: float | None = None,
) -> dict[uuid.UUID, Reach] | None:
    """Per campaign (or the one named), the devices reached by ads served in ``[start, end)``
    (raw events: within EVENT_RETENTION_DAYS; the partial index ``ix_ad_events_reach`` serves
    it). Campaigns without a device-keyed impression are left out. None when counting takes
    longer than ``timeout_seconds``."""
    e = AdEvent
    stmt = (
        select(e.campaign_id, func.count(distinct(e.device)), func.count())
        .where(
            e.event_type == "impression",
            e.device.is_not(None),
            e.served_at >= start,
            e.served_at < end,
        )
        .group_by(e.campaign_id)
    )
    if campaign_id is not None:
        stmt = stmt.where(e.campaign_id == campaign_id)
    rows = await _rows_within(session, stmt, timeout_seconds)
    if rows is None:
        return None
    return {
        campaign: Reach(devices=int(devices), impressions=int(impressions))
        for campaign, devices, impressions in rows
        if campaign is not None
    }


ImpressionsBy = Literal["user_agent", "place"]
"""The beacon fields impressions are split by: the player's User-Agent, the viewer's place."""


async def impressions_by(
    session: AsyncSession,
    field: ImpressionsBy,
    *,
    campaign_id: uuid.UUID,
    start: datetime,
    end: datetime,
    limit: int = 10_000,
    timeout_seconds: float | None = None,
) -> tuple[list[tuple[str | None, int]], int] | None:
    """One campaign's impressions of ads served in ``[start, end)`` per value of the events'
    ``field`` (the ``limit`` most frequent values), and the impressions of all values. None
    when counting takes longer than ``timeout_seconds``."""
    e = AdEvent
    column = e.user_agent if field == "user_agent" else e.place
    count = func.count()
    stmt = (
        select(column, count, func.sum(count).over())
        .where(
            e.campaign_id == campaign_id,
            e.event_type == "impression",
            e.served_at >= start,
            e.served_at < end,
        )
        .group_by(column)
        .order_by(count.desc(), column)
        .limit(limit)
    )
    rows = await _rows_within(session, stmt, timeout_seconds)
    if rows is None:
        return None
    total = int(rows[0][2]) if rows else 0
    return [(agent, int(n)) for agent, n, _ in rows], total


async def invalid_traffic(
    session: AsyncSession, *, campaign_id: uuid.UUID, start: datetime, end: datetime
) -> tuple[list[tuple[str, str, int]], list[tuple[str | None, int]]]:
    """One campaign's invalid beacons received in ``[start, end)``: counts per (reason, event),
    and the :data:`TOP_INVALID_AGENTS` User-Agents that sent most of them."""
    e = InvalidEvent
    count = func.count()
    in_range = (e.campaign_id == campaign_id, e.received_at >= start, e.received_at < end)
    counts = await session.execute(
        select(e.reason, e.event_type, count).where(*in_range).group_by(e.reason, e.event_type)
    )
    agents = await session.execute(
        select(e.user_agent, count)
        .where(*in_range)
        .group_by(e.user_agent)
        .order_by(count.desc(), e.user_agent)
        .limit(TOP_INVALID_AGENTS)
    )
    return (
        [(reason, event, int(n)) for reason, event, n in counts],
        [(agent, int(n)) for agent, n in agents],
    )


def _played() -> ColumnElement[bool]:
    """Whether the error event's ad had its impression counted: by the impression's key (the
    event id ads/tracking.py gives it)."""
    e, shown = AdEvent, aliased(AdEvent)
    return exists().where(
        shown.event_id == e.ad_serving_id.concat(":impression"), shown.served_at == e.served_at
    )


async def _errors_by_campaign(
    session: AsyncSession, *where: ColumnElement[bool]
) -> dict[uuid.UUID, list[ErrorCount]]:
    """The error beacons ``where`` selects, per campaign and code (``creative_id`` unused),
    with those of ads whose impression was counted."""
    e = AdEvent
    rows = await session.execute(
        select(e.campaign_id, e.error_code, func.count(), func.count().filter(_played()))
        .where(e.event_type == "error", *where)
        .group_by(e.campaign_id, e.error_code)
    )
    codes: dict[uuid.UUID, list[ErrorCount]] = {}
    for campaign_id, code, n, after in rows:
        if campaign_id is not None:
            codes.setdefault(campaign_id, []).append(ErrorCount(None, code, int(n), int(after)))
    return codes


async def campaign_failures(session: AsyncSession, *, day: date) -> list[CampaignFailures]:
    """Every campaign with error beacons of ads served on ``day`` (UTC): its impressions
    counted that day and its errors per code."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    served = AdEvent.served_at
    codes = await _errors_by_campaign(session, served >= start, served < start + _DAY)
    if not codes:
        return []
    d = CampaignDailyStats
    named = await session.execute(
        select(Campaign.id, Campaign.name, func.coalesce(d.impressions, 0))
        .outerjoin(d, (d.campaign_id == Campaign.id) & (d.day == day))
        .where(Campaign.id.in_(codes))
    )
    return [
        CampaignFailures(campaign_id, name, int(impressions), codes[campaign_id])
        for campaign_id, name, impressions in named
    ]


async def playback_counts(
    session: AsyncSession, *, campaign_ids: Sequence[uuid.UUID], start: datetime
) -> dict[uuid.UUID, tuple[int, list[ErrorCount]]]:
    """Each of the campaigns' impressions counted since ``start`` (the start of an hour: its
    hourly counters) and its error beacons of ads served since then per code (``creative_id``
    unused), for the campaigns with either."""
    if not campaign_ids:
        return {}
    e, h = AdEvent, CampaignHourlyStats
    recent = (e.campaign_id.in_(campaign_ids), e.served_at >= start)
    codes = await _errors_by_campaign(session, *recent)
    impressions = await session.execute(
        select(h.campaign_id, func.sum(h.impressions))
        .where(h.campaign_id.in_(campaign_ids), h.hour >= start)
        .group_by(h.campaign_id)
    )
    shown = {campaign_id: int(n or 0) for campaign_id, n in impressions}
    return {cid: (shown.get(cid, 0), codes.get(cid, [])) for cid in shown.keys() | codes.keys()}


def _errors_of(
    campaign_id: uuid.UUID, start: datetime, end: datetime
) -> tuple[ColumnElement[bool], ...]:
    """The error beacons of one campaign's ads served in ``[start, end)`` (the partial index
    ``ix_ad_events_errors`` serves them)."""
    e = AdEvent
    return (
        e.campaign_id == campaign_id,
        e.event_type == "error",
        e.served_at >= start,
        e.served_at < end,
    )


async def error_counts(
    session: AsyncSession,
    *,
    campaign_id: uuid.UUID,
    start: datetime,
    end: datetime,
    timeout_seconds: float | None = None,
) -> list[ErrorCount] | None:
    """One campaign's error beacons of ads served in ``[start, end)`` per creative and code,
    with those of ads whose impression was counted. None when reading takes longer than
    ``timeout_seconds``."""
    e = AdEvent
    by_creative = (
        select(e.creative_id, e.error_code, func.count(), func.count().filter(_played()))
        .where(*_errors_of(campaign_id, start, end))
        .group_by(e.creative_id, e.error_code)
    )
    counts = await _rows_within(session, by_creative, timeout_seconds)
    if counts is None:
        return None
    return [ErrorCount(creative, code, int(n), int(after)) for creative, code, n, after in counts]


async def player_errors(
    session: AsyncSession,
    *,
    campaign_id: uuid.UUID,
    start: datetime,
    end: datetime,
    limit: int = 10_000,
    timeout_seconds: float | None = None,
) -> tuple[list[ErrorCount], list[AgentErrors]] | None:
    """:func:`error_counts`, and per User-Agent and code the ``limit`` most frequent. None when
    reading takes longer than ``timeout_seconds``."""
    counts = await error_counts(
        session, campaign_id=campaign_id, start=start, end=end, timeout_seconds=timeout_seconds
    )
    if counts is None:
        return None
    e = AdEvent
    count = func.count()
    by_agent = (
        select(e.user_agent, e.error_code, count)
        .where(*_errors_of(campaign_id, start, end))
        .group_by(e.user_agent, e.error_code)
        .order_by(count.desc(), e.user_agent, e.error_code)
        .limit(limit)
    )
    agents = await _rows_within(session, by_agent, timeout_seconds)
    if agents is None:
        return None
    return counts, [AgentErrors(agent, code, int(n)) for agent, code, n in agents]


async def _rows_within(
    session: AsyncSession, stmt: Select[*_Columns], timeout_seconds: float | None
) -> Sequence[Row[*_Columns]] | None:
    """The rows of ``stmt``, or None when it runs longer than ``timeout_seconds`` (in a
    savepoint: a cancelled statement leaves the caller's work alone)."""
    try:
        async with session.begin_nested():
            if timeout_seconds is not None:
                limit = str(max(int(timeout_seconds * 1000), 1))
                await session.execute(_SET_TIMEOUT, {"ms": limit})
            rows = (await session.execute(stmt)).all()
            if timeout_seconds is not None:
                await session.execute(text("SET LOCAL statement_timeout TO DEFAULT"))
    except DBAPIError as exc:
        if getattr(exc.orig, "pgcode", None) != _QUERY_CANCELED:
            raise
        return None
    return rows
