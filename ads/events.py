"""Beacon events on their way to PostgreSQL: the stream entry layout and the database row.

A verified :class:`ads.tracking.Beacon` becomes a flat string map for the Redis Stream; a sink
turns entries back into rows. Both directions live here so the layout has one owner.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from ads.tracking import Beacon

USER_AGENT_MAX = 256


@dataclass(frozen=True, slots=True)
class EventRow:
    """One ``ad_events`` row as the sink copies it (cost is filled in by SQL from the CPM)."""

    event_id: str
    served_at: datetime
    received_at: datetime
    event_type: str
    ad_serving_id: str
    request_id: str | None
    campaign_id: uuid.UUID | None
    creative_id: uuid.UUID | None
    error_code: int | None
    user_agent: str | None
    device: str | None
    place: str | None
    invalid: str | None = None
    """Why the beacon is invalid traffic (:class:`ads.invalid_traffic.InvalidReason`): such a
    row goes to ``invalid_events``, not ``ad_events``."""


def stream_fields(
    beacon: Beacon,
    *,
    received_at_ms: int,
    user_agent: str | None,
    place: str | None = None,
    invalid: str | None = None,
) -> dict[str, str]:
    """The stream entry of a verified beacon that came with ``user_agent`` from ``place``
    (``invalid``: why it is invalid traffic, if it is)."""
    return {
        "id": beacon.event_id,
        "e": beacon.event,
        "a": beacon.ad_serving_id,
        "r": beacon.request_id,
        "c": beacon.campaign_id,
        "k": beacon.creative_id,
        "t": str(beacon.served_at),
        "rt": str(received_at_ms),
        "code": "" if beacon.error_code is None else str(beacon.error_code),
        "ua": (user_agent or "")[:USER_AGENT_MAX],
        "d": beacon.device or "",
        "g": place or "",
        "iv": invalid or "",
    }


def _text(value: str | None) -> str | None:
    """``value`` as PostgreSQL text can hold it (no NUL character: one would fail the sink's
    whole batch, again and again), None when empty."""
    return value.replace("\x00", "\ufffd") if value else None


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def ad_serving_id_of(event_id: str) -> str:
    """The ad serving id in a stored event id: ``<ad serving id>:<event>``
    (``ads.tracking``), with ``~<stream entry>`` after it for an invalid beacon's."""
    return event_id.partition("~")[0].rpartition(":")[0]


def row_from_fields(fields: dict[str, str], entry_id: str) -> EventRow:
    """The row of the stream entry ``entry_id``; ``KeyError``/``ValueError`` when the entry is
    malformed. An invalid beacon's row is keyed by its entry too: each arrival of it is counted
    (a robot replaying a URL shows as much traffic as it sends), and it never takes the event id
    of the viewer's own beacon."""
    invalid = _text(fields.get("iv"))
    event_id = _text(fields["id"]) or ""
    return EventRow(
        event_id=f"{event_id}~{entry_id}" if invalid else event_id,
        served_at=datetime.fromtimestamp(int(fields["t"]), tz=UTC),
        received_at=datetime.fromtimestamp(int(fields["rt"]) / 1000, tz=UTC),
        event_type=_text(fields["e"]) or "",
        ad_serving_id=_text(fields["a"]) or "",
        request_id=_text(fields.get("r")),
        campaign_id=_uuid_or_none(fields.get("c", "")),
        creative_id=_uuid_or_none(fields.get("k", "")),
        error_code=int(fields["code"]) if fields.get("code") else None,
        user_agent=_text(fields.get("ua")),
        device=_text(fields.get("d")),
        place=_text(fields.get("g")),
        invalid=invalid,
    )
