"""Pacing: how much more a campaign may spend right now, and the cumulative plan it follows.

Money is integer micro-units (10⁻⁶ of the currency), the scale of ``ad_events.cost`` and of the
spend roll-ups (NUMERIC(18, 6)): at a CPM of 12.34 an impression costs exactly 12_340 micros.
Integers keep the ledger's sums exact and a replica's per-request check cheap; convert at the
edges with :func:`to_micros` and :func:`from_micros`. Datetimes are UTC; days are UTC days.

*Spent* here means committed plus reserved (leased and not yet settled, released or expired).

A dayparted campaign (ads/dayparts.py) counts only the time in its hours: the plan accrues while
it runs and stands still while it does not, and nothing may be reserved outside its hours.

- ``asap``: the day's allowance is the remaining budget (capped by the daily cap), all of it
  spendable at once.
- ``even``: at the start of each day the day's allowance is the remaining budget divided by the
  remaining flight time, times the part of the flight that lies in this day (so a partial first
  or last day gets its fraction), capped by the daily cap. Within the day the plan accrues
  linearly and is released one bucket at a time: by the end of the current bucket the day's
  spend may reach the day's plan up to then, catching up on earlier buckets, but no bucket may
  take more than ``catch_up`` times its nominal share (or one impression). A shortfall of one
  impression or more at the end of a day is spread over the remaining days by the next day's
  allowance; a smaller one is carried into the next day, so that budgets smaller than one
  impression a day still deliver evenly.

The current day and bucket, and the spend at their start, are kept in :class:`Marks`; the ledger
stores them per campaign and rolls them forward with :func:`advance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from ads.campaigns import Pacing
from ads.catalog import CatalogCampaign
from ads.dayparts import Daypart

Micros = int
"""An amount of money in micro-units of the currency."""

DAY = timedelta(days=1)
BUCKET = timedelta(minutes=15)
CATCH_UP = 2
_MICROSECOND = timedelta(microseconds=1)


def to_micros(amount: Decimal) -> Micros:
    """``amount`` in micro-units; ``ValueError`` unless it is a whole number of them."""
    micros = amount.scaleb(6)
    if not micros.is_finite() or micros != micros.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of micro-units")
    return int(micros)


def from_micros(micros: Micros) -> Decimal:
    """``micros`` as a Decimal amount with six decimal places."""
    return Decimal(micros).scaleb(-6)


def impression_cost(cpm: Decimal) -> Micros:
    """What one impression costs at ``cpm`` (per thousand), as the impression sink bills it."""
    return to_micros(cpm.scaleb(-3))


@dataclass(frozen=True, slots=True)
class Flight:
    """The pacing inputs of one campaign, money in micros."""

    budget: Micros
    cost: Micros
    """What one impression costs."""
    pacing: Pacing
    start: datetime
    end: datetime
    daily_cap: Micros | None = None
    daypart: Daypart | None = None

    def __post_init__(self) -> None:
        if self.cost <= 0:
            raise ValueError("a paced campaign needs a positive CPM")
        if self.end <= self.start:
            raise ValueError("a flight must end after it starts")

    @classmethod
    def of(cls, campaign: CatalogCampaign) -> Flight:
        """The flight of a catalog campaign."""
        return cls(
            budget=to_micros(campaign.budget_total),
            cost=impression_cost(campaign.cpm),
            pacing=Pacing(campaign.pacing),
            start=campaign.start_date,
            end=campaign.end_date,
            daily_cap=None if campaign.daily_cap is None else to_micros(campaign.daily_cap),
            daypart=campaign.daypart,
        )

    def time_between(self, start: datetime, end: datetime) -> int:
        """Microseconds of ``[start, end)`` the campaign runs: all of it, or its daypart's."""
        if self.daypart is None:
            return _micros_between(start, end)
        return self.daypart.active_micros(start, end)


@dataclass(frozen=True, slots=True)
class Marks:
    """The current pacing day and bucket, and the spend at their start.

    ``day_planned`` is the spend today's plan starts from: the actual spend at the day's start,
    or yesterday's plan when spend kept to it (less than one impression behind). Days and buckets
    start on UTC midnights and bucket boundaries, except at the flight start and where pacing
    restarted without knowing the spend at the boundary.
    """

    day_start: datetime
    day_end: datetime
    day_planned: Micros
    day_spent: Micros
    bucket_start: datetime
    bucket_end: datetime
    bucket_spent: Micros


def begin(
    flight: Flight,
    *,
    spent: Micros,
    now: datetime,
    spent_today: Micros | None = None,
    bucket: timedelta = BUCKET,
) -> Marks:
    """Marks for pacing that starts, or restarts after a ledger restart, at ``now``.

    With ``spent_today`` (what the campaign spent since midnight UTC, e.g. from the daily
    roll-up) today's plan is the one it had since midnight; without it, today's plan restarts at
    ``now`` from ``spent``, and the daily cap then counts only the spend from ``now`` on. The
    bucket restarts at ``now``.
    """
    now = max(now, flight.start)
    day_start, day_spent = now, spent
    if spent_today is not None:
        day_start, day_spent = max(_midnight(now), flight.start), spent - spent_today
    day_end = _day_end(flight, now)
    return Marks(
        day_start=day_start,
        day_end=day_end,
        day_planned=day_spent,
        day_spent=day_spent,
        bucket_start=now,
        bucket_end=min(day_end, _bucket_start(now, bucket=bucket) + bucket),
        bucket_spent=spent,
    )


