"""Turn database rows into catalog records (the shape the serving side reads from Redis)."""

from __future__ import annotations

from collections.abc import Callable

from ads.catalog import Caption, CatalogCampaign, CatalogCreative, Rendition, Verification
from ads.creative_review import catalog_status
from ads.dayparts import Daypart
from ads.frequency import CapScope, FrequencyCap
from ads.platforms import Platform
from ads.priority import Priority
from storage.models import Campaign, Creative


def campaign_record(campaign: Campaign) -> CatalogCampaign:
    return CatalogCampaign(
        id=str(campaign.id),
        name=campaign.name,
        status=campaign.status,
        budget_total=campaign.budget_total,
        budget_spent=campaign.budget_spent,
        cpm=campaign.cpm,
        pacing=campaign.pacing,
        start_date=campaign.start_date,
        end_date=campaign.end_date,
        click_through_url=campaign.click_through_url,
        daily_cap=campaign.daily_cap,
        advertiser=campaign.advertiser,
        paid_by=campaign.paid_by,
        categories=tuple(campaign.categories),
        frequency_cap=(
            None
            if campaign.frequency_cap_ads is None or campaign.frequency_cap_hours is None
            else FrequencyCap(
                campaign.frequency_cap_ads,
                campaign.frequency_cap_hours,
                CapScope(campaign.frequency_cap_scope),
            )
        ),
        target_apps=frozenset(campaign.target_apps),
        target_platforms=frozenset(Platform(name) for name in campaign.target_platforms),
        target_content=frozenset(campaign.target_content),
        target_geo=frozenset(campaign.target_geo),
        target_keys=tuple(
            (key, frozenset(values)) for key, values in sorted(campaign.target_keys.items())
        ),
        impression_trackers=tuple(campaign.impression_trackers),
        click_trackers=tuple(campaign.click_trackers),
        verifications=tuple(Verification(**spec) for spec in campaign.verifications),
        daypart=(
            Daypart(frozenset(campaign.daypart_hours), zone=campaign.timezone)
            if campaign.daypart_hours
            else None
        ),
        priority=Priority(campaign.priority),
        exclude_child_directed=campaign.exclude_child_directed,
        first_in_break=campaign.first_in_break,
    )


def creative_record(creative: Creative, *, media_url: Callable[[str], str]) -> CatalogCreative:
    """``media_url`` maps an object key to the absolute URL players fetch it from."""
    renditions = tuple(
        Rendition(
            url=media_url(str(r["key"])),
            width=int(r["width"]),
            height=int(r["height"]),
            bitrate_kbps=int(r.get("bitrate_kbps") or 0),
            mime=str(r.get("mime") or "video/mp4"),
            codec=str(r.get("codec") or "h264"),
        )
        for r in creative.renditions
    )
    return CatalogCreative(
        id=str(creative.id),
        campaign_id=str(creative.campaign_id),
        name=creative.name,
        status=catalog_status(creative.status, creative.review_status, paused=creative.paused),
        duration_ms=creative.duration_ms,
        width=creative.width,
        height=creative.height,
        mime=creative.mime,
        url="" if creative.file_key is None else media_url(creative.file_key),
        vast_tag_url=creative.vast_tag_url,
        bitrate_kbps=creative.bitrate_kbps or 0,
        renditions=renditions,
        captions=tuple(
            Caption(url=media_url(str(c["key"])), language=str(c["language"]))
            for c in creative.captions
        ),
        weight=creative.weight,
        starts_at=creative.starts_at,
        ends_at=creative.ends_at,
        skip_offset_ms=creative.skip_offset_ms,
        universal_ad_registry=creative.universal_ad_registry,
        universal_ad_value=creative.universal_ad_value,
    )
