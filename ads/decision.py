"""One ad decision, from a parsed request to the JSON or VAST a player gets. Pure: the caller
brings the catalog index, the clock, the random source and the beacon signer."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ads.catalog import CatalogCampaign, CatalogCreative
from ads.errors import InvalidInput
from ads.selection import CatalogIndex
from ads.tracking import ERROR, BeaconSigner, TrackingUrls
from ads.vast import VastAd, render_no_fill, render_vast

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
    return uuid.uuid4().hex


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


def decision_json(decision: Decision) -> dict[str, Any]:
    """The JSON body of a filled ad request."""
    creative, tracking = decision.creative, decision.tracking
    media_files = [
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
    urls = {"impression": tracking.impression, **dict(tracking.events)}
    urls["click"] = tracking.click
    urls["error"] = tracking.error
    return {
        "request_id": decision.request_id,
        "ad_serving_id": decision.ad_serving_id,
        "campaign_id": decision.campaign.id,
        "creative_id": creative.id,
        "video_url": media_files[0]["url"],
        "duration": creative.duration_ms / 1000,
        "media_files": media_files,
        "click_through_url": decision.campaign.click_through_url,
        "tracking": urls,
    }


def decision_vast(decision: Decision) -> str:
    """The VAST 4.2 document of a filled request."""
    return render_vast(
        VastAd(
            ad_serving_id=decision.ad_serving_id,
            campaign=decision.campaign,
            creative=decision.creative,
            tracking=decision.tracking,
            ad_system=AD_SYSTEM,
            ad_system_version=AD_SYSTEM_VERSION,
        )
    )


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
