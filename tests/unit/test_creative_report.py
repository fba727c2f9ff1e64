"""Rows of the per-creative report (pure)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from ads.creative_report import creative_rows
from ads.reporting import Counters

A, B, C, GONE = (uuid.UUID(int=n) for n in range(1, 5))


def test_rows_share_rates_and_order() -> None:
    rows = creative_rows(
        {
            A: Counters(impressions=30, completes=15, clicks=3, skips=6, spend=Decimal("0.6")),
            B: Counters(impressions=10, completes=10),
            GONE: Counters(impressions=10, completes=2),
        },
        {A: ("Spot A", False), B: ("Tag B", True), C: ("Never served", False)},
    )
    assert [(r.creative_id, r.name) for r in rows] == [
        (A, "Spot A"),
        (B, "Tag B"),  # ties on impressions: by name, deleted ones last
        (GONE, None),
        (C, "Never served"),
    ]
    a, b, gone, never = rows
    assert (a.share, a.vcr, a.ctr, a.ecpm) == (0.6, 0.5, 0.1, Decimal("20.000000"))
    assert (a.skips, a.skip_rate, b.skip_rate) == (6, 0.2, 0.0)
    assert (b.share, b.vcr, b.vast_tag) == (0.2, 1.0, True)
    assert (gone.share, gone.vcr) == (0.2, 0.2)
    assert (never.impressions, never.share, never.vcr, never.ctr) == (0, 0.0, 0.0, 0.0)


def test_no_delivery_yet() -> None:
    (row,) = creative_rows({}, {A: ("Spot", False)})
    assert (row.impressions, row.share, row.ecpm) == (0, 0.0, Decimal(0))
    assert creative_rows({}, {}) == []
