"""Delivery by platform (pure): impressions per User-Agent turned into platform rows."""

from __future__ import annotations

from ads.platform_report import UNKNOWN_LABEL, platform_rows
from ads.platforms import Platform

ROKU_A = "Roku/DVP-12.5 (12.5.0.4142-AE)"
ROKU_B = "Roku/DVP-11.0 (11.0.0.4193-46)"
FIRE_TV = "Mozilla/5.0 (Linux; Android 9; AFTKA Build/PS7624.3337N; wv)"
TIZEN = "Mozilla/5.0 (SMART-TV; LINUX; Tizen 7.0) AppleWebKit/537.36"


def test_agents_of_one_platform_add_up_most_impressions_first_unknown_last() -> None:
    agents = [(ROKU_A, 30), (None, 5), (FIRE_TV, 40), (ROKU_B, 20), ("curl/8.5.0", 3), (TIZEN, 2)]
    rows = platform_rows(agents, total=100)
    assert [(r.platform, r.impressions) for r in rows] == [
        (Platform.ROKU, 50),
        (Platform.FIRE_TV, 40),
        (Platform.SAMSUNG_TV, 2),
        (None, 8),
    ]
    assert [r.share for r in rows] == [0.5, 0.4, 0.02, 0.08]
    assert (rows[0].label, rows[-1].label) == ("Roku", UNKNOWN_LABEL)


def test_impressions_beyond_the_agents_read_count_as_unknown() -> None:
    rows = platform_rows([(ROKU_A, 6)], total=9)
    assert [(r.platform, r.impressions, r.share) for r in rows] == [
        (Platform.ROKU, 6, 0.6667),
        (None, 3, 0.3333),
    ]


def test_no_impressions_no_rows_and_ties_go_by_label() -> None:
    assert platform_rows([], total=0) == []
    tied = platform_rows([(TIZEN, 1), (ROKU_A, 1)], total=2)
    assert [r.label for r in tied] == ["Roku", "Samsung TV (Tizen)"]
