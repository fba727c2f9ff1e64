"""Campaign rules and API schemas: what a valid campaign is and how its status may change."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
    model_validator,
)

from ads.audience import Targeting
from ads.dayparts import HOURS_PER_WEEK, Daypart, check_zone
from ads.errors import Conflict, InvalidInput
from ads.frequency import MAX_CAP_ADS, MAX_CAP_HOURS, CapScope
from ads.geo import MAX_TARGET_PLACES, check_place
from ads.platforms import Platform
from ads.priority import Priority
from ads.separation import MAX_CATEGORIES, check_category
from ads.targeting import MAX_TARGET_APPS, check_app_bundle, check_key_values

MAX_BUDGET = Decimal("1000000000000")
MAX_CPM = Decimal("10000")
MAX_VERIFICATIONS = 3
"""Verification vendors per campaign (a player loads each one's script with the ad)."""
MAX_TRACKERS = 5
"""Third-party trackers per event: every one is a request each player makes per ad."""


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"


class Pacing(StrEnum):
    EVEN = "even"
    ASAP = "asap"


ALLOWED_TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.ACTIVE}),
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.PAUSED, CampaignStatus.COMPLETED}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.ACTIVE, CampaignStatus.COMPLETED}),
    CampaignStatus.COMPLETED: frozenset(),
}


def check_transition(
    current: CampaignStatus, target: CampaignStatus, *, end_date: datetime, now: datetime
) -> None:
    """Raise :class:`Conflict` unless ``current`` → ``target`` is allowed right now."""
    if target not in ALLOWED_TRANSITIONS[current]:
        allowed = sorted(s.value for s in ALLOWED_TRANSITIONS[current]) or ["none"]
        raise Conflict(
            f"cannot change status from {current.value} to {target.value}",
            details={"allowed": allowed},
        )
    if target is CampaignStatus.ACTIVE and end_date <= now:
        raise Conflict("cannot activate a campaign whose end date has passed")


def _by_key(keys: dict[str, list[str]]) -> dict[str, list[str]]:
    """Key-values in the order of their keys (PostgreSQL's JSONB keeps its own order)."""
    return dict(sorted(keys.items()))


