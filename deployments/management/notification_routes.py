"""``/notifications``: admins see whether campaign news and the daily digest have a webhook to go
to (``NOTIFY_WEBHOOK_URL``, set on the server) and send it a test notification, signed like the
real ones, to check the receiving end."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from fastapi import APIRouter
from pydantic import BaseModel

from ads.errors import Conflict, UpstreamFailed
from ads.notifications import headers, ping_body
from deployments.management.deps import AdminUser, StateDep

router = APIRouter(prefix="/notifications", tags=["notifications"])

TEST_TIMEOUT_SECONDS = 10.0


class NotificationSettings(BaseModel):
    webhook: bool
    """Whether a webhook is set."""
    signed: bool
    """Whether notifications are signed (``NOTIFY_WEBHOOK_SECRET``)."""
    digest_hour: int | None
    """The UTC hour the daily digest is sent from; None: no digest."""


class WebhookPing(BaseModel):
    delivery: str
    """The test notification's ``X-CTV-Delivery``."""
    status_code: int
    """What the webhook answered."""


@router.get("", response_model=NotificationSettings)
async def notification_settings(_: AdminUser, state: StateDep) -> NotificationSettings:
    settings = state.settings
    webhook = settings.notify_webhook_url is not None
    return NotificationSettings(
        webhook=webhook,
        signed=settings.notify_webhook_secret is not None,
        digest_hour=settings.notify_digest_hour if webhook and settings.notify_digest else None,
    )


@router.post("/test", response_model=WebhookPing)
async def send_test(admin: AdminUser, state: StateDep) -> WebhookPing:
    """POST a test notification to the webhook now; 409 without one, 502 when it fails."""
    url = state.settings.notify_webhook_url
    if url is None:
        raise Conflict("no webhook is set on the server (NOTIFY_WEBHOOK_URL)")
    secret = state.settings.notify_webhook_secret
    delivery = f"test-{uuid.uuid4()}"
    payload = ping_body(actor=admin.email, at=datetime.now(UTC), delivery=delivery)
    signing = secret.get_secret_value() if secret else None
    try:
        async with httpx.AsyncClient(timeout=TEST_TIMEOUT_SECONDS) as client:
            answer = await client.post(
                url, content=payload, headers=headers(delivery, payload, signing)
            )
    except httpx.HTTPError as exc:
        raise UpstreamFailed(f"the webhook could not be reached: {type(exc).__name__}") from exc
    if not answer.is_success:
        raise UpstreamFailed(f"the webhook answered {answer.status_code}")
    return WebhookPing(delivery=delivery, status_code=answer.status_code)
