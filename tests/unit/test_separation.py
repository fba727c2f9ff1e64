"""Advertisers and IAB categories (pure): blocked categories, competitive separation of a break,
and what players are told about them in JSON and VAST."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st

from ads.catalog import CatalogCampaign, campaign_from_hash, campaign_to_hash
from ads.decision import (
    MAX_POD_ADS,
    Decision,
    DecisionRenderer,
    decide,
    decide_pod,
    parse_ad_request,
    parse_blocked_categories,
    unfilled_macro,
)
from ads.errors import InvalidInput
from ads.selection import CatalogIndex
from ads.separation import (
    CATEGORY_AUTHORITY,
    BreakSeparation,
    advertiser_key,
    blocked_by,
    check_category,
    family,
    separation_keys,
)
from ads.tracking import BeaconSigner
from tests.unit.catalog_factories import NOW, campaign, creative

SIGNER = BeaconSigner("s" * 32, base_url="https://ads.example.com")
NS = {"v": "http://www.iab.com/VAST"}
ADVERTISERS = ("Acme Motors", "acme  MOTORS", "Brew Co", None)
CATEGORIES = ("IAB2", "IAB2-3", "IAB8-5", "IAB8", "IAB17-44", "IAB19")


def pod(
    campaigns: list[CatalogCampaign],
    *,
    max_ads: int,
    seed: int = 1,
    blocked: frozenset[str] = frozenset(),
    campaign_id: str | None = None,
) -> list[CatalogCampaign]:
    index = CatalogIndex(campaigns, [creative(int(c.id[1:])) for c in campaigns])
    decisions = decide_pod(
        index,
        request_id="r",
        max_duration_ms=None,
        max_ads=max_ads,
        now=NOW,
        rng=random.Random(seed),
        signer=SIGNER,
        campaign_id=campaign_id,
        blocked_categories=blocked,
    )
    return [d.campaign for d in decisions]


def one_ad(only: CatalogCampaign) -> Decision:
    """The decision of a catalog holding ``only`` (with one creative)."""
    index = CatalogIndex([only], [creative(int(only.id[1:]))])
    decided = decide(
        index, request_id="r", max_duration_ms=None, now=NOW, rng=random.Random(1), signer=SIGNER
    )
    assert decided is not None
    return decided


def test_a_subcategory_belongs_to_its_tier1_family() -> None:
    assert [family(c) for c in ("IAB2-3", "IAB2", "IAB17-44")] == ["IAB2", "IAB2", "IAB17"]


@pytest.mark.parametrize("code", ["IAB0", "IAB27", "iab2", "IAB2-0", "IAB2-100", "2", "IAB2 ", ""])
def test_only_iab_content_taxonomy_codes_are_categories(code: str) -> None:
    with pytest.raises(ValueError, match="IAB category code"):
        check_category(code)


def test_advertisers_compare_by_name_whatever_the_case_and_spacing() -> None:
    assert advertiser_key(" Acme\tMotors ") == advertiser_key("ACME motors")
    assert advertiser_key("Acme Motors") != advertiser_key("Acme Motor")


def test_blocking_a_family_blocks_its_subcategories_not_the_reverse() -> None:
    cars = campaign(1, categories=("IAB2-3",))
    assert blocked_by(cars, frozenset({"IAB2"}))
    assert blocked_by(cars, frozenset({"IAB2-3"}))
    assert not blocked_by(cars, frozenset({"IAB2-4", "IAB8"}))
    assert not blocked_by(campaign(2, categories=("IAB2",)), frozenset({"IAB2-3"}))
    assert not blocked_by(campaign(3), frozenset({"IAB2"}))  # no category: nothing to block


def test_a_break_keeps_one_ad_per_advertiser_and_category_family() -> None:
    separation = BreakSeparation([campaign(1, advertiser="Acme Motors", categories=("IAB2-3",))])
    assert not separation.allows(campaign(1))
    assert not separation.allows(campaign(2, advertiser="ACME  motors"))
    assert not separation.allows(campaign(3, categories=("IAB19", "IAB2-1")))
    assert separation.allows(campaign(4, advertiser="Brew Co", categories=("IAB8-5",)))
    assert separation.allows(campaign(5))
    assert separation_keys(campaign(5)) == frozenset({"campaign:c5"})


@settings(max_examples=200, deadline=None)
@given(
    traits=st.lists(
        st.tuples(
            st.sampled_from(ADVERTISERS),
            st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True).map(tuple),
        ),
        min_size=1,
        max_size=8,
    ),
    max_ads=st.integers(1, MAX_POD_ADS),
    blocked=st.frozensets(st.sampled_from(CATEGORIES), max_size=2),
    seed=st.integers(0, 2**32),
)
def test_a_pod_never_holds_competitors_nor_blocked_categories(
    traits: list[tuple[str | None, tuple[str, ...]]],
    max_ads: int,
    blocked: frozenset[str],
    seed: int,
) -> None:
    campaigns = [
        campaign(n, advertiser=a, categories=cats) for n, (a, cats) in enumerate(traits, 1)
    ]
    served = pod(campaigns, max_ads=max_ads, seed=seed, blocked=blocked)
    assert len(served) <= max_ads
    assert not any(blocked_by(c, blocked) for c in served)
    keys = [separation_keys(c) for c in served]
    assert all(a.isdisjoint(b) for i, a in enumerate(keys) for b in keys[i + 1 :])
    # It stops only when full, or when every campaign left is blocked or competes.
    if len(served) < max_ads:
        taken = BreakSeparation(served)
        left = [c for c in campaigns if c not in served]
        assert all(blocked_by(c, blocked) or not taken.allows(c) for c in left)


def test_a_blocked_campaign_tag_is_no_fill() -> None:
    campaigns = [campaign(1, categories=("IAB8-5",)), campaign(2)]
    assert pod(campaigns, max_ads=1, campaign_id="c1", blocked=frozenset({"IAB8"})) == []
    assert pod(campaigns, max_ads=1, campaign_id="c1") == [campaigns[0]]


def test_players_can_block_categories_in_the_ad_request() -> None:
    body = b'{"request_id": "r", "duration": 30, "blocked_categories": ["IAB8-5", "IAB26"]}'
    assert parse_ad_request(body).blocked_categories == frozenset({"IAB8-5", "IAB26"})
    assert parse_ad_request(b'{"request_id": "r", "duration": 30}').blocked_categories == set()


TOO_MANY = json.dumps([f"IAB{family}-{n}" for family in (1, 2) for n in range(1, 100)][:101])


@pytest.mark.parametrize("value", ['["alcohol"]', '"IAB8"', "[8]", TOO_MANY])
def test_blocked_categories_must_be_a_list_of_iab_codes(value: str) -> None:
    body = f'{{"request_id": "r", "duration": 30, "blocked_categories": {value}}}'.encode()
    with pytest.raises(InvalidInput) as caught:
        parse_ad_request(body)
    assert {d["field"].split(".")[0] for d in caught.value.details} == {"blocked_categories"}


def test_the_catalog_hash_carries_advertiser_and_categories() -> None:
    tagged = campaign(1, advertiser="Brew, Co", categories=("IAB8", "IAB8-5"))
    assert campaign_from_hash(campaign_to_hash(tagged)) == tagged
    assert campaign_from_hash(campaign_to_hash(campaign(2))) == campaign(2)


def test_json_and_vast_name_the_advertiser_and_categories(vast_schema: xmlschema.XMLSchema) -> None:
    hostile = campaign(1, advertiser='<Acme> & "Sons" ]]>', categories=("IAB2", "IAB2-3"))
    ad = one_ad(hostile)
    renderer = DecisionRenderer(SIGNER)
    body = json.loads(renderer.json(ad))
    assert (body["advertiser"], body["categories"]) == (hostile.advertiser, ["IAB2", "IAB2-3"])
    document = renderer.vast(ad)
    vast_schema.validate(document)
    inline = ET.fromstring(document.encode()).find("v:Ad/v:InLine", NS)
    assert inline is not None
    assert inline.findtext("v:Advertiser", namespaces=NS) == hostile.advertiser
    categories = inline.findall("v:Category", NS)
    assert [(c.text, c.get("authority")) for c in categories] == [
        ("IAB2", CATEGORY_AUTHORITY),
        ("IAB2-3", CATEGORY_AUTHORITY),
    ]


def test_an_ad_without_advertiser_or_categories_says_nothing_of_them(
    vast_schema: xmlschema.XMLSchema,
) -> None:
    ad = one_ad(campaign(1))
    document = DecisionRenderer(SIGNER).vast(ad)
    vast_schema.validate(document)
    assert "<Advertiser>" not in document and "<Category" not in document
    body = json.loads(DecisionRenderer(SIGNER).json(ad))
    assert (body["advertiser"], body["categories"]) == (None, [])


def test_a_vast_tag_blocks_categories_by_code_list() -> None:
    assert parse_blocked_categories(["iab8-5", " IAB26"]) == frozenset({"IAB8-5", "IAB26"})
    with pytest.raises(ValueError, match=r"^'' is not an IAB category code"):
        parse_blocked_categories(["IAB8", ""])


@pytest.mark.parametrize(
    ("value", "unfilled"),
    [("[BLOCKEDADCATEGORIES]", True), ("-1", True), ("-2", True), ("IAB8", False), ("[x", False)],
)
def test_a_macro_the_player_left_unfilled_is_not_a_value(value: str, unfilled: bool) -> None:
    assert unfilled_macro(value) is unfilled
