"""The campaign page's delivery range: each choice as UTC instants, one-day ranges hourly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.delivery_range import DeliveryRange, RangeChoice, delivery_range

NOW = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)
FLIGHT = (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))


def at(day: int, hour: int = 0, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (RangeChoice.TODAY, DeliveryRange(at(7), NOW, hourly=True)),
        (RangeChoice.YESTERDAY, DeliveryRange(at(6), at(7), hourly=True)),
        (RangeChoice.LAST_7, DeliveryRange(at(1), NOW, hourly=False)),
        (RangeChoice.LAST_30, DeliveryRange(at(8, month=11), NOW, hourly=False)),
        (RangeChoice.FLIGHT, DeliveryRange(FLIGHT[0], NOW, hourly=False)),
    ],
)
def test_each_choice_is_a_range_of_utc_instants(
    choice: RangeChoice, expected: DeliveryRange
) -> None:
    assert delivery_range(choice, now=NOW, flight=FLIGHT) == expected


def test_a_flight_to_date_covers_at_least_a_week_and_ends_with_the_flight() -> None:
    young = (at(6, 12), at(31))
    assert delivery_range(RangeChoice.FLIGHT, now=NOW, flight=young).start == at(1, 15, 30)
    ended = (at(1, month=11), at(15, month=11))
    assert delivery_range(RangeChoice.FLIGHT, now=NOW, flight=ended).end == at(15, month=11)


def test_picked_days_run_to_the_end_of_the_last_one_or_now() -> None:
    days = delivery_range(
        RangeChoice.PICKED, now=NOW, flight=FLIGHT, picked=(date(2026, 12, 3), date(2026, 12, 1))
    )
    assert days == DeliveryRange(at(1), at(4), hourly=False)
    assert days.label == "01 Dec 2026 to 03 Dec 2026 (UTC)"
    one = delivery_range(
        RangeChoice.PICKED, now=NOW, flight=FLIGHT, picked=(date(2026, 12, 7), date(2026, 12, 7))
    )
    assert one == DeliveryRange(at(7), NOW, hourly=True)
    assert one.label == "Mon 07 Dec 2026 (UTC)"
    long = delivery_range(
        RangeChoice.PICKED, now=NOW, flight=FLIGHT, picked=(date(2020, 1, 1), date(2026, 12, 7))
    )
    assert long == DeliveryRange(datetime(2025, 12, 7, tzinfo=UTC), NOW, hourly=False)  # 366 days
    waiting = delivery_range(RangeChoice.PICKED, now=NOW, flight=FLIGHT, picked=None)
    assert waiting == delivery_range(RangeChoice.FLIGHT, now=NOW, flight=FLIGHT)
