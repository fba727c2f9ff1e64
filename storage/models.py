"""SQLAlchemy 2 models: the one description of the PostgreSQL schema (Alembic migrates to it)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    Text,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ads.universal_ad_id import UniversalAdId

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EVENT_TYPES = (
    "impression",
    "start",
    "firstQuartile",
    "midpoint",
    "thirdQuartile",
    "complete",
    "click",
    "error",
    "pause",
    "resume",
    "mute",
    "unmute",
    "skip",
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="role_known"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    email: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(Text, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true(), nullable=False)
    session_version: Mapped[int] = mapped_column(Integer, server_default="0", nullable=False)
    """Raised when the password changes: sessions issued before end (ads/auth.py)."""
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created()


class ApiKey(Base):
    """An integration's key (ads/api_keys.py): its SHA-256, never the key."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("role IN ('editor', 'viewer')", name="role_known"),
        CheckConstraint("char_length(name) BETWEEN 1 AND 100", name="name_length"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(Text, nullable=False)
    digest: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    shown: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("budget_total > 0", name="budget_total_positive"),
        CheckConstraint("budget_spent >= 0", name="budget_spent_not_negative"),
        CheckConstraint("cpm >= 0", name="cpm_not_negative"),
        CheckConstraint("daily_cap IS NULL OR daily_cap > 0", name="daily_cap_positive"),
        CheckConstraint("end_date > start_date", name="end_after_start"),
        CheckConstraint(
            "status IN ('draft', 'active', 'paused', 'completed')", name="status_known"
        ),
        CheckConstraint("pacing IN ('even', 'asap')", name="pacing_known"),
        CheckConstraint("priority IN ('sponsorship', 'standard', 'house')", name="priority_known"),
        CheckConstraint("char_length(name) BETWEEN 1 AND 255", name="name_length"),
        CheckConstraint(
            "advertiser IS NULL OR char_length(advertiser) BETWEEN 1 AND 255",
            name="advertiser_length",
        ),
        CheckConstraint(
            "paid_by IS NULL OR char_length(paid_by) BETWEEN 1 AND 255", name="paid_by_length"
        ),
        CheckConstraint(
            "(frequency_cap_ads IS NULL) = (frequency_cap_hours IS NULL)"
            " AND (frequency_cap_ads IS NULL OR frequency_cap_ads > 0)"
            " AND (frequency_cap_hours IS NULL OR frequency_cap_hours > 0)",
            name="frequency_cap_whole",
        ),
        CheckConstraint(
            "frequency_cap_scope IN ('device', 'household')", name="frequency_cap_scope_known"
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default="draft", index=True)
    budget_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    budget_spent: Mapped[Decimal] = mapped_column(
        Numeric(18, 6), nullable=False, server_default="0"
    )
    cpm: Mapped[Decimal] = mapped_column(Numeric(10, 2), nullable=False)
    pacing: Mapped[str] = mapped_column(Text, nullable=False, server_default="even")
    priority: Mapped[str] = mapped_column(Text, nullable=False, server_default="standard")
    daily_cap: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    advertiser: Mapped[str | None] = mapped_column(Text)
    paid_by: Mapped[str | None] = mapped_column(Text)
    """Who pays for the ads when not the advertiser (ads/ad_info.py)."""
    categories: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    frequency_cap_ads: Mapped[int | None] = mapped_column(SmallInteger)
    frequency_cap_hours: Mapped[int | None] = mapped_column(SmallInteger)
    frequency_cap_scope: Mapped[str] = mapped_column(Text, nullable=False, server_default="device")
    """Whom the cap counts: ``device`` or ``household`` (ads/frequency.py ``CapScope``)."""
    target_apps: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    target_platforms: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    target_content: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    target_geo: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    target_keys: Mapped[dict[str, list[str]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    exclude_child_directed: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default=text("false")
    )
    first_in_break: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default=text("false")
    )
    daypart_hours: Mapped[list[int]] = mapped_column(
        ARRAY(SmallInteger), nullable=False, server_default=text("'{}'::smallint[]")
    )
    timezone: Mapped[str] = mapped_column(Text, nullable=False, server_default="UTC")
    impression_trackers: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    click_trackers: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    verifications: Mapped[list[dict[str, str]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")
    )
    start_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    end_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    click_through_url: Mapped[str | None] = mapped_column(Text)
    behind_plan_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the delivery check last found it behind its plan (ads/delivery_alerts.py); None
    while on plan."""
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the playback check found players failing to play its ads (ads/playback_alerts.py);
    None while they play them."""
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )

    @property
    def budget_remaining(self) -> Decimal:
        return max(self.budget_total - self.budget_spent, Decimal(0))


class Creative(Base):
    __tablename__ = "creatives"
    __table_args__ = (
        CheckConstraint("status IN ('processing', 'active', 'failed')", name="status_known"),
        CheckConstraint("duration_ms > 0", name="duration_positive"),
        CheckConstraint("vast_tag_url IS NOT NULL OR size_bytes > 0", name="size_positive"),
        CheckConstraint("(file_key IS NULL) <> (vast_tag_url IS NULL)", name="file_or_tag"),
        CheckConstraint(
            "review_status IN ('approved', 'pending', 'rejected')", name="review_status_known"
        ),
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
        CheckConstraint("ends_at > starts_at", name="schedule_ordered"),
        CheckConstraint(
            "skip_offset_ms > 0 AND skip_offset_ms < duration_ms", name="skip_offset_within"
        ),
        CheckConstraint(
            "(universal_ad_registry IS NULL) = (universal_ad_value IS NULL)",
            name="universal_ad_id_whole",
        ),
        Index(
            "ix_creatives_review_pending",
            "created_at",
            postgresql_where=text("review_status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default="processing")
    file_key: Mapped[str | None] = mapped_column(Text, unique=True)
    """The uploaded original's object key; None for a third-party VAST tag."""
    vast_tag_url: Mapped[str | None] = mapped_column(Text)
    """A third-party ad server's VAST tag that the creative stands for (served as a Wrapper)."""
    mime: Mapped[str] = mapped_column(Text, nullable=False, server_default="video/mp4")
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    video_codec: Mapped[str | None] = mapped_column(Text)
    audio_codec: Mapped[str | None] = mapped_column(Text)
    bitrate_kbps: Mapped[int | None] = mapped_column(Integer)
    renditions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")
    )
    captions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")
    )
    """Its closed caption files (ads/captions.py), one per language, by language:
    ``{language, key, cues, source_format, uploaded_by, uploaded_at}``."""
    progress: Mapped[float] = mapped_column(nullable=False, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    review_status: Mapped[str] = mapped_column(Text, nullable=False, server_default="approved")
    """ads/creative_review.py: only ``approved`` creatives reach the serving catalog."""
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(Text)
    """Who added it (None for creatives from before this was recorded)."""
    paused: Mapped[bool] = mapped_column(nullable=False, server_default=text("false"))
    """Kept out of serving by its campaign's team, until resumed."""
    weight: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="1")
    """Its share of the campaign's rotation (ads/catalog.py ``CatalogCreative.weight``)."""
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Served from then on (its own schedule within the campaign's flight); None: always."""
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Served until then (exclusive); None: until the campaign ends."""
    skip_offset_ms: Mapped[int | None] = mapped_column(Integer)
    """When viewers may skip it (VAST ``skipoffset``); None: not skippable."""
    universal_ad_registry: Mapped[str | None] = mapped_column(Text)
    universal_ad_value: Mapped[str | None] = mapped_column(Text)
    """Its id in an industry registry (ads/universal_ad_id.py); both None when it has none."""
    loudness_lufs: Mapped[float | None] = mapped_column(Double)
    """The upload's integrated loudness (ads/loudness.py; -70 is silence); None for a VAST tag
    and for uploads from before loudness was measured."""
    true_peak_dbtp: Mapped[float | None] = mapped_column(Double)
    """The upload's true peak; None for silence, a VAST tag or an upload never measured."""
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )

    @property
    def skip_offset_s(self) -> float | None:
        """The skip offset in seconds, as the API says it."""
        return None if self.skip_offset_ms is None else self.skip_offset_ms / 1000

    @property
    def universal_ad_id(self) -> UniversalAdId | None:
        """Its id in an industry registry, as the API says it."""
        if self.universal_ad_registry is None or self.universal_ad_value is None:
            return None
        return UniversalAdId(registry=self.universal_ad_registry, value=self.universal_ad_value)

    @universal_ad_id.setter
    def universal_ad_id(self, industry: UniversalAdId | None) -> None:
        self.universal_ad_registry = industry.registry if industry else None
        self.universal_ad_value = industry.value if industry else None


class AdEvent(Base):
    """One counted beacon. Partitioned by day on ``served_at`` (the time the ad was decided,
    carried in the signed URL), so a replayed beacon lands in the same partition and the
    ``(event_id, served_at)`` key de-duplicates it."""

    __tablename__ = "ad_events"
    __table_args__ = (
        PrimaryKeyConstraint("event_id", "served_at", name="pk_ad_events"),
        Index(
            "ix_ad_events_reach",
            "campaign_id",
            "served_at",
            "device",
            postgresql_where=text("event_type = 'impression' AND device IS NOT NULL"),
        ),
        Index(
            "ix_ad_events_errors",
            "campaign_id",
            "served_at",
            postgresql_where=text("event_type = 'error'"),
        ),
        {"postgresql_partition_by": "RANGE (served_at)"},
    )

    event_id: Mapped[str] = mapped_column(Text, nullable=False)
    served_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    flushed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    event_type: Mapped[str] = mapped_column(Text, nullable=False)
    ad_serving_id: Mapped[str] = mapped_column(Text, nullable=False)
    request_id: Mapped[str | None] = mapped_column(Text)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    creative_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    error_code: Mapped[int | None] = mapped_column(SmallInteger)
    cost: Mapped[Decimal] = mapped_column(Numeric(18, 6), nullable=False, server_default="0")
    user_agent: Mapped[str | None] = mapped_column(Text)
    device: Mapped[str | None] = mapped_column(Text)
    """Keyed hash of the advertising id the ad was served to (see ads/tracking.py), for reach."""
    place: Mapped[str | None] = mapped_column(Text)
    """Where the beacon came from, as the edge in front of the servers said (ads/geo.py): an
    ISO 3166-1 country (``US``) or 3166-2 region (``US-CA``)."""


class InvalidEvent(Base):
    """One beacon filtered as invalid traffic (ads/invalid_traffic.py): kept out of
    ``ad_events`` and every figure made from it, for the campaign's invalid-traffic report.
    Keyed by the beacon's event id and its stream entry (ads/events.py); removed with the raw
    events past their retention."""

    __tablename__ = "invalid_events"
    __table_args__ = (Index("ix_invalid_events_campaign", "campaign_id", "received_at"),)

    event_id: Mapped[str] = mapped_column(Text, primary_key=True)
    served_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    event_type: Mapped[str] = mapped_column(Text, nullable=False)
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    creative_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    user_agent: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)


class _StatsMixin:
    impressions: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    starts: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    first_quartiles: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    midpoints: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    third_quartiles: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    completes: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    clicks: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    errors: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    skips: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    spend: Mapped[Decimal] = mapped_column(Numeric(18, 6), nullable=False, server_default="0")


class CampaignHourlyStats(_StatsMixin, Base):
    __tablename__ = "campaign_hourly_stats"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)