def advance(
    flight: Flight, marks: Marks, *, spent: Micros, now: datetime, bucket: timedelta = BUCKET
) -> Marks:
    """``marks`` rolled forward to the day and bucket of ``now`` (the same object if current).

    A new day keeps to the old plan unless spend fell behind it by one impression or more; then
    the remaining budget is planned afresh from ``spent`` over the remaining days.
    """
    if now < marks.bucket_end:
        return marks
    start = _bucket_start(now, bucket=bucket)
    if now < marks.day_end:
        return Marks(
            day_start=marks.day_start,
            day_end=marks.day_end,
            day_planned=marks.day_planned,
            day_spent=marks.day_spent,
            bucket_start=start,
            bucket_end=min(marks.day_end, start + bucket),
            bucket_spent=spent,
        )
    planned = marks.day_planned + _day_budget(
        flight, spent=marks.day_planned, since=marks.day_start, until=marks.day_end
    )
    day_end = _day_end(flight, now)
    return Marks(
        day_start=_midnight(now),
        day_end=day_end,
        day_planned=planned if spent > planned - flight.cost else spent,
        day_spent=spent,
        bucket_start=start,
        bucket_end=min(day_end, start + bucket),
        bucket_spent=spent,
    )


def allowance(
    flight: Flight,
    marks: Marks,
    *,
    spent: Micros,
    now: datetime,
    bucket: timedelta = BUCKET,
    catch_up: int = CATCH_UP,
) -> Micros:
    """How much more may be reserved right now: 0 outside the flight, when the budget is spent,
    or when spend is ahead of plan.
    """
    if not flight.start <= now < flight.end or spent >= flight.budget:
        return 0
    if flight.daypart is not None and not flight.daypart.active_at(now):
        return 0
    marks = advance(flight, marks, spent=spent, now=now, bucket=bucket)
    today = _day_budget(flight, spent=marks.day_planned, since=marks.day_start, until=marks.day_end)
    beyond_plan_start = spent - marks.day_planned
    if flight.pacing is Pacing.ASAP:
        room = today - beyond_plan_start
    else:
        day = flight.time_between(marks.day_start, marks.day_end)
        if day == 0:
            return 0
        target = today * flight.time_between(marks.day_start, marks.bucket_end) // day
        share = today * flight.time_between(marks.bucket_start, marks.bucket_end) // day
        bucket_cap = max(catch_up * share, flight.cost)
        room = min(target - beyond_plan_start, bucket_cap - (spent - marks.bucket_spent))
    if flight.daily_cap is not None:
        room = min(room, flight.daily_cap - (spent - marks.day_spent))
    return max(0, min(room, flight.budget - spent))


def planned_spend(flight: Flight, at: datetime) -> Micros:
    """What the campaign should have spent by ``at`` if it had delivered exactly to plan."""
    days = daily_plan(flight, at)
    return days[-1][1] if days else 0


def daily_plan(flight: Flight, at: datetime) -> list[tuple[date, Micros]]:
    """The plan's cumulative spend at the end of each UTC day of the flight before ``at`` (the
    last day's: by ``at``, or by the flight's end); empty before the flight starts."""
    days: list[tuple[date, Micros]] = []
    spent, since = 0, flight.start
    while since < min(at, flight.end):
        until = _day_end(flight, since)
        today = _day_budget(flight, spent=spent, since=since, until=until)
        if at < until and flight.pacing is not Pacing.ASAP:  # part of the day gone
            day = flight.time_between(since, until)
            today = today * flight.time_between(since, at) // day if day else 0
        days.append((since.date(), spent + today))
        spent, since = spent + today, until
    return days


def planned_by(campaign: CatalogCampaign, at: datetime) -> Decimal | None:
    """What an evenly paced campaign's plan has released by ``at`` (its flight's end at the
    latest), to set its spend against; None for ASAP pacing, a zero CPM, or before it starts."""
    if campaign.pacing != Pacing.EVEN or campaign.cpm <= 0 or at <= campaign.start_date:
        return None
    flight = Flight.of(campaign)
    return from_micros(planned_spend(flight, min(at, flight.end)))


def _day_budget(flight: Flight, *, spent: Micros, since: datetime, until: datetime) -> Micros:
    """The allowance of the day part ``[since, until)``, given ``spent`` at ``since``."""
    left = flight.budget - spent
    if flight.pacing is Pacing.EVEN:
        remaining = flight.time_between(since, flight.end)
        left = left * flight.time_between(since, until) // remaining if remaining else 0
    if flight.daily_cap is not None:
        left = min(left, flight.daily_cap)
    return max(0, left)


def _midnight(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def _day_end(flight: Flight, at: datetime) -> datetime:
    return min(flight.end, _midnight(at) + DAY)


def _bucket_start(at: datetime, *, bucket: timedelta) -> datetime:
    midnight = _midnight(at)
    return midnight + (at - midnight) // bucket * bucket


def _micros_between(start: datetime, end: datetime) -> int:
    return (end - start) // _MICROSECOND