def _clean_text(value: str) -> str:
    """Trim, and refuse control characters (they cannot appear in XML 1.0 or in a VAST tag)."""
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _as_utc_datetime(value: Any) -> Any:
    """Accept a date or datetime (ISO string or object); naive values are taken as UTC."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        value = date.fromisoformat(value.strip())
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time.min, tzinfo=UTC)
    return value


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+00:12 is in year 0 in UTC
        raise ValueError("the moment is out of range in UTC") from None


def _http_url(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"https?://[^\s<>\"'\\^`{|}]+", value, flags=re.IGNORECASE):
        raise ValueError("must be an absolute http:// or https:// URL without spaces or quotes")
    return value


def _category_code(value: Any) -> Any:
    """Category codes are written upper-case (``iab2-3`` is ``IAB2-3``)."""
    return value.strip().upper() if isinstance(value, str) else value


def _last_per_vendor(specs: list[VerificationSpec]) -> list[VerificationSpec]:
    return list({spec.vendor: spec for spec in specs}.values())


def _hour_set(hours: list[int]) -> list[int]:
    return sorted(set(hours))


def _distinct(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(codes))


Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Name = Annotated[str, AfterValidator(_clean_text), Field(min_length=1, max_length=255)]
Description = Annotated[str, AfterValidator(_clean_text), Field(max_length=5000)]
UtcDateTime = Annotated[datetime, BeforeValidator(_as_utc_datetime), AfterValidator(_to_utc)]
ClickUrl = Annotated[str, Field(max_length=2048), AfterValidator(_http_url)]
Budget = Annotated[Decimal, Field(gt=0, le=MAX_BUDGET, decimal_places=2)]
Cpm = Annotated[Decimal, Field(ge=0, le=MAX_CPM, decimal_places=2)]
DailyCap = Annotated[Decimal, Field(gt=0, le=MAX_BUDGET, decimal_places=2)]
CategoryCode = Annotated[str, BeforeValidator(_category_code), AfterValidator(check_category)]
Categories = Annotated[
    list[CategoryCode], Field(max_length=MAX_CATEGORIES), AfterValidator(_distinct)
]
"""IAB Content Taxonomy 1.0 codes: what the ads are about (brand safety, competitive
separation; see ads/separation.py)."""
TargetApps = Annotated[
    list[Annotated[str, AfterValidator(check_app_bundle)]],
    Field(max_length=MAX_TARGET_APPS),
    AfterValidator(_distinct),
]
"""App bundles the campaign runs in (see ads/targeting.py); empty: every app."""
TargetPlatforms = Annotated[
    list[Platform], Field(max_length=len(Platform)), AfterValidator(_distinct)
]
"""Device platforms the campaign runs on (see ads/platforms.py); empty: every device."""
TargetGeo = Annotated[
    list[Annotated[str, AfterValidator(check_place)]],
    Field(max_length=MAX_TARGET_PLACES),
    AfterValidator(_distinct),
]
"""ISO 3166 countries (``US``) and regions (``US-CA``) the campaign runs in (see ads/geo.py); a
country covers its regions; empty: everywhere."""
TargetKeys = Annotated[
    dict[Annotated[str, Field(max_length=100)], list[Annotated[str, Field(max_length=200)]]],
    AfterValidator(check_key_values),
]
"""The publisher's key-values the campaign runs on (``{"genre": ["comedy", "drama"]}``; see
ads/targeting.py): every key must be stated with one of its values; empty: any request."""
DaypartHours = Annotated[
    list[Annotated[int, Field(ge=0, lt=HOURS_PER_WEEK, strict=True)]],
    Field(max_length=HOURS_PER_WEEK),
    AfterValidator(_hour_set),
]
"""Hours of the week the campaign runs (0: Monday 00:00-01:00 … 167: Sunday 23:00-24:00, on
``timezone``'s clock; see ads/dayparts.py); empty: all the time."""
TimeZone = Annotated[str, Field(max_length=64), AfterValidator(check_zone)]
"""An IANA time zone name (``America/New_York``): the clock dayparts are read on."""
Trackers = Annotated[list[ClickUrl], Field(max_length=MAX_TRACKERS), AfterValidator(_distinct)]
"""The advertiser's own (third-party) tracking URLs for one event, fired by players next to ours:
IAB macros such as ``[CACHEBUSTING]`` in them are theirs to fill."""
VendorKey = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._:-]{1,255}$")
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class VerificationSpec(_Strict):
    """A measurement vendor's OM SDK script (see :class:`ads.catalog.Verification`)."""

    vendor: VendorKey
    """``company.com-omid``: letters, digits and ``. _ : -``."""
    script_url: ClickUrl
    parameters: Annotated[str, AfterValidator(_clean_text), Field(max_length=4000)] = ""


Verifications = Annotated[
    list[VerificationSpec],
    Field(max_length=MAX_VERIFICATIONS),
    AfterValidator(_last_per_vendor),
]
"""Verification vendors (one script each); a vendor named twice keeps its last entry."""
CapAds = Annotated[int, Field(ge=1, le=MAX_CAP_ADS, strict=True)]
CapHours = Annotated[int, Field(ge=1, le=MAX_CAP_HOURS, strict=True)]


