"""Which ad_events day partitions the retention drops (pure naming rules)."""

from __future__ import annotations

from datetime import date

from storage.event_store import expired_partitions, partition_name


def test_partitions_are_named_by_their_utc_day() -> None:
    assert partition_name(date(2026, 3, 9)) == "ad_events_20260309"


def test_only_day_partitions_wholly_before_the_cutoff_expire() -> None:
    names = [
        "ad_events_default",
        "ad_events_20260102",
        "ad_events_20251231",
        "ad_events_20260101",
        "ad_events_2026010",
        "ad_events_20260101_old",
        "other_20200101",
    ]
    assert expired_partitions(names, cutoff=date(2026, 1, 2)) == [
        "ad_events_20251231",
        "ad_events_20260101",
    ]
    assert expired_partitions(names, cutoff=date(2025, 12, 31)) == []
