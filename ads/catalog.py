"""The serving catalog: the slice of campaigns and creatives that decision replicas need.

Records are flat and immutable; they travel through Redis as string hashes, so the codec here
is the one place that knows the hash layout.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from ads.captions import CAPTION_MIME
from ads.dayparts import Daypart
from ads.frequency import FrequencyCap
from ads.platforms import Platform
from ads.priority import Priority


@dataclass(frozen=True, slots=True)
class Rendition:
    """One encoded file of a creative that a player can fetch."""

    url: str
    width: int
    height: int
    bitrate_kbps: int
    mime: str = "video/mp4"
    codec: str = "h264"


@dataclass(frozen=True, slots=True)
class Caption:
    """A creative's closed caption file (WebVTT) in one language."""

    url: str
    language: str
    mime: str = CAPTION_MIME


@dataclass(frozen=True, slots=True)
class CatalogCreative:
    id: str
    campaign_id: str
    name: str
    status: str
    duration_ms: int
    width: int
    height: int
    mime: str
    url: str
    bitrate_kbps: int = 0
    renditions: tuple[Rendition, ...] = field(default_factory=tuple)
    captions: tuple[Caption, ...] = ()
    """By language; none for a third-party VAST tag (its own ad server's business)."""
    vast_tag_url: str | None = None
    """Set for a third-party VAST tag (served as a ``<Wrapper>``); ``url`` is then empty."""
    weight: int = 1
    """Its share of the campaign's rotation: drawn ``weight`` times as often as a creative of
    weight 1 among those that fit a break."""
    starts_at: datetime | None = None
    """Served from then on (inclusive); None: from the campaign's start."""
    ends_at: datetime | None = None
    """Served until then (exclusive); None: until the campaign's end."""
    skip_offset_ms: int | None = None
    """Players offer to skip it from then on (VAST ``skipoffset``); None: not skippable."""
    universal_ad_registry: str | None = None
    universal_ad_value: str | None = None
    """Its id in an industry registry (ads/universal_ad_id.py); both None without one."""

    def scheduled_at(self, now: datetime) -> bool:
        """Whether ``now`` lies in the creative's own schedule (always, without one)."""
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now < self.ends_at
        )


@dataclass(frozen=True, slots=True)
class Verification:
    """A measurement vendor's script that OM SDK players run with the ad (VAST
    ``<Verification>``): viewability and invalid-traffic checks for the advertiser."""

    vendor: str
    """The vendor's key, ``company.com-omid`` by the IAB's advice."""
    script_url: str
    parameters: str = ""
    """What the script is told (``<VerificationParameters>``), as the vendor gave it."""


@dataclass(frozen=True, slots=True)
class CatalogCampaign:
    id: str
    name: str
    status: str
    budget_total: Decimal
    budget_spent: Decimal
    cpm: Decimal
    pacing: str
    start_date: datetime
    end_date: datetime
    click_through_url: str | None
    daily_cap: Decimal | None = None
    advertiser: str | None = None
    paid_by: str | None = None
    """Who pays for the ads when not the advertiser (ads/ad_info.py)."""
    categories: tuple[str, ...] = ()
    """IAB Content Taxonomy 1.0 codes (see ads/separation.py)."""
    frequency_cap: FrequencyCap | None = None
    target_apps: frozenset[str] = frozenset()
    """App bundles the campaign is limited to, lower-case; empty: every app (ads/targeting.py)."""
    target_platforms: frozenset[Platform] = frozenset()
    """Device platforms the campaign is limited to; empty: every device (ads/platforms.py)."""
    target_content: frozenset[str] = frozenset()
    """IAB content categories (codes, a tier-1 code for its family) the campaign is limited to;
    empty: any content (ads/targeting.py)."""
    target_geo: frozenset[str] = frozenset()
    """ISO 3166 countries and regions (``US``, ``US-CA``) the campaign is limited to; empty:
    everywhere (ads/geo.py)."""
    target_keys: tuple[tuple[str, frozenset[str]], ...] = ()
    """The publisher's key-values the campaign is limited to, by key (each key's values, any of
    which a request must state); empty: any request (ads/targeting.py)."""
    daypart: Daypart | None = None
    """The hours of the week it runs, on its time zone's clock; None: all the time."""
    impression_trackers: tuple[str, ...] = ()
    """The advertiser's own impression URLs, fired next to ours (VAST ``<Impression>``)."""
    click_trackers: tuple[str, ...] = ()
    """The advertiser's own click URLs (VAST ``<ClickTracking>``)."""
    verifications: tuple[Verification, ...] = ()
    priority: Priority = Priority.STANDARD
    """Which tier of campaigns it is drawn in (ads/priority.py)."""
    exclude_child_directed: bool = False
    """Never served to requests of child-directed apps (COPPA, ads/privacy.py)."""
    first_in_break: bool = False
    """Only served as the first ad of a break (ads/decision.py)."""

    @property
    def budget_remaining(self) -> Decimal:
        return max(self.budget_total - self.budget_spent, Decimal(0))


