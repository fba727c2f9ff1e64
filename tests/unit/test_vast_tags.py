"""Third-party VAST tag creatives (pure): served as a VAST 4.2 Wrapper around our tracking, and
in JSON as a ``vast_tag_url`` without files."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ads.catalog import CatalogCreative, creative_from_hash, creative_to_hash
from ads.creatives import VastTagCreate
from ads.decision import Decision, DecisionRenderer, decide_pod, parse_ad_request
from ads.errors import InvalidInput
from ads.selection import CatalogIndex
from ads.tracking import BeaconSigner
from tests.unit.catalog_factories import NOW, campaign, creative
from tests.unit.test_vast import HOSTILE_PIECES

SIGNER = BeaconSigner("t" * 32, base_url="https://ads.example.com")
NS = {"v": "http://www.iab.com/VAST"}
TAG = "https://ssp.example.com/vast?pub=7&cb=[CACHEBUSTING]&ts=[TIMESTAMP]"


def tag_creative(number: int, url: str = TAG, seconds: int = 30) -> CatalogCreative:
    return replace(
        creative(number, seconds),
        id=f"t{number}",
        url="",
        mime="application/xml",
        width=0,
        height=0,
        vast_tag_url=url,
    )


def decisions(catalog: CatalogIndex, *, max_ads: int = 1, seconds: int = 30) -> list[Decision]:
    return decide_pod(
        catalog,
        request_id="req-1",
        max_duration_ms=seconds * 1000,
        max_ads=max_ads,
        now=NOW,
        rng=random.Random(5),
        signer=SIGNER,
    )


def wrapper_of(document: str) -> ET.Element:
    element = ET.fromstring(document.encode()).find("v:Ad/v:Wrapper", NS)
    assert element is not None, document
    return element


def test_a_tag_is_a_wrapper_with_our_beacons(vast_schema: xmlschema.XMLSchema) -> None:
    catalog = CatalogIndex(
        [campaign(1, click_trackers=("https://c.example/x",))], [tag_creative(1)]
    )
    (decision,) = decisions(catalog)
    document = DecisionRenderer(SIGNER, expires_seconds=270).vast(decision)
    vast_schema.validate(document)
    wrapper = wrapper_of(document)
    assert wrapper.findtext("v:VASTAdTagURI", namespaces=NS) == TAG
    urls = SIGNER.urls(decision.beacons)
    impression = wrapper.find("v:Impression", NS)
    assert impression is not None and impression.text == urls.impression
    assert impression.get("id") == decision.ad_serving_id
    linear = "v:Creatives/v:Creative/v:Linear"
    events = {e.get("event"): e.text for e in wrapper.findall(f"{linear}/v:TrackingEvents/", NS)}
    assert events == {e: urls.by_event[e] for e in SIGNER.player_events}
    clicks = [e.text for e in wrapper.findall(f"{linear}/v:VideoClicks/v:ClickTracking", NS)]
    assert clicks == [urls.click, "https://c.example/x"]
    assert wrapper.find(f"{linear}/v:MediaFiles", NS) is None
    assert "<InLine>" not in document and "<Expires>" not in document


def test_in_json_a_tag_has_no_files_but_the_tag_and_our_tracking() -> None:
    catalog = CatalogIndex([campaign(1)], [tag_creative(1)])
    (decision,) = decisions(catalog)
    body = json.loads(DecisionRenderer(SIGNER).json(decision))
    assert (body["video_url"], body["media_files"], body["vast_tag_url"]) == (None, [], TAG)
    assert body["duration"] == 30 and body["tracking"]["impression"].startswith("https://ads.")
    video = CatalogIndex([campaign(2)], [creative(2, 30)])
    assert "vast_tag_url" not in json.loads(DecisionRenderer(SIGNER).json(decisions(video)[0]))


def test_a_pod_mixes_tags_and_videos_in_one_valid_document(
    vast_schema: xmlschema.XMLSchema,
) -> None:
    catalog = CatalogIndex(
        [campaign(1, advertiser="A"), campaign(2, advertiser="B")],
        [tag_creative(1, seconds=15), creative(2, 15)],
    )
    pod = decisions(catalog, max_ads=2)
    document = DecisionRenderer(SIGNER).vast_pod(pod)
    vast_schema.validate(document)
    kinds = [child.tag.split("}")[1] for ad in ET.fromstring(document) for child in ad]
    assert sorted(kinds) == ["InLine", "Wrapper"]


@settings(max_examples=150, deadline=None)
@given(tail=st.lists(st.sampled_from(HOSTILE_PIECES), max_size=30).map("".join) | st.text())
def test_hostile_tags_cannot_break_the_wrapper(vast_schema: xmlschema.XMLSchema, tail: str) -> None:
    url = f"https://ssp.example/{tail}"
    catalog = CatalogIndex([campaign(1, name=tail)], [tag_creative(1, url=url)])
    document = DecisionRenderer(SIGNER).vast(decisions(catalog)[0])
    vast_schema.validate(document)
    kept = wrapper_of(document).findtext("v:VASTAdTagURI", namespaces=NS) or ""
    assert kept.startswith("https://ssp.example/")  # percent-encoded where a URI needs it
    if tail.isascii() and tail.isalnum():
        assert kept == url


def test_the_tag_travels_through_the_catalog_hash() -> None:
    tag = tag_creative(1)
    assert creative_from_hash(creative_to_hash(tag)) == tag
    assert creative_from_hash(creative_to_hash(creative(1))).vast_tag_url is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "vast_tag_url": "ftp://ssp.example/v", "duration_s": 30}, "vast_tag_url"),
        ({"name": "x", "vast_tag_url": "https://s.example/<v>", "duration_s": 30}, "vast_tag_url"),
        ({"name": "x", "vast_tag_url": TAG, "duration_s": 0}, "duration_s"),
        ({"name": "x", "vast_tag_url": TAG, "duration_s": "nan"}, "duration_s"),
        ({"name": " ", "vast_tag_url": TAG, "duration_s": 30}, "name"),
        ({"name": "a\x07b", "vast_tag_url": TAG, "duration_s": 30}, "name"),
        ({"name": "x", "vast_tag_url": TAG, "duration_s": 30, "file": "y"}, "file"),
    ],
)
def test_a_tag_needs_an_http_url_a_length_and_a_name(body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        VastTagCreate.model_validate(body)
    assert [e["loc"][0] for e in caught.value.errors()] == [field]


def test_a_valid_tag_is_taken_as_given() -> None:
    tag = VastTagCreate.model_validate({"name": " SSP ", "vast_tag_url": TAG, "duration_s": 15.5})
    assert (tag.name, tag.vast_tag_url, tag.duration_s) == ("SSP", TAG, 15.5)


def test_players_that_cannot_resolve_tags_get_videos_only() -> None:
    both = replace(creative(3, 15), id="v3")
    catalog = CatalogIndex(
        [campaign(1), campaign(2), campaign(3)],
        [tag_creative(1), creative(2, 30), tag_creative(3, seconds=15), both],
    )
    rng = random.Random(9)

    def served(vast_tags: bool) -> set[str]:
        picks = set()
        for _ in range(300):
            picked = catalog.pick(NOW, max_duration_ms=None, rng=rng, vast_tags=vast_tags)
            assert picked is not None
            picks.add(picked[1].id)
        return picks

    assert served(vast_tags=True) == {"t1", "k2-30", "t3", "v3"}
    assert served(vast_tags=False) == {"k2-30", "v3"}  # c1 has nothing a video player can play
    assert (
        catalog.pick(NOW, max_duration_ms=None, rng=rng, campaign_id="c1", vast_tags=False) is None
    )


def test_json_requests_ask_for_tags_explicitly() -> None:
    body = b'{"request_id": "r", "duration": 30}'
    assert parse_ad_request(body).vast_tags is False
    assert parse_ad_request(body[:-1] + b', "vast_tags": true}').vast_tags is True
    with pytest.raises(InvalidInput) as refused:
        parse_ad_request(body[:-1] + b', "vast_tags": "yes"}')
    assert [d["field"] for d in refused.value.details] == ["vast_tags"]
