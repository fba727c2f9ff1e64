"""The dashboard's only way to the backend: a typed client of the management API.

Every method either returns a parsed model or raises :class:`ApiError`, which carries the HTTP
status and the API's stable error code and message (``{"error": {"code", "message", ...}}``).
The transport failing is an ``ApiError`` too (status 503, code ``unreachable``), so pages handle
one kind of failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ads.campaigns import BulkStatusResult, CampaignCreate, CampaignStatus, CampaignUpdate
from ads.creative_report import CreativeRow
from ads.creatives import VastTagCreate
from ads.forecast import Forecast
from ads.inventory import InventoryReport
from ads.roles import Role
from ads.serving_check import ServingCheck
from ads.team_history import TeamChange
from dashboard.models import (
    ApiKey,
    ApiKeyCreated,
    ApiKeyList,
    Campaign,
    CampaignHistory,
    CampaignPace,
    CampaignPage,
    CampaignStats,
    CopiedCreatives,
    Creative,
    CreativeList,
    CreativeSplit,
    DashboardSummary,
    InvalidTraffic,
    NotificationSettings,
    PerformanceReport,
    PlaceSplit,
    PlatformSplit,
    PlayerErrors,
    Profile,
    ReviewItem,
    ReviewQueue,
    TeamHistory,
    TeamList,
    TeamUser,
    Token,
    WebhookPing,
)

Model = TypeVar("Model", bound=BaseModel)
Granularity = Literal["hour", "day"]
UPLOAD_TIMEOUT_SECONDS = 300.0
EXPORT_TIMEOUT_SECONDS = 300.0
"""A day's log-level data may be large: given as long as an upload."""