def _encode(value: Any) -> str:
    if isinstance(value, tuple | frozenset):  # codes, bundles, platforms: no commas in them
        return ",".join(sorted(value) if isinstance(value, frozenset) else value)
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


_JSON_FIELDS = frozenset({"impression_trackers", "click_trackers", "verifications", "target_keys"})
"""Fields of URLs, which may hold commas, and of records: kept as JSON."""


def _plain(value: Any) -> Any:
    """An item of a JSON field as JSON holds it: a record as a dict, a key and its values as a
    pair (the values sorted), a URL as it is."""
    if isinstance(value, Verification):
        return asdict(value)
    if isinstance(value, tuple):
        return [value[0], sorted(value[1])]
    return value


def campaign_to_hash(campaign: CatalogCampaign) -> dict[str, str]:
    """Redis hash fields of ``campaign`` (every value a string; None as empty)."""
    return {
        f.name: (
            json.dumps([_plain(item) for item in getattr(campaign, f.name)])
            if f.name in _JSON_FIELDS
            else _encode(getattr(campaign, f.name))
        )
        for f in fields(campaign)
    }


def campaign_from_hash(data: dict[str, str]) -> CatalogCampaign:
    """Inverse of :func:`campaign_to_hash`; ``KeyError``/``ValueError`` on a malformed hash."""
    return CatalogCampaign(
        id=data["id"],
        name=data["name"],
        status=data["status"],
        budget_total=Decimal(data["budget_total"]),
        budget_spent=Decimal(data["budget_spent"]),
        cpm=Decimal(data["cpm"]),
        pacing=data["pacing"],
        start_date=datetime.fromisoformat(data["start_date"]),
        end_date=datetime.fromisoformat(data["end_date"]),
        click_through_url=data["click_through_url"] or None,
        daily_cap=Decimal(data["daily_cap"]) if data.get("daily_cap") else None,
        advertiser=data.get("advertiser") or None,
        paid_by=data.get("paid_by") or None,
        categories=tuple(code for code in data.get("categories", "").split(",") if code),
        frequency_cap=FrequencyCap.parse(cap) if (cap := data.get("frequency_cap")) else None,
        target_apps=frozenset(app for app in data.get("target_apps", "").split(",") if app),
        target_platforms=frozenset(
            Platform(name) for name in data.get("target_platforms", "").split(",") if name
        ),
        target_content=frozenset(
            code for code in data.get("target_content", "").split(",") if code
        ),
        target_geo=frozenset(code for code in data.get("target_geo", "").split(",") if code),
        daypart=Daypart.parse(part) if (part := data.get("daypart")) else None,
        impression_trackers=tuple(json.loads(data.get("impression_trackers") or "[]")),
        click_trackers=tuple(json.loads(data.get("click_trackers") or "[]")),
        verifications=tuple(
            Verification(**item) for item in json.loads(data.get("verifications") or "[]")
        ),
        target_keys=tuple(
            (key, frozenset(values)) for key, values in json.loads(data.get("target_keys") or "[]")
        ),
        priority=Priority(data.get("priority") or Priority.STANDARD),
        exclude_child_directed=data.get("exclude_child_directed") == "True",
        first_in_break=data.get("first_in_break") == "True",
    )


_CREATIVE_RECORDS = ("renditions", "captions")
"""Fields of records, kept as JSON lists."""


def creative_to_hash(creative: CatalogCreative) -> dict[str, str]:
    """Redis hash fields of ``creative``; renditions and captions as JSON lists."""
    out = {
        f.name: _encode(getattr(creative, f.name))
        for f in fields(creative)
        if f.name not in _CREATIVE_RECORDS
    }
    for name in _CREATIVE_RECORDS:
        records = getattr(creative, name)
        out[name] = json.dumps([asdict(r) for r in records], separators=(",", ":"))
    return out


def creative_from_hash(data: dict[str, str]) -> CatalogCreative:
    """Inverse of :func:`creative_to_hash`."""
    return CatalogCreative(
        id=data["id"],
        campaign_id=data["campaign_id"],
        name=data["name"],
        status=data["status"],
        duration_ms=int(data["duration_ms"]),
        width=int(data["width"]),
        height=int(data["height"]),
        mime=data["mime"],
        url=data["url"],
        bitrate_kbps=int(data.get("bitrate_kbps") or 0),
        renditions=tuple(Rendition(**r) for r in json.loads(data.get("renditions") or "[]")),
        captions=tuple(Caption(**c) for c in json.loads(data.get("captions") or "[]")),
        vast_tag_url=data.get("vast_tag_url") or None,
        weight=int(data.get("weight") or 1),
        starts_at=_moment(data.get("starts_at")),
        ends_at=_moment(data.get("ends_at")),
        skip_offset_ms=int(skip) if (skip := data.get("skip_offset_ms")) else None,
        universal_ad_registry=data.get("universal_ad_registry") or None,
        universal_ad_value=data.get("universal_ad_value") or None,
    )


def _moment(encoded: str | None) -> datetime | None:
    return datetime.fromisoformat(encoded) if encoded else None
