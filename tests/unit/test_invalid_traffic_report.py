"""A campaign's invalid-traffic report from its counts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from ads.invalid_traffic_report import invalid_traffic_report

CAMPAIGN = uuid.uuid4()
START, END = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC)


def report(impressions: int, counts: list[tuple[str, str, int]]) -> dict[str, object]:
    made = invalid_traffic_report(
        campaign_id=CAMPAIGN,
        start=START,
        end=END,
        impressions=impressions,
        counts=counts,
        agents=[("Googlebot/2.1", 7), (None, 1)],
    )
    return made.model_dump(by_alias=True)


def test_reasons_are_ranked_by_impressions_and_the_share_is_of_all_that_arrived() -> None:
    made = report(
        95,
        [
            ("robot", "impression", 2),
            ("robot", "complete", 4),
            ("prefetch", "impression", 3),
            ("robot", "click", 1),
        ],
    )
    assert (made["impressions"], made["invalid_impressions"], made["invalid_events"]) == (95, 5, 10)
    assert made["invalid_share"] == 0.05
    assert made["reasons"] == [
        {"reason": "prefetch", "label": "Prefetches", "impressions": 3, "events": 3},
        {"reason": "robot", "label": "Robots and crawlers", "impressions": 2, "events": 7},
    ]
    assert made["agents"] == [
        {"user_agent": "Googlebot/2.1", "events": 7},
        {"user_agent": None, "events": 1},
    ]
    assert (made["from"], made["to"]) == (START, END)


def test_nothing_filed_is_a_zero_share_and_unknown_reasons_count_only_in_totals() -> None:
    assert report(0, [])["invalid_share"] == 0.0
    assert report(10, [])["reasons"] == []
    later = report(0, [("datacenter", "impression", 2)])
    assert (later["invalid_impressions"], later["invalid_share"], later["reasons"]) == (2, 1.0, [])
