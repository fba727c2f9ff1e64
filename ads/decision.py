"""One ad decision, from a parsed request to the JSON or VAST a player gets. Pure: the caller
brings the catalog index, the clock, the random source and the beacon signer."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from ads.ad_info import AdInfoLinks
from ads.campaigns import CategoryCode
from ads.catalog import CatalogCampaign, CatalogCreative
from ads.errors import InvalidInput
from ads.geo import NOWHERE
from ads.platforms import Platform
from ads.selection import CatalogIndex
from ads.separation import MAX_BLOCKED_CATEGORIES, BreakSeparation, blocked_by
from ads.targeting import (
    NO_KEY_VALUES,
    KeyValues,
    keyed_for,
    located_in,
    plays_on,
    runs_in,
    shows_in,
)
from ads.templates import Part, SlotTemplate
from ads.tracking import DEFAULT_CLOCK_SKEW_SECONDS, ERROR, BeaconSigner, SignedBeacons
from ads.vast import (
    AD_SERVING_ID_SLOT,
    LATEST,
    VastTemplate,
    VastVersion,
    render_no_fill,
    render_pod,
)

AD_SYSTEM = "CTV Ad Server"
AD_SYSTEM_VERSION = "1.0"
MAX_AD_DURATION_S = 3600
MAX_POD_ADS = 10
"""The most ads one request may ask for (``max_ads``): one ad break's pod."""
MAX_POD_POSITION = 100
"""The latest slot of a break a request may say its first ad fills (``pod_position``)."""
REQUEST_ID_SLOT = AD_SERVING_ID_SLOT + 1
"""Where the JSON template takes the request id (a JSON string) from, after the ad serving id."""

REQUEST_ID_PATTERN = r"^[\x21-\x7e]+$"
"""A player's request id: printable ASCII without spaces (it rides on every beacon URL)."""
RequestId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=REQUEST_ID_PATTERN)
]
REQUEST_ID: TypeAdapter[str] = TypeAdapter(RequestId)
BlockedCategories = Annotated[frozenset[CategoryCode], Field(max_length=MAX_BLOCKED_CATEGORIES)]
"""IAB codes a player wants no ad of (a tier-1 code blocks its whole family)."""
_BLOCKED_CATEGORIES: TypeAdapter[frozenset[str]] = TypeAdapter(BlockedCategories)


