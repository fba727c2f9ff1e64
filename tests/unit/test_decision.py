"""Decision composition (pure): request parsing, JSON shape, no-fill VAST."""

from __future__ import annotations

import json
import os
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ads.ad_info import AdInfoLinks
from ads.catalog import Caption, CatalogCampaign, CatalogCreative, Rendition
from ads.decision import (
    Decision,
    DecisionRenderer,
    decide,
    media_files,
    new_ad_serving_id,
    no_fill_vast,
    parse_ad_request,
)
from ads.errors import InvalidInput
from ads.selection import CatalogIndex
from ads.tracking import BeaconSigner

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
SIGNER = BeaconSigner("k" * 32, base_url="https://ads.example.com")


def catalog() -> CatalogIndex:
    campaign = CatalogCampaign(
        id="c1",
        name="Spot",
        status="active",
        budget_total=Decimal(100),
        budget_spent=Decimal(0),
        cpm=Decimal(10),
        pacing="even",
        start_date=NOW - timedelta(days=1),
        end_date=NOW + timedelta(days=1),
        click_through_url="https://example.com",
    )
    creative = CatalogCreative(
        id="k1",
        campaign_id="c1",
        name="spot",
        status="active",
        duration_ms=15_000,
        width=1920,
        height=1080,
        mime="video/mp4",
        url="https://cdn.example.com/o.mp4",
        renditions=(
            Rendition(
                url="https://cdn.example.com/720.mp4", width=1280, height=720, bitrate_kbps=3000
            ),
        ),
    )
    return CatalogIndex([campaign], [creative])


def test_parse_accepts_extra_device_info_and_names_bad_fields() -> None:
    parsed = parse_ad_request(
        b'{"request_id": "r-1", "duration": 30, "device": {"os": "tvOS"}, "x": 1}'
    )
    assert parsed.request_id == "r-1" and parsed.duration == 30
    with pytest.raises(InvalidInput) as caught:
        parse_ad_request(b'{"request_id": "has space", "duration": 0}')
    fields = {d["field"] for d in caught.value.details}
    assert fields == {"request_id", "duration"}


def test_decision_json_has_every_field_players_need() -> None:
    decision = decide(
        catalog(),
        request_id="r",
        max_duration_ms=30_000,
        now=NOW,
        rng=random.Random(1),
        signer=SIGNER,
    )
    assert decision is not None
    body = json.loads(DecisionRenderer(SIGNER).json(decision))
    assert body["campaign_id"] == "c1" and body["creative_id"] == "k1"
    assert body["video_url"] == "https://cdn.example.com/720.mp4"
    assert body["duration"] == 15.0
    assert set(body["tracking"]) >= {
        "impression",
        "start",
        "firstQuartile",
        "midpoint",
        "thirdQuartile",
        "complete",
        "click",
        "error",
    }
    assert body["tracking"]["error"].endswith("&code=[ERRORCODE]")
    assert body["request_id"] == "r" and body["ad_serving_id"] == decision.ad_serving_id
    assert body["media_files"] == media_files(decision.creative)
    assert body["captions"] == [] and body["skip_offset"] is None
    assert body["tracking"]["impression"] == SIGNER.urls(decision.beacons).impression
    assert "<AdServingId>" + decision.ad_serving_id in DecisionRenderer(SIGNER).vast(decision)
    assert "ad_info" not in body  # no links given: no icon
    assert body["universal_ad_id"] is None
    named = replace(
        decision,
        creative=replace(
            decision.creative, universal_ad_registry="ad-id.org", universal_ad_value="ABCD0123456H"
        ),
    )
    assert json.loads(DecisionRenderer(SIGNER).json(named))["universal_ad_id"] == {
        "registry": "ad-id.org",
        "value": "ABCD0123456H",
    }


