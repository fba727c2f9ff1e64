"""The avails forecast from hourly inventory counts (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ads.dayparts import Daypart
from ads.errors import InvalidInput
from ads.forecast import LOOKBACK_DAYS, forecast, history_hours, impressions_for
from ads.inventory import HOUR, InventoryCounts

NOW = datetime(2026, 12, 6, 13, 20, tzinfo=UTC)
THIS_HOUR = datetime(2026, 12, 6, 13, tzinfo=UTC)


def steady(
    requests: int, filled: int, house_only: int, *, hours: int
) -> dict[datetime, InventoryCounts]:
    counts = InventoryCounts(requests=requests, filled=filled, house_only=house_only)
    return {THIS_HOUR - HOUR * back: counts for back in range(1, hours + 1)}


def test_history_is_the_complete_hours_of_the_last_week() -> None:
    hours = history_hours(NOW)
    assert len(hours) == LOOKBACK_DAYS * 24
    assert hours[0] == THIS_HOUR - timedelta(days=LOOKBACK_DAYS) and hours[-1] == THIS_HOUR - HOUR


def test_nothing_counted_yet_forecasts_nothing() -> None:
    result = forecast({}, now=NOW, start=NOW, end=NOW + timedelta(days=1))
    assert (result.history_hours, result.requests, result.unsold) == (0, 0, 0)


def test_a_steady_week_projects_its_rate() -> None:
    counts = steady(100, 70, 10, hours=LOOKBACK_DAYS * 24)
    result = forecast(
        counts, now=NOW, start=NOW, end=NOW + timedelta(days=1), impressions_needed=5000
    )
    assert result.history_hours == LOOKBACK_DAYS * 24
    assert (result.requests, result.paid_filled, result.unsold) == (2400, 1440, 960)
    assert result.impressions_needed == 5000
    # The current count is not part of the history: the hour is not complete.
    counts[THIS_HOUR] = InventoryCounts(requests=1_000_000)
    assert forecast(counts, now=NOW, start=NOW, end=NOW + timedelta(days=1)).requests == 2400


def test_each_hour_of_the_day_keeps_its_own_rate() -> None:
    prime_time = {
        hour: InventoryCounts(requests=10 if hour.hour == 20 else 0) for hour in history_hours(NOW)
    }
    evening = datetime(2026, 12, 6, 20, tzinfo=UTC)
    assert forecast(prime_time, now=NOW, start=NOW, end=NOW + timedelta(days=1)).requests == 10
    half = forecast(prime_time, now=NOW, start=evening, end=evening + HOUR / 2)
    assert half.requests == 5
    assert forecast(prime_time, now=NOW, start=NOW, end=evening).requests == 0


def test_a_daypart_counts_only_the_hours_it_runs() -> None:
    counts = steady(100, 70, 10, hours=LOOKBACK_DAYS * 24)
    # Sunday 2026-12-06: 18:00-20:00 in New York (UTC-5) is 23:00-01:00 UTC.
    sunday_evening = Daypart(frozenset({6 * 24 + 18, 6 * 24 + 19}), zone="America/New_York")
    day = forecast(counts, now=NOW, start=NOW, end=NOW + timedelta(days=1), daypart=sunday_evening)
    assert (day.requests, day.paid_filled, day.running_hours) == (200, 120, 2.0)
    # Half an hour of the range lies in the daypart: half an hour's requests.
    late = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    half = forecast(counts, now=NOW, start=NOW, end=late, daypart=sunday_evening)
    assert (half.requests, half.running_hours) == (50, 0.5)
    week = forecast(counts, now=NOW, start=NOW, end=NOW + timedelta(days=7), daypart=sunday_evening)
    assert week.running_hours == 2.0  # the next Sunday evening starts after the range
    assert forecast(counts, now=NOW, start=NOW, end=NOW + HOUR).running_hours is None
    nothing_yet = forecast({}, now=NOW, start=NOW, end=late, daypart=sunday_evening)
    assert (nothing_yet.requests, nothing_yet.running_hours) == (0, 0.5)


def test_a_new_server_averages_only_the_hours_since_its_first_request() -> None:
    counts = steady(50, 50, 0, hours=30)  # started 30 hours ago; nothing counted before
    result = forecast(counts, now=NOW, start=NOW, end=NOW + timedelta(days=2))
    assert result.history_hours == 30
    assert (result.requests, result.unsold) == (2400, 0)


def test_hours_of_the_day_not_seen_yet_take_the_mean_of_those_seen() -> None:
    counts = steady(30, 0, 0, hours=3)  # 10:00, 11:00 and 12:00 only
    at_three = datetime(2026, 12, 6, 15, tzinfo=UTC)
    assert forecast(counts, now=NOW, start=at_three, end=at_three + HOUR).requests == 30


def test_a_past_start_is_now_and_bad_ranges_name_the_field() -> None:
    counts = steady(24, 0, 0, hours=24)
    result = forecast(counts, now=NOW, start=NOW - timedelta(days=3), end=NOW + HOUR)
    assert result.start == NOW and result.requests == 24
    for start, end in [(NOW, NOW), (NOW - HOUR * 5, NOW - HOUR), (NOW, NOW + timedelta(days=367))]:
        with pytest.raises(InvalidInput) as caught:
            forecast(counts, now=NOW, start=start, end=end)
        assert caught.value.details[0]["field"] == "to"


def test_impressions_a_budget_buys() -> None:
    assert impressions_for(Decimal("1500"), Decimal("20")) == 75_000
    assert impressions_for(Decimal("10"), Decimal("3")) == 3333
    assert impressions_for(Decimal("1500"), Decimal("0")) is None
