"""First-in-break campaigns (pure): the first ad of a break only, in a pod and for requests of
one slot at a time (``pod_position``)."""

from __future__ import annotations

import random

import pytest

from ads.decision import MAX_POD_POSITION, Decision, decide_pod, parse_ad_request
from ads.errors import InvalidInput
from ads.selection import CatalogIndex
from tests.unit.catalog_factories import NOW, SIGNER, campaign, creative


def catalog(*, first: set[int], numbers: range = range(1, 4)) -> CatalogIndex:
    """Campaigns ``numbers`` with one 15 s creative each; those in ``first`` lead breaks only."""
    return CatalogIndex(
        [campaign(n, first_in_break=n in first) for n in numbers],
        [creative(n) for n in numbers],
    )


def draw(index: CatalogIndex, *, max_ads: int, pod_position: int = 1, seed: int) -> list[Decision]:
    return decide_pod(
        index,
        request_id="req-1",
        max_duration_ms=None,
        max_ads=max_ads,
        now=NOW,
        rng=random.Random(seed),
        signer=SIGNER,
        pod_position=pod_position,
    )


def test_a_first_in_break_campaign_only_ever_leads_a_pod() -> None:
    index = catalog(first={3})  # the largest budget: drawn most often
    assert index.first_only
    places = set()
    for seed in range(60):
        ids = [d.campaign.id for d in draw(index, max_ads=3, seed=seed)]
        if "c3" in ids:
            places.add(ids.index("c3"))
    assert places == {0}


def test_requests_for_a_later_slot_never_get_it() -> None:
    index = catalog(first={3})
    for seed in range(60):
        for position in (2, 5):
            ads = draw(index, max_ads=2, pod_position=position, seed=seed)
            assert "c3" not in [d.campaign.id for d in ads] and len(ads) == 2
    alone = catalog(first={1}, numbers=range(1, 2))
    assert draw(alone, max_ads=1, pod_position=2, seed=1) == []
    assert [d.campaign.id for d in draw(alone, max_ads=1, seed=1)] == ["c1"]


def test_without_such_campaigns_the_position_changes_nothing() -> None:
    index = catalog(first=set())
    assert not index.first_only
    for seed in range(20):
        first, later = (draw(index, max_ads=3, pod_position=p, seed=seed) for p in (1, 7))
        assert [d.campaign.id for d in first] == [d.campaign.id for d in later]


def test_the_json_request_names_its_slot_from_1() -> None:
    body = b'{"request_id": "r", "duration": 30, "pod_position": 3}'
    assert parse_ad_request(body).pod_position == 3
    assert parse_ad_request(b'{"request_id": "r", "duration": 30}').pod_position == 1


@pytest.mark.parametrize("position", ["0", str(MAX_POD_POSITION + 1), "1.5", '"2"', "true"])
def test_a_slot_outside_1_to_100_is_refused_by_name(position: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_ad_request(
            f'{{"request_id": "r", "duration": 30, "pod_position": {position}}}'.encode()
        )
    assert {d["field"] for d in caught.value.details} == {"pod_position"}
