"""One ad decision, from a parsed request to the JSON or VAST a player gets. Pure: the caller
brings the catalog index, the clock, the random source and the beacon signer."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ads.catalog import CatalogCampaign, CatalogCreative
from ads.errors import InvalidInput
from ads.selection import CatalogIndex
from ads.tracking import ERROR, BeaconSigner, TrackingUrls
from ads.vast import VastTemplate, render_no_fill

AD_SYSTEM = "CTV Ad Server"
AD_SYSTEM_VERSION = "1.0"
MAX_AD_DURATION_S = 3600

RequestId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
]


class AdRequestBody(BaseModel):
    """``POST /api/v1/ad-request``: who asks, and the longest ad (seconds) that fits the break."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    request_id: RequestId
    duration: float = Field(gt=0, le=MAX_AD_DURATION_S)
    device: dict[str, Any] | None = None
    app: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """What was chosen for one request, with the signed URLs to report it."""

    ad_serving_id: str
    request_id: str
    served_at: int
    campaign: CatalogCampaign
    creative: CatalogCreative
    tracking: TrackingUrls


def parse_ad_request(body: bytes) -> AdRequestBody:
    """The validated request; :class:`InvalidInput` naming each bad field otherwise."""
    try:
        return AdRequestBody.model_validate_json(body)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
            for err in exc.errors(include_url=False)
        ]
        raise InvalidInput("invalid ad request", details=details) from exc


def new_ad_serving_id() -> str:
    """128 random bits as 32 hex characters (unique per served ad; beacons dedupe on it)."""
    return os.urandom(16).hex()


def decide(
    index: CatalogIndex,
    *,
    request_id: str,
    max_duration_ms: int | None,
    now: datetime,
    rng: random.Random,
    signer: BeaconSigner,
    campaign_id: str | None = None,
    accept: Callable[[CatalogCampaign], bool] | None = None,
) -> Decision | None:
    """Pick an ad for the request and sign its beacons; None when nothing is eligible.
    ``accept`` narrows the campaigns (e.g. to those the replica's budget lease covers)."""
    picked = index.pick(
        now, max_duration_ms=max_duration_ms, rng=rng, campaign_id=campaign_id, accept=accept
    )
    if picked is None:
        return None
    campaign, creative = picked
    ad_serving_id = new_ad_serving_id()
    served_at = int(now.timestamp())
    tracking = signer.tracking_urls(
        ad_serving_id=ad_serving_id,
        request_id=request_id,
        campaign_id=campaign.id,
        creative_id=creative.id,
        served_at=served_at,
    )
    return Decision(
        ad_serving_id=ad_serving_id,
        request_id=request_id,
        served_at=served_at,
        campaign=campaign,
        creative=creative,
        tracking=tracking,
    )


def media_files(creative: CatalogCreative) -> list[dict[str, Any]]:
    """The files a player may fetch, best first: every rendition, or the original until the
    renditions exist."""
    return [
        {
            "url": r.url,
            "width": r.width,
            "height": r.height,
            "bitrate_kbps": r.bitrate_kbps,
            "mime": r.mime,
            "codec": r.codec,
        }
        for r in creative.renditions
    ] or [
        {
            "url": creative.url,
            "width": creative.width,
            "height": creative.height,
            "bitrate_kbps": creative.bitrate_kbps,
            "mime": creative.mime,
            "codec": "h264",
        }
    ]


def _json_fields(campaign: CatalogCampaign, creative: CatalogCreative) -> str:
    """The JSON members of a filled ad request that depend only on the campaign and creative."""
    files = media_files(creative)
    fields = {
        "campaign_id": campaign.id,
        "creative_id": creative.id,
        "video_url": files[0]["url"],
        "duration": creative.duration_ms / 1000,
        "media_files": files,
        "click_through_url": campaign.click_through_url,
    }
    return json.dumps(fields, separators=(",", ":"))[1:-1]


def _vast_template(campaign: CatalogCampaign, creative: CatalogCreative) -> VastTemplate:
    return VastTemplate.of(
        campaign=campaign,
        creative=creative,
        ad_system=AD_SYSTEM,
        ad_system_version=AD_SYSTEM_VERSION,
    )


T = TypeVar("T")


class _PerAd(Generic[T]):
    """What ``build`` makes of a (campaign, creative), kept while the catalog snapshot holds the
    same two objects (a reload makes new ones, so edits are never served stale)."""

    def __init__(
        self, build: Callable[[CatalogCampaign, CatalogCreative], T], *, max_entries: int
    ) -> None:
        self._build = build
        self._max_entries = max_entries
        self._entries: dict[tuple[str, str], tuple[CatalogCampaign, CatalogCreative, T]] = {}

    def get(self, campaign: CatalogCampaign, creative: CatalogCreative) -> T:
        key = (campaign.id, creative.id)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is campaign and entry[1] is creative:
            return entry[2]
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        value = self._build(campaign, creative)
        self._entries[key] = (campaign, creative, value)
        return value


class DecisionRenderer:
    """Renders decisions as the JSON body or the VAST document a player gets.

    Everything but the request id, the ad serving id and the signed beacon URLs is rendered once
    per campaign and creative and reused; keep one renderer per process.
    """

    def __init__(self, *, max_entries: int = 4096) -> None:
        self._json = _PerAd(_json_fields, max_entries=max_entries)
        self._vast = _PerAd(_vast_template, max_entries=max_entries)

    def json(self, decision: Decision) -> bytes:
        """The JSON body of a filled ad request (UTF-8)."""
        # Beacon URLs hold URI characters only (no quote, backslash or control character).
        beacons = ",".join([f'"{e}":"{url}"' for e, url in decision.tracking.by_event.items()])
        return (
            f'{{"request_id":{json.dumps(decision.request_id)},'
            f'"ad_serving_id":"{decision.ad_serving_id}",'
            f"{self._json.get(decision.campaign, decision.creative)},"
            f'"tracking":{{{beacons}}}}}'
        ).encode()

    def vast(self, decision: Decision) -> str:
        """The VAST 4.2 document of a filled request."""
        template = self._vast.get(decision.campaign, decision.creative)
        return template.render(ad_serving_id=decision.ad_serving_id, tracking=decision.tracking)


def no_fill_vast(*, signer: BeaconSigner, request_id: str, now: datetime) -> str:
    """VAST with only an ``<Error>`` URL (carrying [ERRORCODE]) for a request nothing fits."""
    error_url = signer.url(
        ERROR,
        ad_serving_id=new_ad_serving_id(),
        request_id=request_id,
        campaign_id="",
        creative_id="",
        served_at=int(now.timestamp()),
    )
    return render_no_fill(error_url)
