"""The ads' "why this ad" information icon, and what the page it opens says.

The EU Digital Services Act (Art. 26) asks that a viewer can tell, for each ad, that it is an ad,
on whose behalf it is shown, who paid for it, and the main parameters that chose them as its
viewer. Each InLine ad carries an ``<Icon program="AdChoices">`` whose click opens a signed page
of this server naming those facts; the JSON answer carries the same two URLs under ``ad_info``.

The page's link names the campaign and a tag keyed with the tracking secret, so nobody can list
the campaigns' targeting by walking ids; it does not expire (a viewer may come back to it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ads.catalog import CatalogCampaign
from ads.dayparts import describe
from ads.frequency import CapScope
from ads.geo import place_name
from ads.platforms import LABELS as PLATFORM_LABELS
from ads.separation import TIER1_CATEGORIES, family

PAGE_PATH = "/api/v1/about-ad"
CODE_PATH = "/api/v1/about-ad.png"
"""The page's link as a QR code: what a TV without a browser shows when the icon is clicked."""
ICON_PATH = "/api/v1/ad-info.png"
ICON_PROGRAM = "AdChoices"
"""The ``program`` players know an ad's information icon by (IAB VAST 4.x, section 3.16)."""
ICON_SIZE = 48
"""The icon's width and height in pixels (a 1080p screen's corner)."""
CODE_TEXT = "Scan to see why you are seeing this ad"
"""What the QR code of the page is, for players that describe images."""
_TAG_BYTES = 16
_CONTEXT = b"about-ad\x00"
"""Keeps these tags apart from every other use of the tracking secret."""


@dataclass(frozen=True, slots=True)
class AdInfoLinks:
    """Signs and checks the links of the "why this ad" page; says where its icon is."""

    keys: tuple[bytes, ...]
    """The tracking secret first; a previous one (during a rotation) still verifies."""
    base_url: str
    icon_url: str
    icon_type: str
    """The icon's MIME type (VAST ``creativeType``)."""

    @classmethod
    def of(
        cls,
        secret: str,
        *,
        base_url: str,
        previous: str | None = None,
        icon_url: str | None = None,
    ) -> AdInfoLinks:
        """Links on ``base_url`` (PUBLIC_BASE_URL); the icon is ours unless ``icon_url`` names
        the publisher's own."""
        base = base_url.rstrip("/")
        keys = tuple(s.encode() for s in (secret, previous) if s)
        icon = icon_url or f"{base}{ICON_PATH}"
        return cls(keys=keys, base_url=base, icon_url=icon, icon_type=image_type(icon))

    def page_url(self, campaign_id: str) -> str:
        """The page about the campaign's ads."""
        return f"{self.base_url}{PAGE_PATH}?{self._query(campaign_id)}"

    def code_url(self, campaign_id: str) -> str:
        """The page's link as a QR code image (VAST 4.2 ``<IconClickFallbackImage>``)."""
        return f"{self.base_url}{CODE_PATH}?{self._query(campaign_id)}"

    def _query(self, campaign_id: str) -> str:
        return f"c={quote(campaign_id, safe='')}&s={_tag(self.keys[0], campaign_id)}"

    def verify(self, campaign_id: str, tag: str) -> bool:
        """Whether ``tag`` is the tag of ``campaign_id``'s page under one of the keys."""
        return any(hmac.compare_digest(_tag(key, campaign_id), tag) for key in self.keys)


def image_type(url: str) -> str:
    """An image's MIME type by the name in its URL; PNG when the name does not say."""
    guessed, _ = mimetypes.guess_type(urlsplit(url).path, strict=False)
    return guessed if guessed is not None and guessed.startswith("image/") else "image/png"


def _tag(key: bytes, campaign_id: str) -> str:
    digest = hmac.new(key, _CONTEXT + campaign_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_TAG_BYTES]).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class AdInfo:
    """What the page says about one campaign's ads."""

    on_behalf_of: str | None
    """The advertiser; None when the campaign names none."""
    paid_by: str | None
    reasons: tuple[str, ...]
    """The main parameters that chose the viewer, one sentence each."""


NOT_PROFILED = (
    "This ad was not chosen from a profile of your interests: the ad server builds none. It was "
    "chosen from what your app told it about this moment (the app, the programme, your device "
    "and your area) and from the advertiser's budget and schedule."
)
HOW_TO_CHANGE = (
    "You can reset or limit your device's advertising identifier in its privacy settings; how "
    "often an ad is shown to you is then counted afresh, and ads stop being counted per device "
    "when the identifier is limited."
)
ANY_VIEWER = "It is shown to any viewer of this service: the advertiser chose no audience."


def ad_info(campaign: CatalogCampaign) -> AdInfo:
    """The facts of ``campaign``'s "why this ad" page."""
    return AdInfo(
        on_behalf_of=campaign.advertiser,
        paid_by=campaign.paid_by or campaign.advertiser,
        reasons=tuple(_reasons(campaign)) or (ANY_VIEWER,),
    )


def _reasons(campaign: CatalogCampaign) -> list[str]:
    reasons: list[str] = []
    if campaign.target_geo:
        places = ", ".join(sorted(place_name(code) for code in campaign.target_geo))
        reasons.append(f"It is shown to viewers in: {places}.")
    if campaign.target_platforms:
        devices = ", ".join(sorted(PLATFORM_LABELS[p] for p in campaign.target_platforms))
        reasons.append(f"It is shown on these devices: {devices}.")
    if campaign.target_apps:
        apps = ", ".join(sorted(campaign.target_apps))
        reasons.append(f"It is shown in these apps only: {apps}.")
    if campaign.target_content:
        topics = ", ".join(sorted({_topic(code) for code in campaign.target_content}))
        reasons.append(f"It is shown next to programmes about: {topics}.")
    if campaign.target_keys:
        labels = "; ".join(
            f"{key}: {', '.join(sorted(values))}" for key, values in campaign.target_keys
        )
        reasons.append(f"It is shown where the app labelled the programme {labels}.")
    if campaign.daypart is not None:
        reasons.append(f"It is shown at these times: {describe(campaign.daypart)}.")
    if campaign.exclude_child_directed:
        reasons.append("It is never shown in apps or programmes made for children.")
    cap = campaign.frequency_cap
    if cap is not None:
        holder = "household" if cap.scope is CapScope.HOUSEHOLD else "device"
        times = "once" if cap.max_ads == 1 else f"{cap.max_ads} times"
        hours = "hour" if cap.hours == 1 else f"{cap.hours} hours"
        reasons.append(f"It is shown at most {times} every {hours} per {holder}.")
    return reasons


def _topic(code: str) -> str:
    """A content category's name: its tier-1 family's (``IAB17-44`` → ``Sports``)."""
    return TIER1_CATEGORIES.get(family(code), code)
