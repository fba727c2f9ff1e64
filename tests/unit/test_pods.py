"""Ad pods (pure): several ads for one break, their JSON and their VAST 4.2 document."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st

from ads.catalog import CatalogCampaign
from ads.decision import (
    MAX_POD_ADS,
    Decision,
    DecisionRenderer,
    decide_pod,
    parse_ad_request,
    playable_seconds,
)
from ads.errors import InvalidInput
from ads.selection import CatalogIndex
from ads.tracking import BeaconSigner
from tests.unit.catalog_factories import NOW, campaign, creative

SIGNER = BeaconSigner("p" * 32, base_url="https://ads.example.com")
NS = {"v": "http://www.iab.com/VAST"}


def index(durations: dict[int, list[int]], *, name: str | None = None) -> CatalogIndex:
    """Campaign number → its creatives' lengths in seconds."""
    return CatalogIndex(
        [campaign(number, **({"name": name} if name else {})) for number in durations],
        [creative(number, s) for number, lengths in durations.items() for s in lengths],
    )


def pod(
    catalog: CatalogIndex,
    *,
    seconds: float | None,
    max_ads: int,
    seed: int = 1,
    campaign_id: str | None = None,
    accept: Callable[[CatalogCampaign], bool] | None = None,
) -> list[Decision]:
    return decide_pod(
        catalog,
        request_id="req-1",
        max_duration_ms=None if seconds is None else int(seconds * 1000),
        max_ads=max_ads,
        now=NOW,
        rng=random.Random(seed),
        signer=SIGNER,
        campaign_id=campaign_id,
        accept=accept,
    )


@settings(max_examples=200, deadline=None)
@given(
    durations=st.dictionaries(
        st.integers(1, 8), st.lists(st.integers(5, 60), min_size=1, max_size=3), min_size=1
    ),
    seconds=st.one_of(st.none(), st.integers(1, 240)),
    max_ads=st.integers(1, MAX_POD_ADS),
    seed=st.integers(0, 2**32),
)
def test_a_pod_fits_the_break_with_one_ad_per_campaign(
    durations: dict[int, list[int]], seconds: int | None, max_ads: int, seed: int
) -> None:
    ads = pod(index(durations), seconds=seconds, max_ads=max_ads, seed=seed)
    campaigns = [d.campaign.id for d in ads]
    assert len(ads) <= max_ads and len(set(campaigns)) == len(campaigns)
    total = sum(d.creative.duration_ms for d in ads)
    if seconds is not None:
        assert total <= seconds * 1000
    # It stops only when the pod is full or nothing else fits in what is left of the break.
    if len(ads) < max_ads:
        left = None if seconds is None else seconds * 1000 - total
        for number, lengths in durations.items():
            if f"c{number}" not in campaigns:
                assert left is not None and min(lengths) * 1000 > left
    assert len({d.ad_serving_id for d in ads}) == len(ads)


def test_a_campaign_tag_pod_holds_that_campaign_once() -> None:
    ads = pod(index({1: [10], 2: [10]}), seconds=60, max_ads=4, campaign_id="c2")
    assert [d.campaign.id for d in ads] == ["c2"]


def test_refused_campaigns_stay_out_of_the_pod() -> None:
    ads = pod(
        index({1: [10], 2: [10], 3: [10]}),
        seconds=60,
        max_ads=3,
        accept=lambda c: c.id != "c2",
    )
    assert sorted(d.campaign.id for d in ads) == ["c1", "c3"]


def test_nothing_fitting_is_an_empty_pod() -> None:
    assert pod(index({1: [30]}), seconds=29.9, max_ads=3) == []


def test_the_pod_json_lists_each_ad_as_a_single_request_would_get_it() -> None:
    ads = pod(index({1: [10], 2: [15], 3: [20]}), seconds=60, max_ads=3)
    renderer = DecisionRenderer(SIGNER)
    body = json.loads(renderer.json_pod('req "1"', ads))
    assert body["request_id"] == 'req "1"'
    assert [a["ad_serving_id"] for a in body["ads"]] == [d.ad_serving_id for d in ads]
    assert [json.loads(renderer.json(d)) for d in ads] == body["ads"]


def test_the_pod_vast_validates_with_ads_in_sequence(vast_schema: xmlschema.XMLSchema) -> None:
    ads = pod(index({1: [10], 2: [15], 3: [20]}, name='<b>"A" & B</b>'), seconds=60, max_ads=3)
    document = DecisionRenderer(SIGNER).vast_pod(ads)
    vast_schema.validate(document)
    elements = ET.fromstring(document.encode()).findall("v:Ad", NS)
    assert [e.get("sequence") for e in elements] == ["1", "2", "3"]
    assert [e.findtext("v:InLine/v:AdServingId", namespaces=NS) for e in elements] == [
        d.ad_serving_id for d in ads
    ]
    assert {e.findtext("v:InLine/v:AdTitle", namespaces=NS) for e in elements} == {'<b>"A" & B</b>'}


def test_a_single_ad_document_has_no_sequence(vast_schema: xmlschema.XMLSchema) -> None:
    (ad,) = pod(index({1: [10]}), seconds=60, max_ads=1)
    document = DecisionRenderer(SIGNER).vast(ad)
    vast_schema.validate(document)
    ad_element = ET.fromstring(document.encode()).find("v:Ad", NS)
    assert ad_element is not None and ad_element.get("sequence") is None


@pytest.mark.parametrize("max_ads", ["0", "11", "2.5", '"2"', "true", "-1"])
def test_max_ads_must_be_a_whole_number_from_1_to_10(max_ads: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_ad_request(f'{{"request_id": "r", "duration": 30, "max_ads": {max_ads}}}'.encode())
    assert {d["field"] for d in caught.value.details} == {"max_ads"}


def test_max_ads_defaults_to_one() -> None:
    assert parse_ad_request(b'{"request_id": "r", "duration": 30}').max_ads == 1


def test_players_are_told_how_long_a_served_ad_stays_playable(
    vast_schema: xmlschema.XMLSchema,
) -> None:
    assert [playable_seconds(s) for s in (300, 15, 1)] == [270, 12, 1]
    ads = pod(index({1: [10], 2: [15]}), seconds=60, max_ads=2)
    renderer = DecisionRenderer(SIGNER, expires_seconds=270)
    assert [a["expires_in"] for a in json.loads(renderer.json_pod("r", ads))["ads"]] == [270, 270]
    document = renderer.vast_pod(ads)
    vast_schema.validate(document)
    expires = ET.fromstring(document.encode()).findall("v:Ad/v:InLine/v:Expires", NS)
    assert [e.text for e in expires] == ["270", "270"]
    assert "expires_in" not in json.loads(DecisionRenderer(SIGNER).json(ads[0]))
