"""Campaigns repository: all campaign SQL lives here. Callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from ads import projection, reporting
from ads.history import AD_SERVER, Action, completion_changes
from ads.pacing import planned_by
from ads.reporting import BehindPlan
from storage import campaign_history
from storage.catalog_records import campaign_record
from storage.models import Campaign, CampaignDailyStats, CampaignHourlyStats, Creative


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def create(session: AsyncSession, values: dict[str, Any]) -> Campaign:
    campaign = Campaign(**values)
    session.add(campaign)
    await session.flush()
    await session.refresh(campaign)
    return campaign


async def get(
    session: AsyncSession, campaign_id: uuid.UUID, *, for_update: bool = False
) -> Campaign | None:
    stmt = select(Campaign).where(Campaign.id == campaign_id)
    if for_update:
        stmt = stmt.with_for_update()
    result = await session.execute(stmt)
    return result.scalar_one_or_none()


async def list_page(
    session: AsyncSession, *, status: str | None, search: str | None, limit: int, offset: int
) -> tuple[Sequence[Campaign], int]:
    """One page of campaigns, newest first, and the total matching the filters (``search``: in
    the name or the advertiser)."""
    conditions = []
    if status:
        conditions.append(Campaign.status == status)
    if search:
        pattern = _like_pattern(search)
        conditions.append(
            or_(
                Campaign.name.ilike(pattern, escape="\\"),
                Campaign.advertiser.ilike(pattern, escape="\\"),
            )
        )
    total = await session.scalar(select(func.count()).select_from(Campaign).where(*conditions))
    result = await session.execute(
        select(Campaign)
        .where(*conditions)
        .order_by(Campaign.created_at.desc(), Campaign.id)
        .limit(limit)
        .offset(offset)
    )
    return result.scalars().all(), int(total or 0)


async def update(session: AsyncSession, campaign: Campaign, values: dict[str, Any]) -> Campaign:
    for field, value in values.items():
        setattr(campaign, field, value)
    await session.flush()
    await session.refresh(campaign)
    return campaign


async def delete(session: AsyncSession, campaign: Campaign) -> None:
    await session.delete(campaign)
    await session.flush()


async def all_with_creatives(
    session: AsyncSession,
) -> list[tuple[Campaign, list[Creative]]]:
    """Every campaign with its creatives, for the catalog sync."""
    campaigns = (await session.execute(select(Campaign).order_by(Campaign.id))).scalars().all()
    creatives = (await session.execute(select(Creative).order_by(Creative.id))).scalars().all()
    by_campaign: dict[uuid.UUID, list[Creative]] = {c.id: [] for c in campaigns}
    for creative in creatives:
        by_campaign.setdefault(creative.campaign_id, []).append(creative)
    return [(c, by_campaign[c.id]) for c in campaigns]


async def creatives_of(session: AsyncSession, campaign_id: uuid.UUID) -> list[Creative]:
    result = await session.execute(
        select(Creative).where(Creative.campaign_id == campaign_id).order_by(Creative.created_at)
    )
    return list(result.scalars().all())


async def complete_finished(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    """Mark active/paused campaigns as completed once their flight ended or their budget cannot
    buy one more impression, each with an entry in its change history saying why and how much
    of its budget it spent."""
    ended = Campaign.end_date <= now
    finished = await session.execute(
        select(Campaign.id, Campaign.status, ended, Campaign.budget_spent, Campaign.budget_total)
        .where(
            Campaign.status.in_(("active", "paused")),
            or_(
                ended,
                Campaign.budget_spent >= Campaign.budget_total,
                and_(
                    Campaign.cpm > 0,
                    Campaign.budget_total - Campaign.budget_spent < Campaign.cpm / 1000,
                ),
            ),
        )
        .with_for_update()
    )
    rows = finished.tuples().all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    await session.execute(
        sql_update(Campaign).where(Campaign.id.in_(ids)).values(status="completed")
    )
    for campaign_id, status, flight_over, spent, budget in rows:
        changes = completion_changes(status, flight_ended=flight_over, spent=spent, budget=budget)
        await campaign_history.record(
            session, campaign_id=campaign_id, actor=AD_SERVER, action=Action.STATUS, changes=changes
        )
    return ids


async def paced(session: AsyncSession) -> list[Campaign]:
    """Campaigns the budget ledger keeps accounts for: active or paused."""
    result = await session.execute(
        select(Campaign).where(Campaign.status.in_(("active", "paused"))).order_by(Campaign.id)
    )
    return list(result.scalars().all())


async def delivery_watch(
    session: AsyncSession, *, now: datetime, limit: int
) -> tuple[list[BehindPlan], list[projection.FallingShort]]:
    """Of the active campaigns, read once: those behind their even-pacing plan at ``now`` and
    those whose spend at the last day's rate falls short of their budget by their end date
    (``ads.projection``), each list furthest first and at most ``limit`` long."""
    running = [
        (c, campaign_record(c))
        for c in await session.scalars(select(Campaign).where(Campaign.status == "active"))
    ]
    basis_start, basis_end = projection.basis(now)
    basis = await spend_between(session, start=basis_start, end=basis_end)
    today = await spend_today(session, day=now.date())
    plans = [(c.id, c.name, c.budget_spent, planned_by(r, now), c.cpm) for c, r in running]
    projected = [
        (
            c.id,
            c.name,
            c.budget_total,
            projection.project(
                r,
                spent=c.budget_spent,
                spent_today=today.get(c.id, Decimal(0)),
                basis_spend=basis.get(c.id, Decimal(0)),
                now=now,
            ),
        )
        for c, r in running
    ]
    return (
        reporting.behind_plan(plans, limit=limit),
        projection.falling_short(projected, limit=limit),
    )


async def ending(session: AsyncSession, *, now: datetime, within: timedelta) -> list[Campaign]:
    """Active campaigns whose flight ends within ``within`` of ``now``, soonest first."""
    result = await session.execute(
        select(Campaign)
        .where(
            Campaign.status == "active",
            Campaign.end_date > now,
            Campaign.end_date <= now + within,
        )
        .order_by(Campaign.end_date, Campaign.name)
    )
    return list(result.scalars().all())


async def failing_playback(session: AsyncSession, *, limit: int) -> list[Campaign]:
    """Active campaigns whose ads players fail to play (the playback check's flag), longest
    failing first."""
    result = await session.execute(
        select(Campaign)
        .where(Campaign.status == "active", Campaign.failing_since.is_not(None))
        .order_by(Campaign.failing_since, Campaign.name)
        .limit(limit)
    )
    return list(result.scalars().all())


async def spend_today(session: AsyncSession, *, day: date) -> dict[uuid.UUID, Decimal]:
    """Each campaign's spend on ``day`` (UTC), from the daily roll-up."""
    result = await session.execute(
        select(CampaignDailyStats.campaign_id, CampaignDailyStats.spend).where(
            CampaignDailyStats.day == day
        )
    )
    return {row.campaign_id: row.spend for row in result}


async def spend_between(
    session: AsyncSession, *, start: datetime, end: datetime
) -> dict[uuid.UUID, Decimal]:
    """Each campaign's spend in the hours ``[start, end)``, from the hourly roll-up."""
    result = await session.execute(
        select(CampaignHourlyStats.campaign_id, func.sum(CampaignHourlyStats.spend))
        .where(CampaignHourlyStats.hour >= start, CampaignHourlyStats.hour < end)
        .group_by(CampaignHourlyStats.campaign_id)
    )
    return {cid: spend for cid, spend in result.tuples()}
