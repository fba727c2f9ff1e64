"""``GET /campaigns/{id}/pacing``: a campaign's spend day by day over its flight so far, summed
up, against what its plan releases by each day's end over the whole flight
(``ads.pacing.daily_plan``), and where the last day's rate takes it by the end date
(``ads.projection``): the delivery curve ad operations read to see whether a budget will be
spent by the end date."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from pydantic import BaseModel

from ads.campaigns import Money, Pacing
from ads.catalog import CatalogCampaign
from ads.pacing import Flight, daily_plan, from_micros
from ads.projection import Projection, project


class PacingDay(BaseModel):
    day: date
    spent: Money | None
    """Spent by the day's end (today: so far), from the daily roll-up; None for days to come."""
    planned: Money | None
    """What the plan releases by the day's end (today: by now); None without a plan (ASAP
    pacing, a zero CPM)."""


class PacingReport(BaseModel):
    campaign_id: uuid.UUID
    pacing: Pacing
    budget_total: Money
    days: list[PacingDay]
    """Every UTC day of the flight, first to last."""
    projection: Projection | None


def flight_days(start: datetime, until: datetime) -> list[date]:
    """The UTC days that ``[start, until)`` touches."""
    days: list[date] = []
    day = start.date()
    while start < until and datetime.combine(day, time.min, tzinfo=start.tzinfo) < until:
        days.append(day)
        day += timedelta(days=1)
    return days


def pacing_report(
    campaign: CatalogCampaign,
    spend_by_day: Mapping[date, Decimal],
    *,
    basis_spend: Decimal,
    now: datetime,
) -> PacingReport:
    """The report of ``campaign`` at ``now`` from its daily spend and its spend in the
    projection's basis hours (``ads.projection.basis``)."""
    until = min(now, campaign.end_date)
    planned: dict[date, Decimal] = {}
    if campaign.pacing == Pacing.EVEN and campaign.cpm > 0:
        flight = Flight.of(campaign)
        ahead = daily_plan(flight, campaign.end_date) + daily_plan(flight, until)[-1:]
        planned = {day: from_micros(micros) for day, micros in ahead}  # today's: by now
    gone = set(flight_days(campaign.start_date, until))
    days, spent = [], Decimal(0)
    for day in flight_days(campaign.start_date, campaign.end_date):
        spent += spend_by_day.get(day, Decimal(0))
        days.append(
            PacingDay(day=day, spent=spent if day in gone else None, planned=planned.get(day))
        )
    return PacingReport(
        campaign_id=uuid.UUID(campaign.id),
        pacing=Pacing(campaign.pacing),
        budget_total=campaign.budget_total,
        days=days,
        projection=project(
            campaign,
            spent=spent,
            spent_today=spend_by_day.get(now.date(), Decimal(0)),
            basis_spend=basis_spend,
            now=now,
        ),
    )
