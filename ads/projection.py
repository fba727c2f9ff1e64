"""Where a campaign's spend is heading: its last day's delivery rate carried to the end date.

The rate is read from the 24 complete hours before the current hour (the hourly roll-up), per
microsecond the campaign ran in them (its daypart's hours, or all of them), and carried over
the time it runs from now to its end date, day by day so that a daily cap holds each day
(today's spend so far counted against today's). An ASAP campaign may run out of budget before
its end date: the projection says when. An evenly paced one cannot (its plan spreads what is
left over the days left), so its projection stops at the budget.

There is no projection for a campaign that is not active, spends nothing (a zero CPM), has
ended, has run less than those 24 hours, or did not run in them (a daypart that skips a day).
A projection below :data:`SHORT_OF_BUDGET` of the budget is a campaign *falling short*: Home and
the daily digest list them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel

from ads.campaigns import CampaignStatus, Money, Pacing
from ads.catalog import CatalogCampaign
from ads.inventory import HOUR, hour_of
from ads.pacing import DAY, Flight, Micros, from_micros, to_micros

SHORT_OF_BUDGET = 0.9
"""The share of its budget below which a campaign's projection is a warning (the share of its
plan below which it is behind, ``ads.delivery_alerts``)."""
BASIS = timedelta(hours=24)


class Projection(BaseModel):
    basis_start: datetime
    basis_end: datetime
    """The hours the rate is read from: the 24 complete hours before the current one."""
    basis_spend: Money
    """Spent in those hours."""
    spend_at_end: Money
    """What the campaign will have spent by its end date at that rate (the budget at most)."""
    share_of_budget: float
    """``spend_at_end`` over the budget."""
    budget_spent_at: datetime | None
    """When the budget runs out at that rate, if before the end date (ASAP pacing only)."""


class FallingShort(BaseModel):
    """An active campaign whose projection falls short of its budget."""

    id: uuid.UUID
    name: str
    budget_total: Money
    spend_at_end: Money
    share_of_budget: float
    """To three places: 0.6 is 40% of the budget left unspent at the end date."""


def falling_short(
    campaigns: Iterable[tuple[uuid.UUID, str, Decimal, Projection | None]], *, limit: int
) -> list[FallingShort]:
    """From ``(id, name, budget, projection)`` of campaigns: those projected below
    :data:`SHORT_OF_BUDGET`, furthest first."""
    short = [
        FallingShort(
            id=cid,
            name=name,
            budget_total=budget,
            spend_at_end=projection.spend_at_end,
            share_of_budget=round(projection.share_of_budget, 3),
        )
        for cid, name, budget, projection in campaigns
        if projection is not None and projection.share_of_budget < SHORT_OF_BUDGET
    ]
    return sorted(short, key=lambda s: (s.share_of_budget, s.name))[:limit]


def basis(now: datetime) -> tuple[datetime, datetime]:
    """The hours a projection at ``now`` reads its rate from."""
    end = hour_of(now)
    return end - BASIS, end


def project(
    campaign: CatalogCampaign,
    *,
    spent: Decimal,
    spent_today: Decimal,
    basis_spend: Decimal,
    now: datetime,
) -> Projection | None:
    """``campaign``'s projection at ``now``, given what it has ``spent`` in all, today (UTC) and
    in the :func:`basis` hours; None where it has none (see the module's docstring)."""
    basis_start, basis_end = basis(now)
    if (
        campaign.status != CampaignStatus.ACTIVE
        or campaign.cpm <= 0
        or now >= campaign.end_date
        or basis_start < campaign.start_date
    ):
        return None
    flight = Flight.of(campaign)
    ran = flight.time_between(basis_start, basis_end)
    if ran == 0:
        return None
    budget, total, rate = flight.budget, to_micros(spent), to_micros(basis_spend)
    out_at: datetime | None = None
    whole = total + rate * flight.time_between(now, flight.end) // ran
    day_spent, since = to_micros(spent_today), now
    if flight.daily_cap is None and (whole < budget or flight.pacing is not Pacing.ASAP):
        total, since = min(budget, whole), flight.end  # nothing to find day by day
    while since < flight.end and total < budget:  # a daily cap, or the day ASAP runs out
        until = min(since.replace(hour=0, minute=0, second=0, microsecond=0) + DAY, flight.end)
        flow = rate * flight.time_between(since, until) // ran
        extra = flow
        if flight.daily_cap is not None:
            extra = max(0, min(flow, flight.daily_cap - day_spent))
        if total + extra >= budget and flight.pacing is Pacing.ASAP:
            out_at = _when(flight, since, until, share=(budget - total) / flow)
        total, day_spent, since = min(budget, total + extra), 0, until
    return Projection(
        basis_start=basis_start,
        basis_end=basis_end,
        basis_spend=basis_spend,
        spend_at_end=from_micros(total),
        share_of_budget=total / budget,
        budget_spent_at=out_at if out_at is not None and out_at < flight.end else None,
    )


def _when(flight: Flight, since: datetime, until: datetime, *, share: float) -> datetime:
    """The moment of ``[since, until)`` by which ``share`` of its running time has passed, to
    the hour (the hour it falls in, when running time stands still in dayparts)."""
    whole: Micros = flight.time_between(since, until)
    at = since
    while at < until and flight.time_between(since, at) < share * whole:
        at = min(hour_of(at) + HOUR, until)
    return at
