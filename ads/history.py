"""A campaign's change history: who created, edited, started, paused or deleted it, and what
each edit changed (``{field: [before, after]}``), kept beside the campaign and after it is gone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

_CENT = Decimal("0.01")


class Action(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    STATUS = "status"
    DELETED = "deleted"
    REVIEWED = "reviewed"
    """A creative of the campaign approved or rejected (ads/creative_review.py)."""
    CREATIVE_UPDATED = "creative_updated"
    """A creative of the campaign renamed, paused, resumed or reweighted."""
    CREATIVE_ADDED = "creative_added"
    """A creative uploaded, a VAST tag added or a creative copied to the campaign, with the
    review state it starts in."""
    CREATIVE_PROCESSED = "creative_processed"
    """The ad server made a creative's renditions, or could not (with the reason)."""
    DELIVERY = "delivery"
    """The ad server found the campaign behind its pacing plan, or back on it
    (ads/delivery_alerts.py)."""
    PLAYBACK = "playback"
    """The ad server found players failing to play the campaign's ads, or playing them again
    (ads/playback_alerts.py)."""


AD_SERVER = "ad server (automatic)"
"""The actor of the changes the ad server makes itself: completing a campaign that ended,
flagging one behind its plan, processing an upload."""
FLIGHT_ENDED = "the flight ended"
BUDGET_SPENT = "the budget cannot buy another impression"
READY, FAILED = "ready", "failed"
"""What processing an upload ended in (``changes["processing"]`` of a processed entry)."""


class CampaignChange(BaseModel):
    """One entry of ``GET /campaigns/{id}/history``."""

    campaign_id: uuid.UUID
    at: datetime
    actor: str
    """The email of the user who made the change."""
    action: Action
    changes: dict[str, list[Any]] = {}
    """``{field: [before, after]}`` in JSON terms (amounts as strings, times in ISO 8601)."""


def plain(value: Any) -> Any:
    """``value`` as JSON holds it: amounts as exact strings (two places at least, as stored),
    times in ISO 8601, enums and ids as their values, records (verification vendors) as dicts."""
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(_CENT) else f"{value:f}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def field_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]
) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each of ``fields`` whose value differs."""
    changed = {}
    for name in fields:
        old, new = plain(before.get(name)), plain(after.get(name))
        if old != new:
            changed[name] = [old, new]
    return changed


def completion_changes(
    before: str, *, flight_ended: bool, spent: Decimal, budget: Decimal
) -> dict[str, list[Any]]:
    """The entry of the ad server completing a campaign (``before`` its status then): why, and
    how much of the budget it delivered."""
    return {
        "status": [before, "completed"],
        "reason": [None, FLIGHT_ENDED if flight_ended else BUDGET_SPENT],
        "spent": [None, plain(spent)],
        "budget": [None, plain(budget)],
    }


def completion_note(changes: Mapping[str, list[Any]]) -> str:
    """``the flight ended; 2400.00 of 2500.00 spent (96%)`` (entries from before the spend was
    recorded: the reason alone)."""
    note = str(changes.get("reason", [None, ""])[-1])
    spent, budget = changes.get("spent", [None, None])[-1], changes.get("budget", [None, None])[-1]
    if spent is None or not budget or not Decimal(str(budget)):
        return note
    share = Decimal(str(spent)) / Decimal(str(budget))
    return f"{note}; {spent} of {budget} spent ({share:.0%})"


def processed_changes(
    creative: str,
    *,
    renditions: int,
    error: str | None,
    loudness: tuple[float, float] | None = None,
) -> dict[str, list[Any]]:
    """The entry of a creative's processing: ``renditions`` made, with the ``loudness`` (LUFS)
    of the upload and of what players hear when it was measured, or the ``error`` that stopped
    it."""
    if error is not None:
        return {"creative": [None, creative], "processing": [None, FAILED], "error": [None, error]}
    entry: dict[str, list[Any]] = {
        "creative": [None, creative],
        "processing": [None, READY],
        "renditions": [None, renditions],
    }
    if loudness is not None:
        entry["loudness"] = list(loudness)
    return entry


def processed_text(changes: Mapping[str, list[Any]]) -> str:
    """``creative “Spot” ready: 4 renditions`` (``, loudness -14.7 → -24.0 LUFS`` once measured),
    or ``… could not be processed: why``."""
    creative = str(changes.get("creative", [None, "a creative"])[-1])
    if changes.get("processing", [None, None])[-1] == FAILED:
        return (
            f"creative “{creative}” could not be processed: {changes.get('error', [None, '?'])[-1]}"
        )
    text = f"creative “{creative}” ready: {changes.get('renditions', [None, 0])[-1]} renditions"
    if "loudness" in changes:
        uploaded, heard = changes["loudness"]
        text += f", loudness {uploaded:.1f} → {heard:.1f} LUFS"
    return text
