"""Catalog records survive the trip through Redis string hashes exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ads.catalog import (
    Caption,
    CatalogCampaign,
    CatalogCreative,
    Rendition,
    Verification,
    campaign_from_hash,
    campaign_to_hash,
    creative_from_hash,
    creative_to_hash,
)
from ads.frequency import CapScope, FrequencyCap


def test_campaign_round_trip() -> None:
    campaign = CatalogCampaign(
        id="c1",
        name='<Sale> & "more"',
        status="active",
        budget_total=Decimal("100.00"),
        budget_spent=Decimal("12.345600"),
        cpm=Decimal("25.00"),
        pacing="even",
        start_date=datetime(2026, 1, 1, tzinfo=UTC),
        end_date=datetime(2026, 2, 1, tzinfo=UTC),
        click_through_url=None,
        daily_cap=Decimal("10"),
        advertiser="Acme, Inc.",
        paid_by="Agency & Co",
        categories=("IAB2", "IAB2-3"),
        frequency_cap=FrequencyCap(max_ads=3, hours=24),
        impression_trackers=("https://t.example/i?a=1,2&cb=[CACHEBUSTING]", "https://u.example/"),
        click_trackers=("https://t.example/c,d",),
        verifications=(Verification("a.example-omid", "https://a.example/v.js", '{"x": 1}'),),
        exclude_child_directed=True,
        first_in_break=True,
    )
    encoded = campaign_to_hash(campaign)
    assert all(isinstance(v, str) for v in encoded.values())
    assert campaign_from_hash(encoded) == campaign
    assert not campaign_from_hash(
        campaign_to_hash(replace(campaign, exclude_child_directed=False))
    ).exclude_child_directed
    assert not campaign_from_hash(
        campaign_to_hash(replace(campaign, first_in_break=False))
    ).first_in_break
    assert campaign.budget_remaining == Decimal("87.654400")
    household = replace(campaign, frequency_cap=FrequencyCap(2, 12, CapScope.HOUSEHOLD))
    assert campaign_from_hash(campaign_to_hash(household)) == household


def test_creative_round_trip_with_renditions() -> None:
    creative = CatalogCreative(
        id="k1",
        campaign_id="c1",
        name="spot.mp4",
        status="active",
        duration_ms=30_000,
        width=1920,
        height=1080,
        mime="video/mp4",
        url="http://x/media/a.mp4",
        bitrate_kbps=8000,
        renditions=(
            Rendition(url="http://x/media/b.mp4", width=1280, height=720, bitrate_kbps=3000),
        ),
    )
    assert creative_from_hash(creative_to_hash(creative)) == creative
    scheduled = replace(
        creative,
        starts_at=datetime(2026, 12, 20, tzinfo=UTC),
        ends_at=datetime(2026, 12, 27, 6, 30, tzinfo=UTC),
    )
    assert creative_from_hash(creative_to_hash(scheduled)) == scheduled
    captioned = replace(
        creative,
        captions=(
            Caption(url="http://x/media/en.vtt", language="en"),
            Caption(url="http://x/media/a,b.vtt", language="es-MX"),
        ),
    )
    assert creative_from_hash(creative_to_hash(captioned)) == captioned
    skippable = replace(creative, skip_offset_ms=5_500)
    assert creative_from_hash(creative_to_hash(skippable)) == skippable
    named = replace(creative, universal_ad_registry="clearcast.co.uk", universal_ad_value="A/B,1")
    assert creative_from_hash(creative_to_hash(named)) == named


def test_malformed_hash_raises() -> None:
    with pytest.raises((KeyError, ValueError)):
        campaign_from_hash({"id": "x", "name": "y"})