def test_json_and_vast_link_the_ads_information_page() -> None:
    links = AdInfoLinks.of("k" * 32, base_url="https://ads.example.com")
    renderer = DecisionRenderer(SIGNER, ad_info=links)
    decision = filled(catalog())
    body = json.loads(renderer.json(decision))
    assert body["ad_info"] == {"url": links.page_url("c1"), "icon": links.icon_url}
    pod = json.loads(renderer.json_pod("r", [decision, decision]))
    assert [ad["ad_info"]["url"] for ad in pod["ads"]] == [links.page_url("c1")] * 2
    page = links.page_url("c1").replace("&", "&amp;")
    assert f"<IconClickThrough>{page}</IconClickThrough>" in renderer.vast(decision)
    tagged = replace(
        decision, creative=replace(decision.creative, vast_tag_url="https://t.example")
    )
    assert "ad_info" not in json.loads(renderer.json(tagged))


def test_nothing_fits_gives_none_and_a_no_fill_document() -> None:
    assert (
        decide(
            catalog(),
            request_id="r",
            max_duration_ms=10_000,
            now=NOW,
            rng=random.Random(1),
            signer=SIGNER,
        )
        is None
    )
    document = no_fill_vast(signer=SIGNER, request_id="r", now=NOW)
    assert "<Ad" not in document and "[ERRORCODE]" in document


def filled(index: CatalogIndex, *, request_id: str = "r") -> Decision:
    decision = decide(
        index,
        request_id=request_id,
        max_duration_ms=None,
        now=NOW,
        rng=random.Random(1),
        signer=SIGNER,
    )
    assert decision is not None
    return decision


def test_the_renderer_serves_an_edit_from_the_next_snapshot_on() -> None:
    renderer = DecisionRenderer(SIGNER)
    first = filled(catalog())
    assert "<AdTitle>Spot</AdTitle>" in renderer.vast(first)
    assert json.loads(renderer.json(first))["click_through_url"] == "https://example.com"

    edited = replace(
        first.campaign, name="Spot & <Sons>", click_through_url="https://example.com/new"
    )
    second = replace(first, campaign=edited, ad_serving_id="second")

    document = renderer.vast(second)
    assert "<AdTitle>Spot &amp; &lt;Sons&gt;</AdTitle>" in document
    assert "<AdServingId>second</AdServingId>" in document
    assert json.loads(renderer.json(second))["click_through_url"] == "https://example.com/new"
    assert "<AdServingId>" + first.ad_serving_id in renderer.vast(first)


def test_the_renderer_keeps_a_bounded_number_of_ads() -> None:
    renderer = DecisionRenderer(SIGNER, max_entries=2)
    base = filled(catalog())
    for n in range(5):
        creative = replace(base.creative, id=f"k{n}")
        body = json.loads(renderer.json(replace(base, creative=creative)))
        assert body["creative_id"] == f"k{n}"
    assert len(renderer._json._entries) <= 2


@settings(max_examples=200, deadline=None)
@given(request_id=st.text(max_size=128), url_tail=st.text())
def test_the_json_body_is_valid_json_whatever_the_values(request_id: str, url_tail: str) -> None:
    base = filled(catalog())
    campaign = replace(base.campaign, click_through_url=f"https://x.example/{url_tail}")
    creative = replace(
        base.creative,
        id=f"k{url_tail}",
        renditions=(),
        captions=(Caption(url=f"https://x.example/{url_tail}.vtt", language=url_tail[:8]),),
    )
    decision = filled(CatalogIndex([campaign], [replace(creative, campaign_id=campaign.id)]))
    decision = replace(decision, request_id=request_id)

    body = json.loads(DecisionRenderer(SIGNER).json(decision))

    assert body["request_id"] == request_id
    assert body["creative_id"] == f"k{url_tail}"
    assert body["click_through_url"] == f"https://x.example/{url_tail}"
    assert body["media_files"] == media_files(decision.creative)
    assert body["captions"] == [
        {"url": f"https://x.example/{url_tail}.vtt", "language": url_tail[:8], "mime": "text/vtt"}
    ]
    assert body["tracking"]["error"] == SIGNER.urls(decision.beacons).error


def test_ad_serving_ids_are_128_bit_hex_and_do_not_repeat_in_a_forked_child() -> None:
    ids = {new_ad_serving_id() for _ in range(50_000)}
    assert len(ids) == 50_000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in list(ids)[:100])
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child's first id, from the generator state it inherited
        os.write(write, new_ad_serving_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 64).decode() != new_ad_serving_id()  # same state would give equal ids
