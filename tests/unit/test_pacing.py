"""Pacing math: the money scale, the cumulative plan and the allowance at an instant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ads.campaigns import Pacing
from ads.catalog import CatalogCampaign
from ads.dayparts import Daypart, weekly_hours
from ads.pacing import (
    BUCKET,
    DAY,
    Flight,
    Marks,
    advance,
    allowance,
    begin,
    daily_plan,
    from_micros,
    impression_cost,
    planned_by,
    planned_spend,
    to_micros,
)
from tests.unit.catalog_factories import campaign

START = datetime(2026, 3, 1, tzinfo=UTC)
UNIT = 1_000_000
COST = 10_000
"""An impression at a CPM of 10.00."""


def flight(
    *,
    budget: int = 960 * UNIT,
    pacing: Pacing = Pacing.EVEN,
    start: datetime = START,
    end: datetime = START + 10 * DAY,
    daily_cap: int | None = None,
    cost: int = COST,
) -> Flight:
    return Flight(
        budget=budget, cost=cost, pacing=pacing, start=start, end=end, daily_cap=daily_cap
    )


def allowed(f: Flight, marks: Marks, *, spent: int, now: datetime) -> int:
    return allowance(f, marks, spent=spent, now=now)


def test_money_converts_exactly_to_and_from_micros() -> None:
    assert to_micros(Decimal("12.345678")) == 12_345_678
    assert from_micros(12_345_678) == Decimal("12.345678")
    assert impression_cost(Decimal("12.34")) == 12_340
    assert impression_cost(Decimal("0.01")) == 10
    for bad in ("0.0000001", "NaN", "Infinity"):
        with pytest.raises(ValueError, match="micro-units"):
            to_micros(Decimal(bad))


def test_flight_of_a_catalog_campaign() -> None:
    campaign = CatalogCampaign(
        id="c1",
        name="Spring",
        status="active",
        budget_total=Decimal("1000.00"),
        budget_spent=Decimal("10.00"),
        cpm=Decimal("12.50"),
        pacing="asap",
        start_date=START,
        end_date=START + DAY,
        click_through_url=None,
        daily_cap=Decimal("50.00"),
    )
    assert Flight.of(campaign) == Flight(
        budget=1000 * UNIT,
        cost=12_500,
        pacing=Pacing.ASAP,
        start=START,
        end=START + DAY,
        daily_cap=50 * UNIT,
    )


def test_flight_rejects_free_impressions_and_backwards_dates() -> None:
    with pytest.raises(ValueError, match="positive CPM"):
        flight(cost=0)
    with pytest.raises(ValueError, match="end after it starts"):
        flight(end=START)


def test_even_plan_is_linear_across_partial_first_and_last_days() -> None:
    start = START + timedelta(hours=18)
    f = flight(budget=60 * UNIT, start=start, end=start + timedelta(hours=60))
    for hours in range(61):
        assert planned_spend(f, start + timedelta(hours=hours)) == hours * UNIT
    assert planned_spend(f, start - DAY) == 0
    assert planned_spend(f, f.end + DAY) == f.budget


def test_the_daily_plan_ends_each_utc_day_at_the_plan_so_far() -> None:
    start = START + timedelta(hours=18)  # 6 h on the first day, 24 on the second, 30 in all
    f = flight(budget=30 * UNIT, start=start, end=start + timedelta(hours=30))
    first, second = start.date(), start.date() + DAY
    assert daily_plan(f, f.end + DAY) == [(first, 6 * UNIT), (second, 30 * UNIT)]
    assert daily_plan(f, start + timedelta(hours=10)) == [(first, 6 * UNIT), (second, 10 * UNIT)]
    assert daily_plan(f, start) == []


def test_daily_cap_flattens_the_even_plan() -> None:
    f = flight(budget=100 * UNIT, daily_cap=5 * UNIT)
    assert [planned_spend(f, START + day * DAY) for day in range(11)] == [
        5 * UNIT * day for day in range(11)
    ]


def test_asap_plan_is_the_whole_budget_or_the_daily_cap_from_each_day_start() -> None:
    f = flight(pacing=Pacing.ASAP)
    assert planned_spend(f, START) == 0
    assert planned_spend(f, START + timedelta(seconds=1)) == f.budget
    capped = flight(pacing=Pacing.ASAP, daily_cap=100 * UNIT)
    assert planned_spend(capped, START + timedelta(days=2, hours=1)) == 300 * UNIT


def test_allowance_is_zero_outside_the_flight_or_once_the_budget_is_spent() -> None:
    f = flight(pacing=Pacing.ASAP)
    marks = begin(f, spent=0, now=START - DAY)
    assert allowed(f, marks, spent=0, now=START - timedelta(seconds=1)) == 0
    assert allowed(f, marks, spent=0, now=START) == f.budget
    assert allowed(f, marks, spent=f.budget, now=START) == 0
    assert allowed(f, marks, spent=0, now=f.end) == 0


def test_asap_allowance_is_the_remaining_budget_up_to_the_daily_cap() -> None:
    f = flight(pacing=Pacing.ASAP, daily_cap=100 * UNIT)
    marks = begin(f, spent=0, now=START)
    assert allowed(f, marks, spent=0, now=START) == 100 * UNIT
    assert allowed(f, marks, spent=60 * UNIT, now=START + timedelta(hours=23)) == 40 * UNIT
    tomorrow = START + DAY
    marks = advance(f, marks, spent=100 * UNIT, now=tomorrow)
    assert allowed(f, marks, spent=100 * UNIT, now=tomorrow) == 100 * UNIT
    nearly_spent = f.budget - 30 * UNIT
    marks = begin(f, spent=nearly_spent, now=tomorrow)
    assert allowed(f, marks, spent=nearly_spent, now=tomorrow) == 30 * UNIT


def test_even_allowance_releases_one_bucket_share_at_a_time() -> None:
    f = flight()  # 96 units a day over 96 buckets: 1 unit per bucket
    marks = begin(f, spent=0, now=START)
    assert allowed(f, marks, spent=0, now=START) == UNIT
    assert allowed(f, marks, spent=UNIT, now=START + timedelta(minutes=14)) == 0
    later = START + BUCKET
    marks = advance(f, marks, spent=UNIT, now=later)
    assert marks.bucket_start == later
    assert allowed(f, marks, spent=UNIT, now=later) == UNIT
    assert advance(f, marks, spent=2 * UNIT, now=later + timedelta(minutes=5)) is marks


def test_catch_up_is_at_most_twice_the_bucket_share() -> None:
    f = flight()
    marks = begin(f, spent=0, now=START)
    spent, caught_up = 0, []
    for bucket in range(4, 10):
        now = START + bucket * BUCKET
        marks = advance(f, marks, spent=spent, now=now)
        room = allowed(f, marks, spent=spent, now=now)
        spent += room
        caught_up.append(room // UNIT)
        assert allowed(f, marks, spent=spent, now=now) == 0
    assert caught_up == [2, 2, 2, 2, 1, 1]


def test_a_day_without_delivery_is_spread_over_the_remaining_days() -> None:
    f = flight(budget=9 * 96 * UNIT, end=START + 10 * DAY)
    day_two = START + DAY
    marks = advance(f, begin(f, spent=0, now=START), spent=0, now=day_two)
    assert (marks.day_start, marks.day_planned) == (day_two, 0)
    assert allowed(f, marks, spent=0, now=day_two) == UNIT  # 864 units over 9 days, 96 buckets


def test_fractions_of_an_impression_a_day_add_up_across_days() -> None:
    f = flight(budget=10 * COST, end=START + 30 * DAY)
    marks, spent = begin(f, spent=0, now=START), 0
    for bucket in range(30 * 96):
        now = START + bucket * BUCKET
        marks = advance(f, marks, spent=spent, now=now)
        spent += allowed(f, marks, spent=spent, now=now) // COST * COST
        if bucket % 4 == 0:
            assert planned_spend(f, now) - COST <= spent <= planned_spend(f, now + BUCKET)
    assert spent == f.budget


def test_daily_cap_counts_actual_spend_even_when_the_plan_carries_a_fraction() -> None:
    f = flight(pacing=Pacing.ASAP, daily_cap=4 * COST)
    tomorrow = START + DAY
    marks = advance(f, begin(f, spent=0, now=START), spent=4 * COST - 1, now=tomorrow)
    assert marks.day_planned == 4 * COST
    assert allowed(f, marks, spent=4 * COST - 1, now=tomorrow) == 4 * COST


def test_restart_keeps_todays_plan_when_todays_spend_is_known() -> None:
    f = flight()
    noon = START + timedelta(days=2, hours=12)
    known = begin(f, spent=240 * UNIT, now=noon, spent_today=48 * UNIT)
    assert (known.day_start, known.day_planned, known.bucket_start) == (
        START + 2 * DAY,
        192 * UNIT,
        noon,
    )
    assert allowed(f, known, spent=240 * UNIT, now=noon) == UNIT
    unknown = begin(f, spent=240 * UNIT, now=noon)
    assert (unknown.day_start, unknown.day_planned) == (noon, 240 * UNIT)
    assert allowed(f, unknown, spent=240 * UNIT, now=noon) == UNIT


@settings(max_examples=60, deadline=None)
@given(
    pacing=st.sampled_from(Pacing),
    impressions=st.integers(1, 5_000),
    days=st.integers(1, 5),
    start_minute=st.integers(0, 24 * 60 - 1),
    daily_cap=st.none() | st.integers(1, 2_000),
    steps=st.lists(st.integers(1, 40 * 60), min_size=1, max_size=200),
)
def test_spending_every_allowance_never_runs_ahead_of_the_plan(
    pacing: Pacing,
    impressions: int,
    days: int,
    start_minute: int,
    daily_cap: int | None,
    steps: list[int],
) -> None:
    start = START + timedelta(minutes=start_minute)
    f = flight(
        budget=impressions * COST + COST // 3,
        pacing=pacing,
        start=start,
        end=start + days * DAY,
        daily_cap=None if daily_cap is None else daily_cap * COST,
    )
    marks, spent, now = begin(f, spent=0, now=start), 0, start
    for seconds in steps:
        marks = advance(f, marks, spent=spent, now=now)
        room = allowed(f, marks, spent=spent, now=now)
        assert room >= 0
        spent += room
        assert spent <= f.budget
        assert spent <= planned_spend(f, marks.bucket_end) + COST
        now += timedelta(seconds=seconds)


PRIME_TIME = Daypart(weekly_hours(set(range(7)), 18, 22), zone="UTC")  # 4 hours a day


def test_a_dayparted_flight_spends_only_in_its_hours_and_evenly_over_them() -> None:
    f = replace(flight(budget=7 * 16 * UNIT, end=START + 7 * DAY), daypart=PRIME_TIME)
    marks, spent, by_day = begin(f, spent=0, now=START), 0, [0] * 7
    for bucket in range(7 * 96):
        now = START + bucket * BUCKET
        marks = advance(f, marks, spent=spent, now=now)
        room = allowed(f, marks, spent=spent, now=now)
        if not PRIME_TIME.active_at(now):
            assert room == 0, now
        spent += room // COST * COST
        by_day[bucket // 96] += room // COST * COST
    assert spent == f.budget
    assert by_day == [16 * UNIT] * 7  # 16 buckets of prime time a day, one unit each
    assert planned_spend(f, START + timedelta(hours=18)) == 0
    assert planned_spend(f, START + timedelta(hours=20)) == 8 * UNIT
    assert planned_spend(f, START + timedelta(hours=23)) == 16 * UNIT


def test_a_flight_whose_hours_have_passed_may_spend_nothing_more() -> None:
    f = replace(flight(budget=100 * UNIT, end=START + DAY), daypart=PRIME_TIME)
    late = START + timedelta(hours=22, minutes=30)
    marks = begin(f, spent=10 * UNIT, now=late)
    assert allowed(f, marks, spent=10 * UNIT, now=late) == 0
    asap = replace(f, pacing=Pacing.ASAP)
    assert allowed(asap, begin(asap, spent=0, now=late), spent=0, now=late) == 0
    evening = START + timedelta(hours=19)
    assert allowed(asap, begin(asap, spent=0, now=evening), spent=0, now=evening) == 100 * UNIT


def test_planned_by_is_the_even_plan_so_far_and_none_where_there_is_no_plan() -> None:
    record = campaign(
        1, budget_total=Decimal(960), cpm=Decimal(10), start_date=START, end_date=START + 10 * DAY
    )
    assert planned_by(record, START + timedelta(days=2, hours=12)) == Decimal(240)
    assert planned_by(record, START + 20 * DAY) == Decimal(960)  # the whole flight, no more
    assert planned_by(record, START) is None
    assert planned_by(replace(record, pacing="asap"), START + DAY) is None
    assert planned_by(replace(record, cpm=Decimal(0)), START + DAY) is None