class AdRequestBody(BaseModel):
    """``POST /api/v1/ad-request``: who asks, and the longest ad (seconds) that fits the break;
    with ``max_ads`` above 1, a pod of up to that many ads lasting ``duration`` in all; no ad
    of the ``blocked_categories`` (IAB codes; a tier-1 code blocks its whole family)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    request_id: RequestId
    duration: float = Field(gt=0, le=MAX_AD_DURATION_S)
    max_ads: int = Field(default=1, ge=1, le=MAX_POD_ADS, strict=True)
    pod_position: int = Field(default=1, ge=1, le=MAX_POD_POSITION, strict=True)
    """The slot of the break the (first) ad asked for fills, 1 the first: a server that
    stitches a break from several sources asks for its later slots with 2, 3, …"""
    blocked_categories: BlockedCategories = frozenset()
    device: dict[str, Any] | None = None
    app: dict[str, Any] | None = None
    content: dict[str, Any] | None = None
    """What is being watched (OpenRTB ``content``): its ``cat`` (IAB codes) is read for
    content targeting (ads/targeting.py)."""
    key_values: dict[str, Any] | None = None
    """The publisher's key-values of this break (``{"genre": "comedy", "show": ["x"]}``), read
    for key-value targeting (ads/targeting.py)."""
    regs: dict[str, Any] | None = None
    user: dict[str, Any] | None = None
    """OpenRTB ``regs`` (``coppa``, ``gdpr``) and ``user`` (``consent``): the privacy signals
    ads/privacy.py reads, with ``device.lmt`` and ``device.dnt``."""
    vast_tags: bool = Field(default=False, strict=True)
    """Whether the player resolves third-party VAST tags (``vast_tag_url``); by default a JSON
    answer holds videos only, which every JSON player can play."""


@dataclass(slots=True)  # built per request: a frozen init costs twice as much
class Decision:
    """What was chosen for one request, with the signed beacon values to report it."""

    ad_serving_id: str
    request_id: str
    served_at: int
    campaign: CatalogCampaign
    creative: CatalogCreative
    beacons: SignedBeacons


def parse_ad_request(body: bytes) -> AdRequestBody:
    """The validated request; :class:`InvalidInput` naming each bad field otherwise.

    (A hand-written check of a plainly valid body was tried: 2 µs faster in a loop, 2 µs slower
    on a busy replica, where pydantic-core's compact validator stays cheaper.)
    """
    try:
        return AdRequestBody.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidInput.of("invalid ad request", exc) from exc


def unfilled_macro(value: str) -> bool:
    """Whether a tag's query value is a macro the player left as it was (``[BLOCKEDADCATEGORIES]``)
    or a placeholder for "unknown" (``-1``, ``-2``): to be taken as not given, not refused."""
    return (value.startswith("[") and value.endswith("]")) or value in ("-1", "-2")


def parse_blocked_categories(codes: Iterable[str]) -> frozenset[str]:
    """Blocked categories given outside a JSON body (a VAST tag's query); ``ValueError`` saying
    what is wrong."""
    try:
        return _BLOCKED_CATEGORIES.validate_python(list(codes))
    except ValidationError as exc:
        message = str(exc.errors(include_url=False)[0]["msg"])
        raise ValueError(message.removeprefix("Value error, ")) from None


_SERVING_IDS = random.Random()  # seeded from the OS; re-seeded in a forked child
os.register_at_fork(after_in_child=_SERVING_IDS.seed)


def new_ad_serving_id() -> str:
    """128 random bits as 32 hex characters: unique per served ad (beacons dedupe on it).

    From a generator the OS seeds once per process, not a system call per id (~3 µs on a busy
    replica): the id must not repeat, not be secret (every beacon carrying it is signed).
    """
    return f"{_SERVING_IDS.getrandbits(128):032x}"


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
    device: str | None = None,
    place: str | None = None,
    vast_tags: bool = True,
) -> Decision | None:
    """Pick an ad for the request and sign its beacons; None when nothing is eligible.
    ``accept`` narrows the campaigns (e.g. to those the replica's budget lease covers);
    ``device``: the requesting device's key (:meth:`BeaconSigner.device_key`), for reach;
    ``place``: the viewer's place the request stated (ISO 3166), for delivery by place;
    ``vast_tags``: whether third-party VAST tags may be served (else videos only)."""
    picked = index.pick(
        now,
        max_duration_ms=max_duration_ms,
        rng=rng,
        campaign_id=campaign_id,
        accept=accept,
        vast_tags=vast_tags,
    )
    if picked is None:
        return None
    campaign, creative = picked
    ad_serving_id = new_ad_serving_id()
    served_at = int(now.timestamp())
    beacons = signer.sign(
        ad_serving_id=ad_serving_id,
        request_id=request_id,
        campaign_id=campaign.id,
        creative_id=creative.id,
        served_at=served_at,
        device=device,
        place=place,
    )
    return Decision(
        ad_serving_id=ad_serving_id,
        request_id=request_id,
        served_at=served_at,
        campaign=campaign,
        creative=creative,
        beacons=beacons,
    )


def decide_pod(
    index: CatalogIndex,
    *,
    request_id: str,
    max_duration_ms: int | None,
    max_ads: int,
    now: datetime,
    rng: random.Random,
    signer: BeaconSigner,
    campaign_id: str | None = None,
    accept: Callable[[CatalogCampaign], bool] | None = None,
    pod_position: int = 1,
    blocked_categories: frozenset[str] = frozenset(),
    device: str | None = None,
    place: str | None = None,
    app: str | None = None,
    platform: Platform | None = None,
    content: frozenset[str] = frozenset(),
    geo: frozenset[str] = NOWHERE,
    keys: KeyValues = NO_KEY_VALUES,
    child_directed: bool = False,
    vast_tags: bool = True,
) -> list[Decision]:
    """An ad pod for one break, in play order: up to ``max_ads`` decisions whose durations add
    up to at most ``max_duration_ms`` (None: no limit), none of the ``blocked_categories``, no
    two competing (same campaign, advertiser or category family: see ads/separation.py), only
    campaigns that run in the request's ``app`` (:func:`ads.targeting.request_app_bundle`), on
    its ``platform`` (:func:`ads.platforms.platform_of`), in its ``content`` categories
    (:func:`ads.targeting.request_content_categories`) and its viewer's places
    (``geo``, :func:`ads.geo.request_places`), on the publisher's key-values it states
    (``keys``, :func:`ads.targeting.request_key_values`), none that stays out of
    ``child_directed`` apps (COPPA), third-party VAST tags only with ``vast_tags``, campaigns
    that take only a break's first slot only there (the first ad fills slot ``pod_position``),
    each picked as :func:`decide` picks; empty when nothing fits. ``max_ads`` 1 is a single
    :func:`decide`."""
    decisions: list[Decision] = []
    separation = BreakSeparation(keys=index.separation_keys)
    targeted, platformed = index.app_targeted, index.platform_targeted
    contextual, located, keyed = index.content_targeted, index.geo_targeted, index.key_targeted
    for_children = child_directed and index.child_excluding
    first_only = index.first_only

    def acceptable(campaign: CatalogCampaign) -> bool:
        if targeted and not runs_in(campaign, app):
            return False
        if platformed and not plays_on(campaign, platform):
            return False
        if contextual and not shows_in(campaign, content):
            return False
        if located and not located_in(campaign, geo):
            return False
        if keyed and not keyed_for(campaign.target_keys, keys):
            return False
        if for_children and campaign.exclude_child_directed:
            return False
        if first_only and campaign.first_in_break and pod_position + len(decisions) > 1:
            return False
        if blocked_categories and blocked_by(campaign, blocked_categories):
            return False
        if decisions and not separation.allows(campaign):
            return False
        return accept is None or accept(campaign)

    remaining = max_duration_ms
    while len(decisions) < max_ads and (remaining is None or remaining > 0):
        decision = decide(
            index,
            request_id=request_id,
            max_duration_ms=remaining,
            now=now,
            rng=rng,
            signer=signer,
            campaign_id=campaign_id,
            accept=acceptable,
            device=device,
            place=place,
            vast_tags=vast_tags,
        )
        if decision is None:
            break
        decisions.append(decision)
        separation.take(decision.campaign)
        if remaining is not None:
            remaining -= decision.creative.duration_ms
    return decisions


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


def playable_seconds(impression_max_age_seconds: int) -> int:
    """How long after serving an ad may still start playing: its impression must reach us within
    ``impression_max_age_seconds`` of serving (or it is refused, unbilled), less a margin for
    clocks and the beacon's trip (the clock skew we allow, at most a fifth of the window)."""
    margin = min(int(DEFAULT_CLOCK_SKEW_SECONDS), impression_max_age_seconds // 5)
    return max(1, impression_max_age_seconds - margin)


def _json_template(
    campaign: CatalogCampaign,
    creative: CatalogCreative,
    *,
    signer: BeaconSigner,
    expires_seconds: int | None,
    ad_info: AdInfoLinks | None,
) -> SlotTemplate:
    """The JSON body of a filled ad request, with the per-request values left open. A third-party
    VAST tag's ad has no files: ``video_url`` is null and ``vast_tag_url`` names the tag the
    player resolves (firing our beacons beside the tag's own), nor our information icon (the
    tag's ad brings its own, as in VAST)."""
    files = [] if creative.vast_tag_url else media_files(creative)
    fields: dict[str, Any] = {
        "campaign_id": campaign.id,
        "creative_id": creative.id,
        "video_url": files[0]["url"] if files else None,
        **({"vast_tag_url": creative.vast_tag_url} if creative.vast_tag_url else {}),
        "duration": creative.duration_ms / 1000,
        "skip_offset": None if creative.skip_offset_ms is None else creative.skip_offset_ms / 1000,
        "universal_ad_id": (
            {"registry": creative.universal_ad_registry, "value": creative.universal_ad_value}
            if creative.universal_ad_registry
            else None
        ),
        "media_files": files,
        "captions": [asdict(c) for c in creative.captions],
        "click_through_url": campaign.click_through_url,
        "advertiser": campaign.advertiser,
        "categories": list(campaign.categories),
        "third_party_tracking": {
            "impression": list(campaign.impression_trackers),
            "click": list(campaign.click_trackers),
        },
        "verifications": [asdict(v) for v in campaign.verifications],
    }
    if expires_seconds is not None:
        fields["expires_in"] = expires_seconds
    if ad_info is not None and not creative.vast_tag_url:
        fields["ad_info"] = {"url": ad_info.page_url(campaign.id), "icon": ad_info.icon_url}
    parts: list[Part] = [
        '{"request_id":',
        REQUEST_ID_SLOT,
        ',"ad_serving_id":"',
        AD_SERVING_ID_SLOT,
        f'",{json.dumps(fields, separators=(",", ":"))[1:-1]},"tracking":{{',
    ]
    for number, event in enumerate(signer.listed_events):
        # Beacon URLs hold URI characters only: nothing in them needs escaping in JSON.
        parts += [
            f'{"," if number else ""}"{event}":"',
            *signer.url_parts(event, campaign_id=campaign.id, creative_id=creative.id),
            '"',
        ]
    parts.append("}}")
    return SlotTemplate(parts)


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

    Everything but the request id, the ad serving id and the signed parts of the beacon URLs is
    rendered once per campaign and creative and reused; keep one renderer per process, with the
    signer that signs its decisions.
    """

    def __init__(
        self,
        signer: BeaconSigner,
        *,
        expires_seconds: int | None = None,
        ad_info: AdInfoLinks | None = None,
        max_entries: int = 4096,
    ) -> None:
        """``expires_seconds``: how long a served ad stays playable (see :func:`playable_seconds`),
        told to players as VAST ``<Expires>`` and JSON ``expires_in``; None leaves both out.
        ``ad_info``: where each ad's information icon and "why this ad" page are (VAST
        ``<Icon>``, JSON ``ad_info``); None leaves both out."""
        self._json = _PerAd(
            lambda campaign, creative: _json_template(
                campaign,
                creative,
                signer=signer,
                expires_seconds=expires_seconds,
                ad_info=ad_info,
            ),
            max_entries=max_entries,
        )
        self._signer, self._expires_seconds = signer, expires_seconds
        self._ad_info = ad_info
        self._max_entries = max_entries
        self._vast: dict[VastVersion, _PerAd[VastTemplate]] = {}

    def json(self, decision: Decision) -> bytes:
        """The JSON body of a filled ad request (UTF-8)."""
        values = [
            *decision.beacons.values,
            decision.ad_serving_id,
            _json_string(decision.request_id),
        ]
        return self._json.get(decision.campaign, decision.creative).fill(values).encode()

    def json_pod(self, request_id: str, decisions: Sequence[Decision]) -> bytes:
        """The JSON body of a filled pod request: ``{"request_id", "ads": [...]}``, each ad as
        :meth:`json` renders it, in play order."""
        ads = b",".join([self.json(decision) for decision in decisions])
        return b'{"request_id":%s,"ads":[%s]}' % (_json_string(request_id).encode(), ads)

    def vast(self, decision: Decision, version: VastVersion = LATEST) -> str:
        """The VAST document (4.2 unless ``version`` says) of a filled request."""
        template = self._templates(version).get(decision.campaign, decision.creative)
        return template.render(ad_serving_id=decision.ad_serving_id, beacons=decision.beacons)

    def vast_pod(self, decisions: Sequence[Decision], version: VastVersion = LATEST) -> str:
        """The VAST document of an ad pod: one ``<Ad sequence="n">`` per decision."""
        templates = self._templates(version)
        return render_pod(
            [
                templates.get(d.campaign, d.creative).render_ad(
                    ad_serving_id=d.ad_serving_id, beacons=d.beacons, sequence=number
                )
                for number, d in enumerate(decisions, start=1)
            ],
            version,
        )

    def _templates(self, version: VastVersion) -> _PerAd[VastTemplate]:
        """The VAST templates of ``version``, kept from its first request on."""
        templates = self._vast.get(version)
        if templates is None:
            templates = self._vast[version] = _PerAd(
                lambda campaign, creative: VastTemplate.of(
                    campaign=campaign,
                    creative=creative,
                    signer=self._signer,
                    ad_system=AD_SYSTEM,
                    ad_system_version=AD_SYSTEM_VERSION,
                    expires_seconds=self._expires_seconds,
                    ad_info=self._ad_info,
                    version=version,
                ),
                max_entries=self._max_entries,
            )
        return templates


def _json_string(value: str) -> str:
    """``value`` as a JSON string."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'  # nothing to escape: the usual case
    return json.dumps(value)


def no_fill_vast(
    *, signer: BeaconSigner, request_id: str, now: datetime, version: VastVersion = LATEST
) -> str:
    """VAST with only an ``<Error>`` URL (carrying [ERRORCODE]) for a request nothing fits."""
    error_url = signer.url(
        ERROR,
        ad_serving_id=new_ad_serving_id(),
        request_id=request_id,
        campaign_id="",
        creative_id="",
        served_at=int(now.timestamp()),
    )
    return render_no_fill(error_url, version)
