"""Campaign news for a webhook: what the team wants to hear about without opening the dashboard.

Each notified entry of a campaign's change history (ads/history.py) becomes one JSON POST:
status changes (a campaign started, paused or completed, the ad server's own completions with
their reason), delivery alerts (a campaign fell behind its pacing plan, or is back on it),
playback alerts (players started failing to play its ads, or play them again),
creatives added that wait for an admin's review, uploads that could not be processed, creative
reviews (approved, rejected, taken down) and deletions. Edits are in the history, not in the
notifications. The body carries the entry as the history API shows it, the campaign's name,
and a one-line ``text`` (what chat webhooks such as Slack's display). With a secret the body
is signed, ``X-CTV-Signature: sha256=<hex HMAC-SHA256 of the body>``, and ``X-CTV-Delivery``
is the entry's id, the same on every retry (delivery is at least once). Pure:
actors/notifier.py sends them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ads import delivery_alerts, playback_alerts
from ads.creative_review import ReviewStatus
from ads.history import FAILED, Action, completion_note, processed_text

NOTIFIED = frozenset(
    {Action.STATUS, Action.REVIEWED, Action.DELETED, Action.DELIVERY, Action.PLAYBACK}
)
"""Always news; a creative added is news while it awaits review."""
SIGNATURE_HEADER = "X-CTV-Signature"
DELIVERY_HEADER = "X-CTV-Delivery"


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One campaign history entry waiting to be notified, with the campaign's name (None when
    the campaign is gone)."""

    id: int
    at: datetime
    actor: str
    action: str
    campaign_id: uuid.UUID
    campaign: str | None
    changes: dict[str, list[Any]]


def notified(entry: ChangeEntry) -> bool:
    """Whether ``entry`` is news (the rest are handed on silently)."""
    if entry.action == Action.CREATIVE_ADDED:
        return bool(entry.changes.get("review", [None, None])[-1] == ReviewStatus.PENDING)
    if entry.action == Action.CREATIVE_PROCESSED:
        return bool(entry.changes.get("processing", [None, None])[-1] == FAILED)
    return entry.action in NOTIFIED


def text(entry: ChangeEntry) -> str:
    """``Campaign “Spring”: active → completed (the flight ended), by ad server (automatic)``."""
    changes = entry.changes
    named = entry.campaign or changes.get("name", [None])[0]
    name = f"“{named}”" if named else str(entry.campaign_id)
    if entry.action == Action.DELETED:
        what = "deleted"
    elif entry.action == Action.CREATIVE_ADDED:
        creative = str(changes.get("creative", [None, "a creative"])[-1])
        what = f"creative “{creative}” added, awaiting review"
    elif entry.action == Action.CREATIVE_PROCESSED:
        what = processed_text(changes)
    elif entry.action == Action.DELIVERY:
        what = delivery_alerts.describe(changes)
    elif entry.action == Action.PLAYBACK:
        what = playback_alerts.describe(changes)
    elif entry.action == Action.REVIEWED:
        creative = str(changes.get("creative", [None, "a creative"])[-1])
        what = f"creative “{creative}” {changes.get('review', [None, 'reviewed'])[-1]}"
        if note := changes.get("note", [None, None])[-1]:
            what += f": {note}"
    else:
        before, after = changes.get("status", ["?", "?"])
        what = f"{before} → {after}"
        if changes.get("reason", [None, None])[-1]:
            what += f" ({completion_note(changes)})"
    return f"Campaign {name}: {what}, by {entry.actor}"


def body(entry: ChangeEntry) -> bytes:
    """The JSON body POSTed for ``entry``."""
    return json.dumps(
        {
            "id": entry.id,
            "event": f"campaign.{entry.action}",
            "at": entry.at.isoformat(),
            "actor": entry.actor,
            "campaign_id": str(entry.campaign_id),
            "campaign": entry.campaign,
            "changes": entry.changes,
            "text": text(entry),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def ping_body(*, actor: str, at: datetime, delivery: str) -> bytes:
    """The body of a test notification an admin sends to check the webhook."""
    return json.dumps(
        {
            "id": delivery,
            "event": "test",
            "at": at.isoformat(),
            "actor": actor,
            "text": f"Test notification from the CTV ad server, sent by {actor}: campaign news "
            "and the daily digest arrive here.",
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def headers(delivery: str, payload: bytes, secret: str | None) -> dict[str, str]:
    """The request headers of ``payload``, ``delivery`` its id (a history entry's), signed with
    ``secret`` when there is one."""
    out = {"Content-Type": "application/json", DELIVERY_HEADER: delivery}
    if secret:
        out[SIGNATURE_HEADER] = signature(secret, payload)
    return out


def signature(secret: str, payload: bytes) -> str:
    """``sha256=<hex>``: what a receiver recomputes over the raw body to trust it."""
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
