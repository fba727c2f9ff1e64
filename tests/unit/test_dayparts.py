"""Dayparts (pure): which moments a daypart covers, how much of a range it covers, and how it
reads."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.catalog import campaign_from_hash, campaign_to_hash
from ads.dayparts import Daypart, as_weekly, check_zone, describe, weekly_hours
from ads.selection import CatalogIndex
from tests.unit.catalog_factories import NOW, campaign, creative

HOUR_US = 3_600_000_000
WEEKDAYS = frozenset(range(5))
PRIME = Daypart(weekly_hours(WEEKDAYS, 18, 23), zone="America/New_York")
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday, New York on EST (UTC-5)


def test_weekly_hours_run_on_the_given_days_and_past_midnight() -> None:
    assert weekly_hours({0}, 18, 21) == frozenset({18, 19, 20})
    assert weekly_hours({6}, 22, 2) == frozenset({166, 167, 0, 1})  # Sunday night into Monday
    assert len(weekly_hours(set(range(7)), 0, 24)) == 168
    assert weekly_hours({0}, 5, 5) == frozenset(range(5, 29))  # a whole day from 05:00
    for start, end in [(-1, 3), (3, 25), (24, 2)]:
        with pytest.raises(ValueError, match="hours run"):
            weekly_hours({0}, start, end)


def test_active_at_reads_the_campaign_clock() -> None:
    assert PRIME.active_at(MONDAY + timedelta(hours=23, minutes=30))  # 18:30 EST Monday
    assert not PRIME.active_at(MONDAY + timedelta(hours=22, minutes=59))  # 17:59 EST
    assert not PRIME.active_at(MONDAY + timedelta(days=1, hours=4))  # 23:00 EST: ended
    assert not PRIME.active_at(MONDAY + timedelta(days=5, hours=23, minutes=30))  # Saturday
    summer = datetime(2026, 7, 6, 22, 30, tzinfo=UTC)  # a Monday, 18:30 EDT (UTC-4)
    assert PRIME.active_at(summer)


def test_active_micros_counts_only_the_hours_of_the_daypart() -> None:
    week = PRIME.active_micros(MONDAY, MONDAY + timedelta(days=7))
    assert week == 25 * HOUR_US  # 5 hours on 5 days
    evening = MONDAY + timedelta(hours=23)  # 18:00 EST
    assert PRIME.active_micros(evening, evening + timedelta(minutes=90)) == HOUR_US * 3 // 2
    assert PRIME.active_micros(MONDAY, MONDAY + timedelta(hours=20)) == 0
    assert PRIME.active_micros(MONDAY, MONDAY) == 0
    four_weeks = PRIME.active_micros(MONDAY, MONDAY + timedelta(days=28))
    assert four_weeks == 100 * HOUR_US


def test_the_clock_change_costs_at_most_an_hour() -> None:
    always = Daypart(weekly_hours(set(range(7)), 0, 24), zone="America/New_York")
    spring = datetime(2026, 3, 1, tzinfo=UTC)
    month = always.active_micros(spring, spring + timedelta(days=31))
    assert abs(month - 31 * 24 * HOUR_US) <= HOUR_US
    utc = Daypart(frozenset({9}), zone="UTC")  # Monday 09:00-10:00 UTC
    assert utc.active_micros(MONDAY, MONDAY + timedelta(days=7)) == HOUR_US


@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    first=st.integers(0, 14 * 24 * 60),
    second=st.integers(0, 14 * 24 * 60),
)
def test_active_micros_adds_up_over_split_ranges(start: datetime, first: int, second: int) -> None:
    middle = start + timedelta(minutes=first)
    end = middle + timedelta(minutes=second)
    whole = PRIME.active_micros(start, end)
    assert whole == PRIME.active_micros(start, middle) + PRIME.active_micros(middle, end)
    assert 0 <= whole <= (end - start) // timedelta(microseconds=1)


def test_dayparts_survive_their_text_form_and_refuse_nonsense() -> None:
    assert Daypart.parse(str(PRIME)) == PRIME
    assert str(Daypart(frozenset({2, 1}), "UTC")) == "UTC;1,2"
    with pytest.raises(ValueError, match="hours of the week"):
        Daypart(frozenset({168}))
    with pytest.raises(ValueError, match="hours of the week"):
        Daypart(frozenset())
    with pytest.raises(ValueError, match="time zone"):
        Daypart(frozenset({1}), zone="Mars/Olympus")
    assert check_zone("Europe/Paris") == "Europe/Paris"
    for bad in ("../../etc/passwd", "Mars/Olympus", "", "<b>"):
        with pytest.raises(ValueError, match="time zone"):
            check_zone(bad)


def test_describe_groups_days_with_the_same_hours() -> None:
    assert describe(PRIME) == "Mon-Fri 18:00-23:00 (America/New_York)"
    weekend = weekly_hours({5, 6}, 10, 24) | weekly_hours({0}, 6, 9)
    assert describe(Daypart(weekend, "UTC")) == "Mon 06:00-09:00; Sat-Sun 10:00-24:00 (UTC)"
    late = Daypart(weekly_hours({4}, 22, 2), "UTC")
    assert describe(late) == "Fri 22:00-24:00; Sat 00:00-02:00 (UTC)"


@pytest.mark.parametrize(
    ("days", "start", "end"),
    [
        ({0, 1, 2, 3, 4}, 18, 23),
        ({5, 6}, 0, 24),
        ({4}, 22, 2),
        ({6}, 20, 1),
        ({2}, 0, 1),
        ({3}, 6, 6),
    ],
)
def test_daily_windows_are_read_back_from_their_hours(days: set[int], start: int, end: int) -> None:
    assert as_weekly(weekly_hours(days, start, end)) == (frozenset(days), start, end)


def test_hours_that_are_no_daily_window_read_back_as_none() -> None:
    assert as_weekly(frozenset({1, 5})) is None  # two windows on Monday
    assert as_weekly(weekly_hours({0}, 18, 20) | weekly_hours({1}, 9, 12)) is None


def test_the_index_serves_a_dayparted_campaign_only_in_its_hours() -> None:
    evenings = Daypart(weekly_hours(set(range(7)), 18, 20), zone="UTC")
    night_owl = campaign(1, daypart=evenings)
    index = CatalogIndex([night_owl, campaign(2)], [creative(1), creative(2)])
    day = NOW.replace(hour=0)
    rng = random.Random(3)

    def served_at(moment: datetime) -> set[str]:
        picks = (index.pick(moment, max_duration_ms=None, rng=rng) for _ in range(40))
        return {pick[0].id for pick in picks if pick is not None}

    assert served_at(day + timedelta(hours=17, minutes=59)) == {"c2"}
    assert served_at(day + timedelta(hours=18)) == {"c1", "c2"}  # the cached set moves on
    assert served_at(day + timedelta(hours=19, minutes=59)) == {"c1", "c2"}
    assert served_at(day + timedelta(hours=20)) == {"c2"}
    assert [c.id for c in index.live(day + timedelta(hours=18, minutes=30))] == ["c1", "c2"]
    assert [c.id for c in index.live(day + timedelta(hours=21))] == ["c2"]
    assert (
        index.pick(day + timedelta(hours=21), max_duration_ms=None, rng=rng, campaign_id="c1")
        is None
    )


def test_dayparts_survive_the_catalog_hash() -> None:
    dayparted = campaign(1, daypart=PRIME)
    assert campaign_to_hash(dayparted)["daypart"] == str(PRIME)
    assert campaign_from_hash(campaign_to_hash(dayparted)) == dayparted
    assert campaign_from_hash(campaign_to_hash(campaign(2))).daypart is None
