"""Typed views of the management API's responses, as the dashboard reads them.

Campaigns reuse the API's own :class:`ads.campaigns.CampaignOut`. The other models ignore fields
they do not know and default the metrics they may miss, so the dashboard keeps working while the
creative, statistics and report endpoints grow.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from ads.api_keys import ApiKeyOut
from ads.campaigns import CampaignOut
from ads.creative_report import CreativeRow
from ads.creative_review import ReviewStatus
from ads.creatives import CaptionOut
from ads.invalid_traffic_report import AgentRow, ReasonRow
from ads.loudness import LoudnessReport
from ads.player_errors import CodeRow, CreativeErrors, PlatformErrors
from ads.priority import Priority
from ads.roles import Role, UserOut
from ads.team_history import TeamChange
from ads.universal_ad_id import UniversalAdId

Campaign = CampaignOut


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Token(ApiModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int


class Profile(ApiModel):
    id: str
    email: str
    role: Role


TeamUser = UserOut


class TeamList(ApiModel):
    users: list[TeamUser]


class TeamHistory(ApiModel):
    changes: list[TeamChange]


ApiKey = ApiKeyOut


class ApiKeyList(ApiModel):
    api_keys: list[ApiKey]


class ApiKeyCreated(ApiModel):
    api_key: ApiKey
    key: str


class CampaignPage(ApiModel):
    campaigns: list[Campaign]
    total: int
    limit: int
    offset: int


class CreativeStatus(StrEnum):
    PROCESSING = "processing"
    ACTIVE = "active"
    FAILED = "failed"


class Rendition(ApiModel):
    name: str
    url: str
    width: int | None = None
    height: int | None = None
    bitrate_kbps: float | None = None
    mime: str | None = None
    codec: str | None = None
    loudness_lufs: float | None = None


class Creative(ApiModel):
    id: uuid.UUID
    campaign_id: uuid.UUID
    name: str
    status: CreativeStatus
    progress: float = 0.0
    error: str | None = None
    mime: str | None = None
    duration_ms: int | None = None
    size_bytes: int | None = None
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    bitrate_kbps: float | None = None
    url: str | None = None
    vast_tag_url: str | None = None
    """Set on a third-party VAST tag (which has no file)."""
    renditions: list[Rendition] = []
    captions: list[CaptionOut] = []
    loudness: LoudnessReport | None = None
    review_status: ReviewStatus = ReviewStatus.APPROVED
    review_note: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    created_by: str | None = None
    paused: bool = False
    weight: int = 1
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    skip_offset_s: float | None = None
    universal_ad_id: UniversalAdId | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CreativeList(ApiModel):
    creatives: list[Creative]


class CopiedCreatives(CreativeList):
    skipped: int = 0


class ReviewItem(ApiModel):
    """A creative waiting for review, with its campaign."""

    creative: Creative
    campaign_name: str
    advertiser: str | None = None


class ReviewQueue(ApiModel):
    creatives: list[ReviewItem]


class StatsTotals(ApiModel):
    impressions: int = 0
    starts: int = 0
    first_quartiles: int = 0
    midpoints: int = 0
    third_quartiles: int = 0
    completes: int = 0
    clicks: int = 0
    errors: int = 0
    spend: float = 0.0
    vcr: float = 0.0
    ctr: float = 0.0
    ecpm: float = 0.0
    budget_remaining: float | None = None
    budget_spent: float | None = None
    budget_planned: float | None = None
    reach: int | None = None
    frequency: float | None = None


class StatsPoint(ApiModel):
    bucket: datetime
    impressions: int = 0
    completes: int = 0
    clicks: int = 0
    spend: float = 0.0


class CampaignStats(ApiModel):
    totals: StatsTotals
    series: list[StatsPoint] = []


class NotificationSettings(ApiModel):
    webhook: bool = False
    signed: bool = False
    digest_hour: int | None = None


class WebhookPing(ApiModel):
    delivery: str
    status_code: int


class PacingDay(ApiModel):
    day: date
    spent: float | None = None
    """None for days to come."""
    planned: float | None = None


class SpendProjection(ApiModel):
    basis_spend: float
    spend_at_end: float
    share_of_budget: float
    budget_spent_at: datetime | None = None


class CampaignPace(ApiModel):
    budget_total: float
    days: list[PacingDay] = []
    projection: SpendProjection | None = None


class PlatformRow(ApiModel):
    platform: str | None = None
    label: str
    impressions: int = 0
    share: float = 0.0


class PlatformSplit(ApiModel):
    impressions: int = 0
    rows: list[PlatformRow] | None = None
    """None: the API left the split out (reading the events took too long)."""


class RegionRow(ApiModel):
    region: str
    label: str
    impressions: int = 0


class PlaceRow(ApiModel):
    country: str | None = None
    label: str
    impressions: int = 0
    share: float = 0.0
    regions: list[RegionRow] = []


class PlaceSplit(ApiModel):
    impressions: int = 0
    rows: list[PlaceRow] | None = None
    """None: the API left the split out (reading the events took too long)."""


class InvalidTraffic(ApiModel):
    """``GET /campaigns/{id}/invalid-traffic`` without its range echo."""

    impressions: int = 0
    invalid_impressions: int = 0
    invalid_events: int = 0
    invalid_share: float = 0.0
    reasons: list[ReasonRow] = []
    agents: list[AgentRow] = []


class PlayerErrors(ApiModel):
    """``GET /campaigns/{id}/player-errors`` without its range echo."""

    impressions: int = 0
    errors: int = 0
    before_play: int = 0
    failure_rate: float = 0.0
    codes: list[CodeRow] | None = None
    """None: the API left the split out (reading the events took too long)."""
    creatives: list[CreativeErrors] = []
    platforms: list[PlatformErrors] = []


class CreativeSplit(ApiModel):
    """``GET /campaigns/{id}/creatives/stats`` without its range echo."""

    creatives: list[CreativeRow] = []


class DashboardTotals(ApiModel):
    campaigns: int = 0
    active_campaigns: int = 0
    impressions: int = 0
    clicks: int = 0
    spend: float = 0.0


class DashboardDay(ApiModel):
    day: date
    impressions: int = 0
    spend: float = 0.0
    clicks: int = 0
    completes: int = 0


class TopCampaign(ApiModel):
    id: uuid.UUID
    name: str
    impressions: int = 0
    spend: float = 0.0


class CampaignChange(ApiModel):
    at: datetime
    actor: str
    action: str
    changes: dict[str, list[Any]] = {}


class CampaignHistory(ApiModel):
    changes: list[CampaignChange] = []


class BehindPlan(ApiModel):
    id: uuid.UUID
    name: str
    budget_spent: float = 0.0
    budget_planned: float = 0.0
    pace: float = 0.0


class EndingSoon(ApiModel):
    id: uuid.UUID
    name: str
    end_date: datetime
    budget_spent: float = 0.0
    budget_total: float = 0.0


class FailingPlayback(ApiModel):
    id: uuid.UUID
    name: str
    failing_since: datetime


class FallingShort(ApiModel):
    id: uuid.UUID
    name: str
    budget_total: float = 0.0
    spend_at_end: float = 0.0
    share_of_budget: float = 0.0


class DashboardSummary(ApiModel):
    totals: DashboardTotals
    series: list[DashboardDay] = []
    top_campaigns: list[TopCampaign] = []
    behind_plan: list[BehindPlan] = []
    ending_soon: list[EndingSoon] = []
    falling_short: list[FallingShort] = []
    failing_playback: list[FailingPlayback] = []


class PerformanceRow(ApiModel):
    campaign_id: uuid.UUID
    name: str
    status: str
    impressions: int = 0
    completes: int = 0
    clicks: int = 0
    vcr: float = 0.0
    ctr: float = 0.0
    spend: float = 0.0
    ecpm: float = 0.0
    budget_remaining: float | None = None
    advertiser: str | None = None
    reach: int | None = None
    frequency: float | None = None
    priority: Priority = Priority.STANDARD
    invalid_impressions: int = 0


class PerformanceReport(ApiModel):
    rows: list[PerformanceRow]
