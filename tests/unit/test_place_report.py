"""Delivery by place: impressions per stored place turned into country rows with regions."""

from __future__ import annotations

from ads.place_report import UNKNOWN_PLACE, place_rows


def test_countries_add_up_their_regions_most_impressions_first() -> None:
    rows = place_rows(
        [("US-CA", 5), ("DE", 3), ("US", 2), ("US-NY", 5), ("GB-ENG", 1), (None, 2)],
        total=20,
    )
    assert [(r.country, r.label, r.impressions, r.share) for r in rows] == [
        ("US", "United States", 12, 0.6),
        ("DE", "Germany", 3, 0.15),
        ("GB", "United Kingdom", 1, 0.05),
        (None, UNKNOWN_PLACE, 4, 0.2),  # 2 without a place, 2 past the places read
    ]
    # Regions most first, ties by code; a country's impressions without a region are not one.
    assert [(r.region, r.label, r.impressions) for r in rows[0].regions] == [
        ("US-CA", "California", 5),
        ("US-NY", "New York", 5),
    ]
    assert rows[1].regions == [] and rows[3].regions == []
    assert [r.label for r in rows[2].regions] == ["England"]


def test_ties_go_by_name_and_unknown_codes_keep_their_code() -> None:
    rows = place_rows([("FR", 1), ("AT", 1), ("US-ZZ", 1)], total=3)
    assert [r.label for r in rows] == ["Austria", "France", "United States"]
    assert [(r.region, r.label) for r in rows[2].regions] == [("US-ZZ", "US-ZZ")]


def test_nothing_read_is_no_rows() -> None:
    assert place_rows([], total=0) == []
    (only,) = place_rows([], total=4)  # the places were not read: all unknown
    assert (only.country, only.impressions, only.share) == (None, 4, 1.0)