class CampaignCreate(_Strict):
    """Body of ``POST /campaigns``. New campaigns start as drafts."""

    name: Name
    description: Description = ""
    budget_total: Budget
    cpm: Cpm
    start_date: UtcDateTime
    end_date: UtcDateTime
    click_through_url: ClickUrl | None = None
    pacing: Pacing = Pacing.EVEN
    priority: Priority = Priority.STANDARD
    """Which tier it is drawn in: sponsorships first, house campaigns last (ads/priority.py)."""
    daily_cap: DailyCap | None = None
    advertiser: Name | None = None
    """Who the ads are for: told to players (VAST ``<Advertiser>``), and no two ads of one
    advertiser share an ad break."""
    paid_by: Name | None = None
    """Who pays for the ads when not the advertiser (an agency, a parent company): what the
    ads' "why this ad" page names as paying (ads/ad_info.py); the advertiser when unset."""
    categories: Categories = []
    frequency_cap_ads: CapAds | None = None
    """At most this many ads of the campaign per device every ``frequency_cap_hours``."""
    frequency_cap_hours: CapHours | None = None
    frequency_cap_scope: CapScope = CapScope.DEVICE
    """What the cap counts: each ``device`` (its advertising id), or each ``household`` (every
    screen of a home, known by its internet address: ads/frequency.py)."""
    target_apps: TargetApps = []
    target_platforms: TargetPlatforms = []
    target_content: Categories = []
    """IAB content categories the campaign runs in (a tier-1 code covers its family); empty:
    any content. Players name their content's categories (JSON ``content.cat``, the VAST tag's
    ``content_cat``); content that names none gets only untargeted campaigns."""
    target_geo: TargetGeo = []
    """Where its viewers may be. Players say where (JSON ``device.geo``, the VAST tag's
    ``country``/``region``), or the edge in front of the servers does (``GEO_COUNTRY_HEADER``);
    a viewer of no known place gets only campaigns without places."""
    target_keys: TargetKeys = {}
    """The publisher's key-values it runs on; players state theirs (JSON ``key_values``, the
    VAST tag's ``cust_params``); a request stating none gets only campaigns without them."""
    exclude_child_directed: bool = Field(default=False, strict=True)
    """Never in child-directed apps (requests flagged COPPA: JSON ``regs.coppa``, the VAST
    tag's ``regs=coppa``): for advertisers who must not reach children."""
    first_in_break: bool = Field(default=False, strict=True)
    """Only the first ad of a break (the "A position" advertisers pay more for): in a pod only
    first, and only for requests of a break's first slot (JSON and VAST ``pod_position`` 1,
    the default)."""
    daypart_hours: DaypartHours = []
    timezone: TimeZone = "UTC"
    impression_trackers: Trackers = []
    click_trackers: Trackers = []
    verifications: Verifications = []

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_dates(self.start_date, self.end_date)
        check_frequency_cap(self.frequency_cap_ads, self.frequency_cap_hours)
        return self


class CampaignUpdate(_Strict):
    """Body of ``PATCH /campaigns/{id}``: any subset of the editable fields."""

    name: Name | None = None
    description: Description | None = None
    budget_total: Budget | None = None
    cpm: Cpm | None = None
    start_date: UtcDateTime | None = None
    end_date: UtcDateTime | None = None
    click_through_url: ClickUrl | None = None
    pacing: Pacing | None = None
    priority: Priority | None = None
    daily_cap: DailyCap | None = None
    advertiser: Name | None = None
    paid_by: Name | None = None
    categories: Categories | None = None
    frequency_cap_ads: CapAds | None = None
    frequency_cap_hours: CapHours | None = None
    frequency_cap_scope: CapScope | None = None
    target_apps: TargetApps | None = None
    target_platforms: TargetPlatforms | None = None
    target_content: Categories | None = None
    target_geo: TargetGeo | None = None
    target_keys: TargetKeys | None = None
    exclude_child_directed: bool | None = Field(default=None, strict=True)
    first_in_break: bool | None = Field(default=None, strict=True)
    daypart_hours: DaypartHours | None = None
    timezone: TimeZone | None = None
    impression_trackers: Trackers | None = None
    click_trackers: Trackers | None = None
    verifications: Verifications | None = None

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        nullable = {
            "click_through_url",
            "daily_cap",
            "advertiser",
            "paid_by",
            "frequency_cap_ads",
            "frequency_cap_hours",
        }
        for field in self.model_fields_set - nullable:
            if getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class CampaignTargeting(_Strict):
    """A campaign's targeting alone, its hours of the week too: what ``GET /forecast`` weighs
    the supply by."""

    target_apps: TargetApps = []
    target_platforms: TargetPlatforms = []
    target_content: Categories = []
    target_geo: TargetGeo = []
    daypart_hours: DaypartHours = []
    timezone: TimeZone = "UTC"

    def audience(self) -> Targeting:
        """Who it reaches, as the sampled requests are weighed (ads/audience.py)."""
        return Targeting(
            target_apps=frozenset(self.target_apps),
            target_platforms=frozenset(self.target_platforms),
            target_content=frozenset(self.target_content),
            target_geo=frozenset(self.target_geo),
        )

    def daypart(self) -> Daypart | None:
        """The hours it runs, on its zone's clock; None: all the time."""
        if not self.daypart_hours:
            return None
        return Daypart(frozenset(self.daypart_hours), zone=self.timezone)


