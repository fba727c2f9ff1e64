"""Creative settings (pure): pausing keeps a creative out of the catalog, rotation weights share
a campaign's breaks among its creatives, and what a PATCH may say."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from ads.catalog import creative_from_hash, creative_to_hash
from ads.creative_review import NOT_REVIEWED, PAUSED, ReviewStatus, catalog_status
from ads.creatives import MAX_WEIGHT, CreativeUpdate, check_schedule, skip_offset_ms
from ads.errors import InvalidInput
from ads.selection import CatalogIndex
from tests.unit.catalog_factories import NOW, campaign, creative


def test_a_paused_creative_is_published_unservable_and_review_comes_first() -> None:
    assert catalog_status("active", ReviewStatus.APPROVED) == "active"
    assert catalog_status("active", ReviewStatus.APPROVED, paused=True) == PAUSED
    assert catalog_status("active", ReviewStatus.PENDING, paused=True) == NOT_REVIEWED
    assert catalog_status("processing", ReviewStatus.APPROVED) == "processing"


def draws(weights: dict[int, int], *, max_duration_ms: int | None = None) -> Counter[str]:
    """Which creative of one campaign 20,000 picks take; ``weights``: seconds → weight."""
    creatives = [
        replace(creative(1, seconds), weight=weight) for seconds, weight in weights.items()
    ]
    index = CatalogIndex([campaign(1)], creatives)
    rng = random.Random(11)
    picked: Counter[str] = Counter()
    for _ in range(20_000):
        made = index.pick(NOW, max_duration_ms=max_duration_ms, rng=rng)
        assert made is not None
        picked[made[1].id] += 1
    return picked


def test_creatives_rotate_by_weight_among_those_that_fit() -> None:
    picked = draws({15: 1, 20: 3, 30: 6})
    assert picked["k1-15"] / 20_000 == pytest.approx(0.1, abs=0.015)
    assert picked["k1-20"] / 20_000 == pytest.approx(0.3, abs=0.015)
    assert picked["k1-30"] / 20_000 == pytest.approx(0.6, abs=0.015)
    # A 20 s break: the 30 s creative does not fit, the other two share it 1:3.
    short = draws({15: 1, 20: 3, 30: 6}, max_duration_ms=20_000)
    assert set(short) == {"k1-15", "k1-20"}
    assert short["k1-20"] / 20_000 == pytest.approx(0.75, abs=0.015)


def test_equal_weights_rotate_evenly() -> None:
    picked = draws({15: 4, 20: 4})
    assert picked["k1-15"] / 20_000 == pytest.approx(0.5, abs=0.015)


def test_the_weight_survives_the_catalog_hash() -> None:
    weighted = replace(creative(1), weight=7)
    assert creative_from_hash(creative_to_hash(weighted)).weight == 7
    stored = creative_to_hash(weighted)
    del stored["weight"]  # a hash written before weights existed
    assert creative_from_hash(stored).weight == 1


def test_an_update_names_something_to_change_and_keeps_to_the_limits() -> None:
    assert CreativeUpdate.model_validate({"paused": True}).paused is True
    assert CreativeUpdate.model_validate({"name": "  Spot B "}).name == "Spot B"
    assert CreativeUpdate.model_validate({"weight": MAX_WEIGHT}).weight == MAX_WEIGHT
    for body, says in [
        ({}, "nothing to change"),
        ({"weight": 0}, "weight"),
        ({"weight": MAX_WEIGHT + 1}, "weight"),
        ({"weight": "3"}, "weight"),
        ({"paused": "yes"}, "paused"),
        ({"paused": None}, "paused cannot be null"),
        ({"name": ""}, "non-empty name"),
        ({"name": "a\x00b"}, "control characters"),
        ({"file_key": "../../etc/passwd"}, "file_key"),
    ]:
        with pytest.raises(ValidationError, match=says):
            CreativeUpdate.model_validate(body)


def test_a_schedule_is_utc_and_either_side_can_be_cleared() -> None:
    update = CreativeUpdate.model_validate(
        {"starts_at": "2026-12-20", "ends_at": "2026-12-27T09:00:00+03:00"}
    )
    assert update.starts_at == datetime(2026, 12, 20, tzinfo=UTC)
    assert update.ends_at == datetime(2026, 12, 27, 6, tzinfo=UTC)
    cleared = CreativeUpdate.model_validate({"starts_at": None})
    assert cleared.model_fields_set == {"starts_at"} and cleared.starts_at is None
    with pytest.raises(ValidationError, match="starts_at"):
        CreativeUpdate.model_validate({"starts_at": "next week"})


def test_a_schedule_ends_after_it_starts() -> None:
    start = datetime(2026, 12, 20, tzinfo=UTC)
    check_schedule(start, start + timedelta(hours=1))
    check_schedule(None, start)
    check_schedule(start, None)
    for end in (start, start - timedelta(seconds=1)):
        with pytest.raises(InvalidInput, match="ends_at must be after starts_at"):
            check_schedule(start, end)


def test_a_skip_offset_lies_within_the_ad() -> None:
    assert CreativeUpdate.model_validate({"skip_offset_s": 5}).skip_offset_s == 5.0
    assert CreativeUpdate.model_validate({"skip_offset_s": None}).skip_offset_s is None  # clears
    for bad in (0, -1, "soon", float("nan")):
        with pytest.raises(ValidationError, match="skip_offset_s"):
            CreativeUpdate.model_validate({"skip_offset_s": bad})
    assert skip_offset_ms(5.0004, duration_ms=15_000, vast_tag=False) == 5_000
    assert skip_offset_ms(None, duration_ms=15_000, vast_tag=True) is None
    for offset, vast_tag, says in [
        (15.0, False, "less than the ad's 15 s"),
        (14.9999, False, "less than the ad's 15 s"),  # rounds to the end itself
        (0.0001, False, "less than the ad's 15 s"),  # rounds to nothing
        (5.0, True, "third-party VAST tag"),
    ]:
        with pytest.raises(InvalidInput, match=says) as caught:
            skip_offset_ms(offset, duration_ms=15_000, vast_tag=vast_tag)
        assert caught.value.details[0]["field"] == "skip_offset_s"
