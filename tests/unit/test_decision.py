"""Decision composition (pure): request parsing, JSON shape, no-fill VAST."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ads.catalog import CatalogCampaign, CatalogCreative, Rendition
from ads.decision import decide, decision_json, decision_vast, no_fill_vast, parse_ad_request
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
    body = decision_json(decision)
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
    assert "<AdServingId>" + decision.ad_serving_id in decision_vast(decision)


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