class CampaignDailyStats(_StatsMixin, Base):
    __tablename__ = "campaign_daily_stats"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class CreativeDailyStats(_StatsMixin, Base):
    """A campaign's counters per creative and UTC day. ``creative_id`` has no foreign key: a
    deleted creative's delivery stays in its campaign's figures."""

    __tablename__ = "creative_daily_stats"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    creative_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class _ChangeEntry:
    """The columns of every change-history table: an entry's order, time, who made it, what
    kind of change and ``{field: [before, after]}``."""

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    action: Mapped[str] = mapped_column(Text, nullable=False)
    changes: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )


class UserChangeRecord(_ChangeEntry, Base):
    """One entry of the team's change history (ads/team_history.py). No foreign key: the
    history of a removed user stays."""

    __tablename__ = "user_changes"
    __table_args__ = (Index("ix_user_changes_at", "at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    email: Mapped[str] = mapped_column(Text, nullable=False)


class CampaignChangeRecord(_ChangeEntry, Base):
    """One entry of a campaign's change history (ads/history.py). No foreign key: the history
    of a deleted campaign stays."""

    __tablename__ = "campaign_changes"
    __table_args__ = (
        Index("ix_campaign_changes_campaign_at", "campaign_id", "at"),
        Index(
            "ix_campaign_changes_unnotified",
            "id",
            postgresql_where=text("notified_at IS NULL"),
        ),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the notifier handed the entry on (or passed over it); None: not yet
    (actors/notifier.py)."""


class DigestSent(Base):
    """A day whose daily digest (ads/digest.py) the webhook took (2xx)."""

    __tablename__ = "notification_digests"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class InventoryHour(Base):
    """One UTC hour of ad requests answered (ads/inventory.py :class:`InventoryCounts`, one
    column per count), archived from Redis (storage/inventory_archive.py) so the inventory
    report and the forecasts outlive Redis and its 35 days."""

    __tablename__ = "inventory_hourly"

    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    filled: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    house_only: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    ads: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    house_ads: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    invalid: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    robots: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")


class AudienceDay(Base):
    """The ad requests sampled on one UTC day by request profile (ads/audience.py), archived
    from Redis with the inventory, for targeted forecasts."""

    __tablename__ = "audience_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    profile: Mapped[str] = mapped_column(Text, primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger, nullable=False)