class ApiError(Exception):
    """A failed call: HTTP ``status``, the API's error ``code`` and a message for people."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        try:
            error = response.json()["error"]
            return cls(response.status_code, error["code"], error["message"], error.get("details"))
        except (ValueError, KeyError, TypeError):
            reason = response.reason_phrase or "error"
            return cls(response.status_code, "http_error", f"{response.status_code} {reason}")

    @property
    def field_errors(self) -> list[tuple[str, str]]:
        """``(field, message)`` pairs of a validation failure (422), else empty."""
        if not isinstance(self.details, list):
            return []
        return [
            (str(d.get("field", "")), str(d.get("message", "")))
            for d in self.details
            if isinstance(d, dict)
        ]


class _ProgressReader:
    """A readable upload body that reports the bytes handed to the transport so far."""

    def __init__(self, raw: IO[bytes], on_progress: Callable[[int], None]) -> None:
        self._raw = raw
        self._on_progress = on_progress
        self._sent = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self._sent += len(chunk)
        self._on_progress(self._sent)
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._raw.seek(offset, whence)
        self._sent = position
        return position

    def tell(self) -> int:
        return self._raw.tell()


class AdminApi:
    """Typed methods over ``/api/v1/admin``; ``http`` is a pooled client with that base URL."""

    def __init__(self, http: httpx.Client, *, token: str | None = None) -> None:
        self._http = http
        self._token = token

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        files: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self._http.request(
                method,
                path,
                params=clean,
                json=json,
                files=files,
                data=data,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TransportError as exc:
            raise ApiError(
                503, "unreachable", f"the management API at {self._http.base_url} is unreachable"
            ) from exc
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return response

    @staticmethod
    def _parse(model: type[Model], response: httpx.Response, key: str | None = None) -> Model:
        try:
            body = response.json()
            return model.model_validate(body[key] if key else body)
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise ApiError(
                502, "bad_response", f"unexpected answer from {response.request.url.path}"
            ) from exc

    # auth

    def login(self, *, email: str, password: str) -> Token:
        response = self._request("POST", "/auth/login", json={"email": email, "password": password})
        return self._parse(Token, response)

    def logout(self) -> None:
        self._request("POST", "/auth/logout")

    def profile(self) -> Profile:
        return self._parse(Profile, self._request("GET", "/auth/profile"))

    def change_password(self, *, current: str, new: str) -> Token:
        """Change one's own password; the answer's token replaces this session's (ended) one."""
        body = {"current_password": current, "new_password": new}
        return self._parse(Token, self._request("POST", "/auth/password", json=body))

    # the team (admins)

    def list_users(self) -> list[TeamUser]:
        return self._parse(TeamList, self._request("GET", "/users")).users

    def create_user(self, *, email: str, password: str, role: Role) -> TeamUser:
        body = {"email": email, "password": password, "role": role.value}
        return self._parse(TeamUser, self._request("POST", "/users", json=body), "user")

    def update_user(
        self,
        user_id: uuid.UUID,
        *,
        role: Role | None = None,
        active: bool | None = None,
        password: str | None = None,
    ) -> TeamUser:
        """Change what is given (role, active, a new password); the rest stays."""
        changes = {"role": role, "active": active, "password": password}
        body = {k: v for k, v in changes.items() if v is not None}
        return self._parse(TeamUser, self._request("PATCH", f"/users/{user_id}", json=body), "user")

    def delete_user(self, user_id: uuid.UUID) -> None:
        self._request("DELETE", f"/users/{user_id}")

    def list_api_keys(self) -> list[ApiKey]:
        return self._parse(ApiKeyList, self._request("GET", "/api-keys")).api_keys

    def create_api_key(self, *, name: str, role: Role) -> ApiKeyCreated:
        """A new key; the answer holds the key itself, this once."""
        body = {"name": name, "role": role.value}
        return self._parse(ApiKeyCreated, self._request("POST", "/api-keys", json=body))

    def revoke_api_key(self, key_id: uuid.UUID) -> None:
        self._request("DELETE", f"/api-keys/{key_id}")

    def notification_settings(self) -> NotificationSettings:
        return self._parse(NotificationSettings, self._request("GET", "/notifications"))

    def send_test_notification(self) -> WebhookPing:
        """POST a test notification to the server's webhook (502: it failed)."""
        return self._parse(WebhookPing, self._request("POST", "/notifications/test"))

    def team_history(self, *, limit: int = 50) -> list[TeamChange]:
        """Who changed which user, newest first."""
        response = self._request("GET", "/users/history", params={"limit": limit})
        return self._parse(TeamHistory, response).changes

    # campaigns

    def list_campaigns(
        self,
        *,
        status: CampaignStatus | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> CampaignPage:
        params = {"status": status, "search": search or None, "limit": limit, "offset": offset}
        return self._parse(CampaignPage, self._request("GET", "/campaigns", params=params))

    def get_campaign(self, campaign_id: uuid.UUID) -> Campaign:
        return self._parse(Campaign, self._request("GET", f"/campaigns/{campaign_id}"), "campaign")

    def create_campaign(self, body: CampaignCreate) -> Campaign:
        payload = body.model_dump(mode="json", exclude_none=True)
        return self._parse(Campaign, self._request("POST", "/campaigns", json=payload), "campaign")

    def update_campaign(self, campaign_id: uuid.UUID, body: CampaignUpdate) -> Campaign:
        payload = body.model_dump(mode="json", exclude_unset=True)
        response = self._request("PATCH", f"/campaigns/{campaign_id}", json=payload)
        return self._parse(Campaign, response, "campaign")

    def set_status(self, campaign_id: uuid.UUID, status: CampaignStatus) -> Campaign:
        response = self._request(
            "PUT", f"/campaigns/{campaign_id}/status", json={"status": status.value}
        )
        return self._parse(Campaign, response, "campaign")

    def set_statuses(
        self, campaign_ids: Sequence[uuid.UUID], status: CampaignStatus
    ) -> BulkStatusResult:
        body = {"campaign_ids": [str(c) for c in campaign_ids], "status": status.value}
        return self._parse(BulkStatusResult, self._request("POST", "/campaigns/status", json=body))

    def delete_campaign(self, campaign_id: uuid.UUID) -> None:
        self._request("DELETE", f"/campaigns/{campaign_id}")

    # creatives

    def list_creatives(self, campaign_id: uuid.UUID) -> list[Creative]:
        response = self._request("GET", f"/campaigns/{campaign_id}/creatives")
        return self._parse(CreativeList, response).creatives

    def get_creative(self, creative_id: uuid.UUID) -> Creative:
        return self._parse(Creative, self._request("GET", f"/creatives/{creative_id}"), "creative")

    def upload_creative(
        self,
        campaign_id: uuid.UUID,
        *,
        name: str,
        filename: str,
        content: IO[bytes],
        on_progress: Callable[[int], None] | None = None,
    ) -> Creative:
        """Stream ``content`` as multipart ``video``; ``on_progress`` gets the bytes sent so far."""
        body = _ProgressReader(content, on_progress) if on_progress else content
        response = self._request(
            "POST",
            f"/campaigns/{campaign_id}/creatives",
            data={"name": name},
            files={"video": (filename, body, "video/mp4")},
            timeout=UPLOAD_TIMEOUT_SECONDS,
        )
        return self._parse(Creative, response, "creative")

    def add_vast_tag(self, campaign_id: uuid.UUID, body: VastTagCreate) -> Creative:
        response = self._request(
            "POST", f"/campaigns/{campaign_id}/vast-tags", json=body.model_dump(mode="json")
        )
        return self._parse(Creative, response, "creative")

    def delete_creative(self, creative_id: uuid.UUID) -> None:
        self._request("DELETE", f"/creatives/{creative_id}")

    def upload_captions(
        self, creative_id: uuid.UUID, *, language: str, filename: str, content: bytes
    ) -> Creative:
        """A WebVTT or SubRip file as the creative's captions in ``language``."""
        response = self._request(
            "POST",
            f"/creatives/{creative_id}/captions",
            data={"language": language},
            files={"file": (filename, content, "text/vtt")},
        )
        return self._parse(Creative, response, "creative")

    def delete_captions(self, creative_id: uuid.UUID, language: str) -> Creative:
        response = self._request("DELETE", f"/creatives/{creative_id}/captions/{language}")
        return self._parse(Creative, response, "creative")

    def copy_creatives(
        self, campaign_id: uuid.UUID, *, from_campaign_id: uuid.UUID
    ) -> CopiedCreatives:
        response = self._request(
            "POST",
            f"/campaigns/{campaign_id}/creatives/copy",
            json={"from_campaign_id": str(from_campaign_id)},
        )
        return self._parse(CopiedCreatives, response)

    def update_creative(self, creative_id: uuid.UUID, **changes: object) -> Creative:
        """Rename, pause / resume, reweight, schedule, make skippable or name its industry id:
        ``name``, ``paused``, ``weight``, ``starts_at``, ``ends_at`` (ISO 8601; None clears),
        ``skip_offset_s``, ``universal_ad_id`` (``{registry, value}``; None clears)."""
        response = self._request("PATCH", f"/creatives/{creative_id}", json=changes)
        return self._parse(Creative, response, "creative")

    def review_queue(self) -> list[ReviewItem]:
        return self._parse(ReviewQueue, self._request("GET", "/creatives/reviews")).creatives

    def review_creative(
        self, creative_id: uuid.UUID, *, approve: bool, note: str | None = None
    ) -> Creative:
        body = {"decision": "approve" if approve else "reject", "note": note}
        response = self._request("POST", f"/creatives/{creative_id}/review", json=body)
        return self._parse(Creative, response, "creative")

    # analytics

    def campaign_stats(
        self,
        campaign_id: uuid.UUID,
        *,
        start: datetime,
        end: datetime,
        granularity: Granularity = "day",
        reach: bool = True,
    ) -> CampaignStats:
        """Counters over the range; ``reach=False`` leaves reach out (no raw-event query)."""
        params = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "granularity": granularity,
            "reach": str(reach).lower(),
        }
        response = self._request("GET", f"/campaigns/{campaign_id}/stats", params=params)
        return self._parse(CampaignStats, response)

    def campaign_pacing(self, campaign_id: uuid.UUID) -> CampaignPace:
        response = self._request("GET", f"/campaigns/{campaign_id}/pacing")
        return self._parse(CampaignPace, response)

    def _campaign_report(
        self,
        model: type[Model],
        campaign_id: uuid.UUID,
        report: str,
        start: datetime,
        end: datetime,
    ) -> Model:
        """``GET /campaigns/{id}/<report>`` over ``[start, end)``."""
        params = {"from": start.isoformat(), "to": end.isoformat()}
        response = self._request("GET", f"/campaigns/{campaign_id}/{report}", params=params)
        return self._parse(model, response)

    def campaign_platforms(
        self, campaign_id: uuid.UUID, *, start: datetime, end: datetime
    ) -> PlatformSplit:
        return self._campaign_report(PlatformSplit, campaign_id, "platforms", start, end)

    def campaign_places(
        self, campaign_id: uuid.UUID, *, start: datetime, end: datetime
    ) -> PlaceSplit:
        return self._campaign_report(PlaceSplit, campaign_id, "places", start, end)

    def invalid_traffic(
        self, campaign_id: uuid.UUID, *, start: datetime, end: datetime
    ) -> InvalidTraffic:
        return self._campaign_report(InvalidTraffic, campaign_id, "invalid-traffic", start, end)

    def player_errors(
        self, campaign_id: uuid.UUID, *, start: datetime, end: datetime
    ) -> PlayerErrors:
        return self._campaign_report(PlayerErrors, campaign_id, "player-errors", start, end)

    def creative_split(
        self, campaign_id: uuid.UUID, *, start: datetime, end: datetime
    ) -> list[CreativeRow]:
        split = self._campaign_report(CreativeSplit, campaign_id, "creatives/stats", start, end)
        return split.creatives

    def serving_check(self, campaign_id: uuid.UUID) -> ServingCheck:
        """Whether the campaign can serve right now and, if not, why."""
        response = self._request("GET", f"/campaigns/{campaign_id}/serving-check")
        return self._parse(ServingCheck, response)

    def campaign_history(self, campaign_id: uuid.UUID) -> CampaignHistory:
        response = self._request("GET", f"/campaigns/{campaign_id}/history")
        return self._parse(CampaignHistory, response)

    def dashboard(self) -> DashboardSummary:
        return self._parse(DashboardSummary, self._request("GET", "/dashboard"))

    def inventory(self, *, hours: int | None = None, days: int | None = None) -> InventoryReport:
        """Ad requests and fill of the last ``hours`` hours hour by hour, or of the last
        ``days`` UTC days day by day."""
        params = {"hours": hours} if days is None else {"days": days}
        response = self._request("GET", "/inventory", params=params)
        return self._parse(InventoryReport, response)

    def forecast(
        self,
        *,
        start: datetime,
        end: datetime,
        budget: Decimal,
        cpm: Decimal,
        targeting: Mapping[str, Sequence[str | int]] | None = None,
        timezone: str = "UTC",
    ) -> Forecast:
        """Ad requests expected from ``start`` to ``end``, against what ``budget`` buys; with
        ``targeting`` (``target_apps``, ``target_platforms``, ``target_content``,
        ``target_geo``, ``daypart_hours`` on ``timezone``'s clock), the part of
        them it reaches."""
        params = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "budget": str(budget),
            "cpm": str(cpm),
            **{
                name: ",".join(map(str, items))
                for name, items in (targeting or {}).items()
                if items
            },
        }
        if params.get("daypart_hours"):
            params["timezone"] = timezone
        return self._parse(Forecast, self._request("GET", "/forecast", params=params))

    def performance(self, *, start: datetime, end: datetime) -> PerformanceReport:
        params = {"from": start.isoformat(), "to": end.isoformat()}
        response = self._request("GET", "/reports/performance", params=params)
        return self._parse(PerformanceReport, response)

    def campaign_events_csv(self, campaign_id: uuid.UUID, first: date, last: date) -> bytes:
        """The campaign's beacons of ads served from ``first`` to ``last`` (UTC days), as the
        API's CSV."""
        path = f"/campaigns/{campaign_id}/events"
        params = {"day": first.isoformat(), "to": last.isoformat()}
        return self._request("GET", path, params=params, timeout=EXPORT_TIMEOUT_SECONDS).content

    def performance_csv(self, *, start: datetime, end: datetime) -> bytes:
        params = {"from": start.isoformat(), "to": end.isoformat(), "format": "csv"}
        return self._request("GET", "/reports/performance", params=params).content
