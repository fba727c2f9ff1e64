"""Priority tiers (pure): sponsorships before standard campaigns, house campaigns last."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from ads.campaigns import CampaignCreate, CampaignUpdate
from ads.catalog import CatalogCampaign, campaign_from_hash, campaign_to_hash
from ads.decision import decide_pod
from ads.priority import Priority
from ads.selection import CatalogIndex
from ads.tracking import BeaconSigner
from tests.unit.catalog_factories import NOW, campaign, creative

SIGNER = BeaconSigner("p" * 32, base_url="https://ads.example.com")
HOUSE, STANDARD, SPONSORSHIP = Priority.HOUSE, Priority.STANDARD, Priority.SPONSORSHIP


def index(tiers: dict[int, Priority], *, seconds: dict[int, int] | None = None) -> CatalogIndex:
    """Campaign number → its priority (each with one creative of ``seconds[n]``, else 15 s)."""
    lengths = seconds or {}
    return CatalogIndex(
        [campaign(n, priority=p, advertiser=f"Advertiser {n}") for n, p in tiers.items()],
        [creative(n, lengths.get(n, 15)) for n in tiers],
    )


def drawn(
    catalog: CatalogIndex,
    *,
    draws: int = 2_000,
    max_duration_ms: int | None = None,
    refused: frozenset[str] = frozenset(),
) -> Counter[str | None]:
    rng = random.Random(7)
    counts: Counter[str | None] = Counter()
    for _ in range(draws):
        picked = catalog.pick(
            NOW, max_duration_ms=max_duration_ms, rng=rng, accept=lambda c: c.id not in refused
        )
        counts[picked[0].id if picked else None] += 1
    return counts


def test_tiers_are_served_in_order() -> None:
    assert list(Priority) == [SPONSORSHIP, STANDARD, HOUSE]


def test_a_sponsorship_takes_every_break_it_can_serve() -> None:
    catalog = index({1: HOUSE, 2: STANDARD, 3: SPONSORSHIP, 4: STANDARD})
    assert drawn(catalog) == {"c3": 2_000}


def test_within_a_tier_the_draw_is_still_weighted_by_remaining_budget() -> None:
    # Standard c1 (budget 100) and c3 (300) share the tier; house c2 never shows.
    counts = drawn(index({1: STANDARD, 2: HOUSE, 3: STANDARD}), draws=4_000)
    assert set(counts) == {"c1", "c3"}
    assert counts["c3"] / counts["c1"] == pytest.approx(3, rel=0.15)


def test_house_campaigns_fill_only_what_no_paid_campaign_can() -> None:
    catalog = index({1: STANDARD, 2: HOUSE, 3: SPONSORSHIP, 4: HOUSE})
    # Paid campaigns refused (paced out: the replica's lease does not cover them).
    counts = drawn(catalog, refused=frozenset({"c1", "c3"}), draws=3_000)
    assert set(counts) == {"c2", "c4"}
    assert counts["c4"] / counts["c2"] == pytest.approx(2, rel=0.15)


def test_a_paced_out_sponsorship_leaves_the_break_to_the_standard_tier() -> None:
    catalog = index({1: SPONSORSHIP, 2: STANDARD, 3: HOUSE})
    assert drawn(catalog, refused=frozenset({"c1"})) == {"c2": 2_000}


def test_a_tier_whose_creatives_do_not_fit_the_slot_is_passed_over() -> None:
    catalog = index({1: SPONSORSHIP, 2: STANDARD}, seconds={1: 30, 2: 15})
    assert drawn(catalog, max_duration_ms=20_000) == {"c2": 2_000}
    assert drawn(catalog, max_duration_ms=30_000) == {"c1": 2_000}


def test_nothing_any_tier_may_serve_is_no_fill() -> None:
    catalog = index({1: SPONSORSHIP, 2: HOUSE})
    assert drawn(catalog, refused=frozenset({"c1", "c2"}), draws=10) == {None: 10}


def test_a_pod_fills_from_the_sponsorship_down_to_house() -> None:
    catalog = index({1: HOUSE, 2: STANDARD, 3: SPONSORSHIP, 4: HOUSE, 5: STANDARD})
    decisions = decide_pod(
        catalog,
        request_id="r",
        max_duration_ms=75_000,
        max_ads=5,
        now=NOW,
        rng=random.Random(3),
        signer=SIGNER,
    )
    tiers = [d.campaign.priority for d in decisions]
    assert tiers == [SPONSORSHIP, STANDARD, STANDARD, HOUSE, HOUSE]


def test_priority_travels_through_the_catalog_hash() -> None:
    for priority in Priority:
        record: CatalogCampaign = campaign(1, priority=priority)
        assert campaign_from_hash(campaign_to_hash(record)).priority is priority
    legacy = campaign_to_hash(campaign(1))
    del legacy["priority"]  # written before priorities existed
    assert campaign_from_hash(legacy).priority is STANDARD


def test_campaigns_are_standard_unless_told_and_refuse_unknown_priorities() -> None:
    body = {
        "name": "n",
        "budget_total": "10",
        "cpm": "0",
        "start_date": "2026-01-01",
        "end_date": "2026-02-01",
    }
    assert CampaignCreate.model_validate(body).priority is STANDARD
    assert CampaignCreate.model_validate({**body, "priority": "house"}).priority is HOUSE
    with pytest.raises(ValueError, match="priority"):
        CampaignCreate.model_validate({**body, "priority": "urgent"})
    with pytest.raises(ValueError, match="priority cannot be null"):
        CampaignUpdate.model_validate({"priority": None})
