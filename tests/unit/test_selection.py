"""Eligibility and the budget-weighted pick, with a seeded random source."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ads.catalog import CatalogCampaign, CatalogCreative
from ads.selection import CatalogIndex, choose, eligible

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 2, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def campaign(
    campaign_id: str,
    *,
    remaining: str = "100",
    spent: str = "0",
    status: str = "active",
    start: datetime = START,
    end: datetime = END,
) -> CatalogCampaign:
    return CatalogCampaign(
        id=campaign_id,
        name=f"Campaign {campaign_id}",
        status=status,
        budget_total=Decimal(remaining) + Decimal(spent),
        budget_spent=Decimal(spent),
        cpm=Decimal("12.50"),
        pacing="even",
        start_date=start,
        end_date=end,
        click_through_url=None,
    )


def creative(
    creative_id: str, campaign_id: str, *, duration_ms: int = 30_000, status: str = "active"
) -> CatalogCreative:
    return CatalogCreative(
        id=creative_id,
        campaign_id=campaign_id,
        name=f"Creative {creative_id}",
        status=status,
        duration_ms=duration_ms,
        width=1920,
        height=1080,
        mime="video/mp4",
        url=f"http://127.0.0.1:8000/media/{creative_id}.mp4",
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (START - TICK, False),
        (START, True),
        (NOW, True),
        (END - TICK, True),
        (END, False),
    ],
)
def test_the_flight_starts_inclusive_and_ends_exclusive(now: datetime, expected: bool) -> None:
    assert eligible(campaign("c"), [creative("k", "c")], now=now, max_duration_ms=None) is expected


@pytest.mark.parametrize(
    ("max_duration_ms", "expected"), [(None, True), (30_001, True), (30_000, True), (29_999, False)]
)
def test_a_creative_must_fit_the_slot(max_duration_ms: int | None, expected: bool) -> None:
    fits = eligible(
        campaign("c"),
        [creative("k", "c", duration_ms=30_000)],
        now=NOW,
        max_duration_ms=max_duration_ms,
    )
    assert fits is expected


@pytest.mark.parametrize(
    ("subject", "creatives"),
    [
        (campaign("c", status="paused"), [creative("k", "c")]),
        (campaign("c", status="draft"), [creative("k", "c")]),
        (campaign("c", status="completed"), [creative("k", "c")]),
        (campaign("c", remaining="0", spent="100"), [creative("k", "c")]),
        (campaign("c", remaining="0", spent="0"), [creative("k", "c")]),
        (campaign("c"), []),
        (campaign("c"), [creative("k", "c", status="processing")]),
        (campaign("c"), [creative("k", "c", status="failed")]),
    ],
    ids=[
        "paused",
        "draft",
        "completed",
        "spent",
        "zero-budget",
        "no-creative",
        "processing",
        "failed",
    ],
)
def test_ineligible_campaigns(subject: CatalogCampaign, creatives: list[CatalogCreative]) -> None:
    assert not eligible(subject, creatives, now=NOW, max_duration_ms=None)


def test_campaigns_are_drawn_in_proportion_to_remaining_budget() -> None:
    campaigns = [
        campaign("small", remaining="100", spent="900"),
        campaign("medium", remaining="300"),
        campaign("large", remaining="600", spent="50"),
    ]
    index = CatalogIndex(campaigns, [creative(f"k-{c.id}", c.id) for c in campaigns])
    rng = random.Random(20260101)
    draws = 20_000

    counts = Counter(pick_campaign_id(index, rng=rng) for _ in range(draws))

    shares = {"small": 0.1, "medium": 0.3, "large": 0.6}
    chi_square = sum((counts[cid] - draws * p) ** 2 / (draws * p) for cid, p in shares.items())
    assert chi_square < 13.8  # 2 degrees of freedom, p = 0.001


@pytest.mark.parametrize("refused", [{"large"}, {"large", "medium", "tiny"}])
def test_refused_campaigns_leave_the_others_in_proportion(refused: set[str]) -> None:
    # Refusing the heaviest campaign(s) makes most first draws fail: redraws and the fallback
    # list must both keep the weights of the ones accepted.
    campaigns = [
        campaign("tiny", remaining="10"),
        campaign("small", remaining="100"),
        campaign("medium", remaining="300"),
        campaign("large", remaining="5000"),
    ]
    index = CatalogIndex(campaigns, [creative(f"k-{c.id}", c.id) for c in campaigns])
    rng = random.Random(7)
    draws = 20_000
    counts: Counter[str] = Counter()
    for _ in range(draws):
        picked = index.pick(
            NOW, max_duration_ms=None, rng=rng, accept=lambda c: c.id not in refused
        )
        assert picked is not None
        counts[picked[0].id] += 1
    weights = {c.id: float(c.budget_remaining) for c in campaigns if c.id not in refused}
    total = sum(weights.values())
    assert set(counts) == set(weights)
    chi_square = sum(
        (counts[cid] - draws * w / total) ** 2 / (draws * w / total) for cid, w in weights.items()
    )
    assert chi_square < 16.3  # at most 3 degrees of freedom, p = 0.001


def test_creatives_that_fit_are_drawn_uniformly_and_others_never() -> None:
    creatives = [
        creative("short", "c", duration_ms=15_000),
        creative("exact", "c", duration_ms=30_000),
        creative("long", "c", duration_ms=60_000),
        creative("idle", "c", duration_ms=10_000, status="processing"),
    ]
    index = CatalogIndex([campaign("c")], creatives)
    rng = random.Random(7)

    counts = Counter(pick_creative_id(index, max_duration_ms=30_000, rng=rng) for _ in range(4_000))

    assert set(counts) == {"short", "exact"}
    assert abs(counts["short"] - counts["exact"]) < 250


def test_nothing_fits_a_slot_shorter_than_every_creative() -> None:
    index = CatalogIndex([campaign("c")], [creative("k", "c", duration_ms=15_000)])

    assert index.pick(NOW, max_duration_ms=14_999, rng=random.Random(1)) is None
    assert index.pick(NOW, max_duration_ms=15_000, rng=random.Random(1)) is not None


def test_only_eligible_campaigns_are_drawn() -> None:
    campaigns = [
        campaign("live"),
        campaign("paused", status="paused"),
        campaign("spent", remaining="0", spent="10"),
        campaign("future", start=END),
        campaign("too-long"),
        campaign("no-creative"),
    ]
    creatives = [creative(f"k-{c.id}", c.id) for c in campaigns if c.id != "no-creative"]
    creatives[-1] = creative("k-too-long", "too-long", duration_ms=90_000)
    index = CatalogIndex(campaigns, creatives)
    rng = random.Random(3)

    picked = {pick_campaign_id(index, rng=rng, max_duration_ms=30_000) for _ in range(500)}

    assert picked == {"live"}


def test_campaign_id_targets_one_campaign() -> None:
    campaigns = [campaign("a", remaining="1"), campaign("b", remaining="1000")]
    index = CatalogIndex(campaigns, [creative("ka", "a"), creative("kb", "b")])
    rng = random.Random(5)

    picks = {pick_campaign_id(index, rng=rng, campaign_id="a") for _ in range(50)}

    assert picks == {"a"}


@pytest.mark.parametrize("campaign_id", ["paused", "unknown"])
def test_a_targeted_campaign_that_cannot_serve_gives_no_fill(campaign_id: str) -> None:
    index = CatalogIndex(
        [campaign("live"), campaign("paused", status="paused")],
        [creative("k1", "live"), creative("k2", "paused")],
    )

    assert (
        index.pick(NOW, max_duration_ms=None, rng=random.Random(1), campaign_id=campaign_id) is None
    )


def test_the_index_follows_the_clock_across_flight_boundaries() -> None:
    early = campaign("early", end=NOW)
    late = campaign("late", start=NOW)
    index = CatalogIndex([early, late], [creative("k1", "early"), creative("k2", "late")])
    rng = random.Random(11)

    timeline = [START - TICK, START, NOW - TICK, NOW, END - TICK, END, NOW - TICK]
    picks = [pick_campaign_id(index, rng=rng, now=now) for now in timeline]

    assert picks == [None, "early", "early", "late", "late", None, "early"]


def test_slot_lengths_share_the_index_without_mixing_up() -> None:
    index = CatalogIndex(
        [campaign("short"), campaign("long")],
        [creative("k1", "short", duration_ms=15_000), creative("k2", "long", duration_ms=60_000)],
    )
    rng = random.Random(13)

    for max_duration_ms in [15_000, 60_000, 20_000, None, 14_999, 15_000]:
        picks = {
            pick_creative_id(index, max_duration_ms=max_duration_ms, rng=rng) for _ in range(100)
        }
        expected = {
            15_000: {"k1"},
            20_000: {"k1"},
            60_000: {"k1", "k2"},
            None: {"k1", "k2"},
            14_999: {None},
        }[max_duration_ms]
        assert picks == expected, max_duration_ms


def test_creatives_of_campaigns_outside_the_snapshot_are_ignored() -> None:
    index = CatalogIndex([campaign("c")], [creative("k", "c"), creative("stray", "gone")])
    rng = random.Random(17)

    assert {pick_creative_id(index, max_duration_ms=None, rng=rng) for _ in range(100)} == {"k"}


def test_the_same_seed_gives_the_same_picks() -> None:
    campaigns = [campaign(f"c{i}", remaining=str(10 * (i + 1))) for i in range(10)]
    creatives = [
        creative(f"k{i}{j}", f"c{i}", duration_ms=15_000 * (j + 1))
        for i in range(10)
        for j in range(3)
    ]

    def sequence(seed: int) -> list[tuple[str | None, str | None]]:
        index, rng = CatalogIndex(campaigns, creatives), random.Random(seed)
        return [pick_ids(index.pick(NOW, max_duration_ms=30_000, rng=rng)) for _ in range(50)]

    assert sequence(42) == sequence(42)
    assert sequence(42) != sequence(43)


def test_choose_is_a_one_off_pick() -> None:
    campaigns = [campaign("a", remaining="10"), campaign("b", remaining="30")]
    creatives = [creative("ka", "a"), creative("kb", "b", duration_ms=20_000)]

    chosen = choose(campaigns, creatives, now=NOW, max_duration_ms=30_000, rng=random.Random(99))
    picked = CatalogIndex(campaigns, creatives).pick(
        NOW, max_duration_ms=30_000, rng=random.Random(99)
    )

    assert chosen == picked
    assert choose(campaigns, creatives, now=END, max_duration_ms=None, rng=random.Random(1)) is None


def pick_ids(
    picked: tuple[CatalogCampaign, CatalogCreative] | None,
) -> tuple[str | None, str | None]:
    return (picked[0].id, picked[1].id) if picked else (None, None)


def pick_campaign_id(
    index: CatalogIndex,
    *,
    rng: random.Random,
    now: datetime = NOW,
    max_duration_ms: int | None = None,
    campaign_id: str | None = None,
) -> str | None:
    picked = index.pick(now, max_duration_ms=max_duration_ms, rng=rng, campaign_id=campaign_id)
    return pick_ids(picked)[0]


def pick_creative_id(
    index: CatalogIndex, *, max_duration_ms: int | None, rng: random.Random
) -> str | None:
    return pick_ids(index.pick(NOW, max_duration_ms=max_duration_ms, rng=rng))[1]


def test_a_scheduled_creative_serves_only_within_its_own_schedule() -> None:
    holiday = replace(creative("holiday", "c"), starts_at=NOW, ends_at=NOW + timedelta(days=2))
    index = CatalogIndex([campaign("c")], [creative("always", "c"), holiday])
    rng = random.Random(5)

    def creatives_at(now: datetime) -> set[str]:
        picks = [index.pick(now, max_duration_ms=None, rng=rng) for _ in range(200)]
        return {p[1].id for p in picks if p is not None}

    # Back and forth across the schedule's start and end: the pools follow the clock.
    assert creatives_at(NOW - TICK) == {"always"}
    assert creatives_at(NOW) == {"always", "holiday"}
    assert creatives_at(NOW + timedelta(days=2) - TICK) == {"always", "holiday"}
    assert creatives_at(NOW + timedelta(days=2)) == {"always"}
    assert creatives_at(NOW + TICK) == {"always", "holiday"}


def test_a_campaign_whose_only_creative_is_off_schedule_is_not_eligible() -> None:
    later = replace(creative("later", "c"), starts_at=NOW + timedelta(hours=1))
    index = CatalogIndex([campaign("c"), campaign("d")], [later, creative("k", "d")])
    rng = random.Random(3)

    assert {pick_campaign_id(index, rng=rng, now=NOW) for _ in range(50)} == {"d"}
    assert pick_campaign_id(index, rng=rng, now=NOW, campaign_id="c") is None
    assert pick_campaign_id(index, rng=rng, now=NOW + timedelta(hours=1), campaign_id="c") == "c"
