"""Process settings: one pydantic-settings class, read from environment variables.

Nothing is read at import time; call :func:`get_settings` where a process needs them (a Serve
replica's ``__init__``, an actor, the launcher). Every Ray process gets the same environment
because the launcher exports it before the Ray head starts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ads.ad_info import AdInfoLinks
from ads.loudness import LoudnessPolicy
from ads.networks import NetworkList, read_list


class SettingError(RuntimeError):
    """A setting whose value can only be checked when it is used (a file it names)."""


class Settings(BaseSettings):
    """Everything a process of the stack can be configured with (see README.md)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; unset = the launcher starts a private server under DATA_DIR.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL; unset = the launcher starts a private server under DATA_DIR.",
    )
    redis_key_prefix: str = Field(default="ctv:", description="Prefix of every Redis key.")
    data_dir: Path = Field(default=Path(".data"), description="Private servers' data and logs.")

    serve_host: str = "127.0.0.1"
    serve_port: int = Field(default=8000, ge=1, le=65535)
    streamlit_port: int = Field(default=8501, ge=1, le=65535)
    ray_dashboard_port: int = Field(default=8265, ge=1, le=65535)
    ray_gcs_port: int = Field(default=6385, ge=1, le=65535)
    ray_client_port: int = Field(default=23001, ge=1, le=65535)
    ray_agent_port: int = Field(default=52365, ge=1, le=65535)
    private_postgres_port: int = Field(default=55432, ge=1, le=65535)
    private_redis_port: int = Field(default=56379, ge=1, le=65535)
    haproxy_metrics_port: int = Field(default=9101, ge=1, le=65535)
    haproxy_stats_port: int = Field(default=8404, ge=1, le=65535)

    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Absolute base of every URL handed to players (VAST, media, beacons).",
    )
    ad_info_icon: bool = Field(
        default=True,
        description="Put an information icon on every ad (VAST <Icon>, JSON ad_info) opening a "
        "'why this ad' page: who the ad is for, who paid, why the viewer sees it (EU DSA Art. 26).",
    )
    ad_info_icon_url: str | None = Field(
        default=None,
        description="The publisher's own image for that icon; the ad server's own by default.",
    )
    admin_api_url: str = Field(
        default="http://127.0.0.1:8000/api/v1/admin",
        description="Where the dashboard reaches the management API.",
    )

    admin_email: str = "admin@example.com"
    admin_password: SecretStr | None = None
    jwt_secret: SecretStr | None = None
    tracking_secret: SecretStr | None = None
    tracking_secret_previous: SecretStr | None = Field(
        default=None,
        description="The TRACKING_SECRET before a rotation: beacons signed with it still verify. "
        "Keep it for BEACON_MAX_AGE_SECONDS after rotating, then unset it.",
    )
    session_ttl_minutes: int = Field(default=720, ge=1)
    login_max_failures: int = Field(default=10, ge=1)
    """Wrong passwords for one email within LOGIN_LOCKOUT_SECONDS before its logins get 429."""
    login_lockout_seconds: int = Field(default=900, ge=1)

    catalog_ttl_seconds: int = Field(default=3600, ge=60)
    catalog_sync_interval_seconds: float = Field(default=10.0, gt=0)
    max_json_body_bytes: int = Field(default=1_048_576, ge=1024)
    beacon_max_age_seconds: int = Field(default=86_400, ge=60)
    beacon_spill_limit: int = Field(default=100_000, ge=0)
    report_reach_timeout_seconds: float = Field(
        default=3.0,
        gt=0,
        description="Longest a report waits for what it reads from raw events (the reach "
        "count, the split by platform); past it the report leaves that out rather than keep "
        "the page waiting.",
    )
    event_retention_days: int | None = Field(
        default=400,
        ge=3,
        description="Days of raw beacon events (ad_events) kept; older day partitions are "
        "dropped (reports come from the rollups, which are kept). Unset: keep them all.",
    )
    impression_sinks: int = Field(default=2, ge=1, le=64)
    impression_max_age_seconds: int = Field(
        default=300, ge=1, description="Impressions later than this after serving are refused."
    )
    frequency_max_devices: int = Field(
        default=200_000,
        ge=1000,
        description="Devices a serving replica keeps frequency-cap history of in memory "
        "(~600 bytes each); past it the device seen longest ago is dropped.",
    )
    ledger_shards: int = Field(default=2, ge=1, le=64)
    ledger_ttl_seconds: float = Field(
        default=60.0, gt=0, description="How long a replica may spend one budget grant."
    )
    ledger_settle_window_seconds: float = Field(
        default=600.0, gt=0, description="How long an unplayed ad's reservation is held."
    )
    lease_refill_seconds: float = Field(default=0.1, gt=0)

    object_store: Literal["local", "s3"] = "local"
    media_dir: Path | None = Field(default=None, description="Local object store; DATA_DIR/media.")
    s3_bucket: str | None = None
    s3_region: str | None = None
    s3_endpoint_url: str | None = None
    s3_public_base_url: str | None = None

    max_upload_bytes: int = Field(
        default=100_000_000, ge=1, description="Largest creative upload accepted (bytes)."
    )
    max_creative_duration_s: float = Field(
        default=120.0, gt=0, description="Longest creative accepted (seconds)."
    )
    transcode_cpus: int = Field(
        default=1, ge=1, description="CPUs (and encoder threads) each rendition task reserves."
    )
    loudness_target_lufs: float = Field(
        default=-24.0,
        ge=-36,
        le=-10,
        description="Integrated loudness renditions are normalized to (ATSC A/85, the CALM Act: "
        "-24 LKFS; EBU R128: -23 LUFS).",
    )
    loudness_max_true_peak_dbtp: float = Field(
        default=-2.0, ge=-12, le=0, description="True-peak ceiling of the renditions (dBTP)."
    )
    geo_country_header: str = Field(
        default="",
        max_length=128,
        description="Request header an edge in front of the servers puts the viewer's country "
        "in (ISO 3166-1: CloudFront-Viewer-Country, CF-IPCountry), read when a request states "
        "no place; empty: none.",
    )
    geo_region_header: str = Field(
        default="",
        max_length=128,
        description="Request header with the viewer's region (ISO 3166-2, the part after the "
        "dash: CloudFront-Viewer-Country-Region); empty: none.",
    )
    gdpr_applies: Literal["signalled", "by_place", "always"] = Field(
        default="signalled",
        description="Which ad requests GDPR is taken to apply to (ads/privacy.py): those that "
        "say so; also those that do not say, from viewers in the EEA, the UK or Switzerland; "
        "or every request.",
    )
    tcf_vendor_id: int | None = Field(
        default=None,
        ge=1,
        le=65_535,
        description="This ad server's id in the IAB TCF Global Vendor List, if it has one: "
        "where GDPR applies, the device id is then used only with that vendor's consent too "
        "(ads/privacy.py); unset: the purposes' consent decides.",
    )
    ivt_excluded_networks: str = Field(
        default="",
        description="IP ranges (CIDR, comma-separated) whose beacons are invalid traffic, "
        "filed apart and never billed: data centres, the publisher's own offices and test "
        "devices (ads/networks.py).",
    )
    ivt_excluded_networks_file: Path | None = Field(
        default=None,
        description="A file of more such ranges, one or more per line, '#' starting a comment "
        "(a cloud provider's published ranges, say); read when a serving replica starts.",
    )
    trusted_proxies: str = Field(
        default="127.0.0.0/8,::1",
        description="Proxies in front of the serving replicas (CIDR, comma-separated) whose "
        "X-Forwarded-For is believed when finding a device's address: the Serve ingress, the "
        "load balancer's subnets.",
    )
    notify_webhook_url: str | None = Field(
        default=None,
        description="Where campaign news is POSTed as JSON (status changes, automatic "
        "completions, creative reviews, deletions; a Slack-style 'text' included): "
        "ads/notifications.py. Unset: no notifications.",
    )
    notify_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Signs each notification: X-CTV-Signature: sha256=<HMAC-SHA256 of the body>.",
    )
    notify_digest: bool = Field(
        default=True,
        description="With a webhook: POST a daily digest there (yesterday's delivery and ad "
        "requests, campaigns behind plan or ending soon, creatives awaiting review).",
    )
    notify_digest_hour: int = Field(
        default=7, ge=0, le=23, description="The UTC hour the daily digest is sent from."
    )
    creative_review: Literal["off", "third_party", "all"] = Field(
        default="third_party",
        description="Creatives editors add that wait for an admin's approval before serving: "
        "third-party VAST tags, all creatives, or none (ads/creative_review.py).",
    )

    vast_xsd_dir: Path = Field(default=Path("../shared/vast"))

    @field_validator("public_base_url", "admin_api_url", "ad_info_icon_url")
    @classmethod
    def _absolute_http(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/")

    @field_validator("notify_webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an absolute http(s) URL")
        return value or None

    @field_validator("ivt_excluded_networks", "trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        NetworkList.parse(value, source="the setting")
        return value

    @model_validator(mode="after")
    def _events_outlive_replays(self) -> Settings:
        retained = self.event_retention_days
        if retained is not None and (retained - 1) * 86_400 < self.beacon_max_age_seconds:
            raise ValueError(
                "EVENT_RETENTION_DAYS must keep a day more than BEACON_MAX_AGE_SECONDS, or a "
                "replayed beacon could find its first copy dropped and be counted twice"
            )
        return self

    @model_validator(mode="after")
    def _impressions_settle_in_time(self) -> Settings:
        if self.impression_max_age_seconds >= self.ledger_settle_window_seconds:
            raise ValueError(
                "IMPRESSION_MAX_AGE_SECONDS must be below LEDGER_SETTLE_WINDOW_SECONDS, or late "
                "impressions could be billed after their reservation was returned"
            )
        return self

    @property
    def media_path(self) -> Path:
        return self.media_dir or self.data_dir / "media"

    def loudness_policy(self) -> LoudnessPolicy:
        return LoudnessPolicy(
            target_lufs=self.loudness_target_lufs,
            max_true_peak_dbtp=self.loudness_max_true_peak_dbtp,
        )

    def ad_info_links(self) -> AdInfoLinks:
        """The links of the ads' "why this ad" page and icon (signed with TRACKING_SECRET)."""
        return AdInfoLinks.of(
            self.require_secret("tracking_secret"),
            base_url=self.public_base_url,
            previous=self.previous_tracking_secret(),
            icon_url=self.ad_info_icon_url,
        )

    def excluded_networks(self) -> NetworkList:
        """IVT_EXCLUDED_NETWORKS and the ranges of IVT_EXCLUDED_NETWORKS_FILE."""
        listed = NetworkList.parse(self.ivt_excluded_networks)
        path = self.ivt_excluded_networks_file
        if path is None:
            return listed
        try:
            return listed + read_list(path)
        except (OSError, ValueError) as exc:
            raise SettingError(f"IVT_EXCLUDED_NETWORKS_FILE: {exc}") from exc

    def trusted_proxy_networks(self) -> NetworkList:
        """TRUSTED_PROXIES as ranges."""
        return NetworkList.parse(self.trusted_proxies)

    def require_database_url(self) -> str:
        if not self.database_url:
            raise RuntimeError("DATABASE_URL is not set (the launcher sets it for private servers)")
        return self.database_url

    def require_redis_url(self) -> str:
        if not self.redis_url:
            raise RuntimeError("REDIS_URL is not set (the launcher sets it for private servers)")
        return self.redis_url

    def previous_tracking_secret(self) -> str | None:
        """TRACKING_SECRET_PREVIOUS, held to the same rule as the current secret."""
        if self.tracking_secret_previous is None:
            return None
        previous = self.tracking_secret_previous.get_secret_value()
        if len(previous) < 16:
            raise RuntimeError("TRACKING_SECRET_PREVIOUS must be at least 16 characters")
        return previous

    def require_secret(self, name: Literal["jwt_secret", "tracking_secret"]) -> str:
        secret: SecretStr | None = getattr(self, name)
        if secret is None or len(secret.get_secret_value()) < 16:
            raise RuntimeError(f"{name.upper()} must be set to at least 16 characters")
        return secret.get_secret_value()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
