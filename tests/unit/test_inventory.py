"""Inventory counts and the hourly fill-rate report (pure)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from ads.inventory import (
    DAY,
    HOUR,
    InventoryCounts,
    by_day,
    days_up_to,
    hour_of,
    hours_of,
    hours_up_to,
    merged,
    report,
)
from storage.models import InventoryHour

NOW = datetime(2026, 12, 6, 10, 42, 17, 5, tzinfo=UTC)


def test_counts_add_up_field_by_field_and_travel_as_non_zero_fields() -> None:
    one = InventoryCounts(requests=10, filled=8, house_only=2, ads=12, house_ads=3)
    two = InventoryCounts(requests=5, filled=1, ads=1, invalid=4)
    total = one + two
    assert total == InventoryCounts(
        requests=15, filled=9, house_only=2, ads=13, house_ads=3, invalid=4
    )
    assert two.as_fields() == {"requests": 5, "filled": 1, "ads": 1, "invalid": 4}
    assert InventoryCounts.from_fields({**one.as_fields(), "from_a_newer_replica": "7"}) == one
    assert InventoryCounts.from_fields({k: str(v) for k, v in one.as_fields().items()}) == one


def test_hours_run_oldest_first_up_to_the_current_one() -> None:
    assert hour_of(NOW) == datetime(2026, 12, 6, 10, tzinfo=UTC)
    hours = hours_up_to(NOW, 3)
    assert hours == [datetime(2026, 12, 6, h, tzinfo=UTC) for h in (8, 9, 10)]
    assert hours_up_to(datetime(2026, 12, 6, 0, 5, tzinfo=UTC), 2)[0].day == 5


def test_the_report_zero_fills_hours_and_tells_fill_and_paid_fill() -> None:
    hours = hours_up_to(NOW, 3)
    made = report(
        hours,
        {
            hours[0]: InventoryCounts(requests=100, filled=80, house_only=20, ads=90, house_ads=25),
            hours[2]: InventoryCounts(requests=100, filled=100, ads=100, invalid=3),
        },
    )
    assert (made.start, made.end) == (hours[0], datetime(2026, 12, 6, 11, tzinfo=UTC))
    assert [p.requests for p in made.series] == [100, 0, 100]
    assert made.series[1].fill_rate is None  # no requests: no rate, not 0%
    first = made.series[0]
    assert (first.no_fill, first.paid_filled, first.fill_rate, first.paid_fill_rate) == (
        20,
        60,
        0.8,
        0.6,
    )
    totals = made.totals
    assert totals.bucket is None
    assert (totals.requests, totals.filled, totals.paid_filled, totals.invalid) == (
        200,
        180,
        160,
        3,
    )
    assert totals.fill_rate == pytest.approx(0.9)
    assert totals.paid_fill_rate == pytest.approx(0.8)


def test_two_copies_of_the_hours_merge_count_by_count() -> None:
    first = datetime(2026, 12, 1, 10, tzinfo=UTC)
    second, third = first + HOUR, first + 2 * HOUR
    archived = {
        first: InventoryCounts(requests=10, filled=8),
        second: InventoryCounts(requests=5, robots=3),
    }
    live = {
        second: InventoryCounts(requests=7, filled=6, robots=1),  # Redis lost some robots
        third: InventoryCounts(requests=1),
    }
    assert merged(archived, live) == {
        first: InventoryCounts(requests=10, filled=8),
        second: InventoryCounts(requests=7, filled=6, robots=3),
        third: InventoryCounts(requests=1),
    }
    assert merged({}, {}) == {}


def test_the_archive_has_a_column_for_every_count() -> None:
    columns = {c.name for c in InventoryHour.__table__.columns} - {"hour"}
    assert columns == {f.name for f in fields(InventoryCounts)}


def test_days_sum_their_hours_and_report_one_point_per_day() -> None:
    now = datetime(2026, 3, 2, 15, 40, tzinfo=UTC)
    days = days_up_to(now, 3)
    assert days == [
        datetime(2026, 2, 28, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 3, 2, tzinfo=UTC),
    ]
    hours = hours_of(days)
    assert len(hours) == 72 and hours[0] == days[0] and hours[-1] == days[-1] + 23 * HOUR
    counts = {
        hours[1]: InventoryCounts(requests=5, filled=4),
        hours[23]: InventoryCounts(requests=1),
        hours[50]: InventoryCounts(requests=2, filled=2, house_only=1),
    }
    daily = report(days, by_day(counts), width=DAY)
    assert [(p.bucket, p.requests, p.filled) for p in daily.series] == [
        (days[0], 6, 4),
        (days[1], 0, 0),
        (days[2], 2, 2),
    ]
    assert (daily.start, daily.end) == (days[0], days[-1] + DAY)
    assert daily.totals.requests == 8 and daily.totals.paid_filled == 5