class StatusChange(_Strict):
    status: CampaignStatus


MAX_STATUS_BATCH = 100
"""The most campaigns one bulk status change names."""


class BulkStatusChange(_Strict):
    """One status for many campaigns (``POST /campaigns/status``): each is changed on its own,
    so one that cannot be (completed, or gone) does not hold back the others."""

    campaign_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_STATUS_BATCH)
    status: CampaignStatus

    @field_validator("campaign_ids")
    @classmethod
    def _once_each(cls, ids: list[uuid.UUID]) -> list[uuid.UUID]:
        return list(dict.fromkeys(ids))


class StatusOutcome(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    """It had that status already."""
    REFUSED = "refused"
    """The change is not allowed (see :func:`check_transition`)."""
    NOT_FOUND = "not_found"


class StatusResult(BaseModel):
    campaign_id: uuid.UUID
    outcome: StatusOutcome
    status: CampaignStatus | None
    """Its status after the request; None when not found."""
    message: str | None = None
    """Why it was refused."""


class BulkStatusResult(BaseModel):
    results: list[StatusResult]
    """One per campaign named, in the order named."""
    changed: int


class CampaignOut(BaseModel):
    """A campaign as the management API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str
    status: CampaignStatus
    budget_total: Money
    budget_spent: Money
    budget_remaining: Money
    cpm: Money
    pacing: Pacing
    priority: Priority = Priority.STANDARD
    daily_cap: Money | None
    advertiser: str | None = None
    paid_by: str | None = None
    categories: list[str] = []
    frequency_cap_ads: int | None = None
    frequency_cap_hours: int | None = None
    frequency_cap_scope: CapScope = CapScope.DEVICE
    target_apps: list[str] = []
    target_platforms: list[Platform] = []
    target_content: list[str] = []
    target_geo: list[str] = []
    target_keys: Annotated[dict[str, list[str]], AfterValidator(_by_key)] = {}
    exclude_child_directed: bool = False
    first_in_break: bool = False
    daypart_hours: list[int] = []
    timezone: str = "UTC"
    impression_trackers: list[str] = []
    click_trackers: list[str] = []
    verifications: list[VerificationSpec] = []
    budget_planned: Money | None = None
    """What even pacing planned to spend by now (see ``ads.pacing.planned_by``); None for ASAP
    pacing, a zero CPM, or before the start."""
    ad_info_url: str | None = None
    """Its ads' "why this ad" page (ads/ad_info.py); None while ads carry no information icon."""
    behind_plan_since: datetime | None = None
    """When the delivery check (every minute) found it behind its plan
    (ads/delivery_alerts.py); None while on plan."""
    failing_since: datetime | None = None
    """When the playback check (every minute) found players failing to play its ads
    (ads/playback_alerts.py); None while they play them."""
    start_date: datetime
    end_date: datetime
    click_through_url: str | None
    created_at: datetime
    updated_at: datetime


def check_dates(start: datetime, end: datetime) -> None:
    """Raise ``ValueError`` unless the flight ends after it starts."""
    if end <= start:
        raise ValueError("end_date must be after start_date")


def check_frequency_cap(max_ads: int | None, hours: int | None) -> None:
    """Raise ``ValueError`` unless both halves of a frequency cap are set, or neither."""
    if (max_ads is None) != (hours is None):
        raise ValueError("frequency_cap_ads and frequency_cap_hours are set together, or neither")


def merge_update(
    current: dict[str, Any], update: CampaignUpdate, *, budget_spent: Decimal
) -> dict[str, Any]:
    """The fields to write for ``update`` on top of ``current``; checks the combined result."""
    changes = update.model_dump(exclude_unset=True)
    merged = {**current, **changes}
    try:
        check_dates(merged["start_date"], merged["end_date"])
        check_frequency_cap(merged.get("frequency_cap_ads"), merged.get("frequency_cap_hours"))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    if "budget_total" in changes and changes["budget_total"] < budget_spent:
        raise Conflict(f"budget_total cannot be lower than what is already spent ({budget_spent})")
    return changes
