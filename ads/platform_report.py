"""Delivery by platform: a campaign's impressions split by the device platform they played on.

The platform is read (:func:`ads.platforms.platform_of`) from the User-Agent each impression beacon
arrived with: the player's own for players that fire their beacons, which is how CTV players
work; a server that fires beacons for players shows as its own agent, most likely unknown.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, Field

from ads.platforms import LABELS, Platform, remembered_platform_of

UNKNOWN_LABEL = "Unknown device"


class PlatformRow(BaseModel):
    platform: Platform | None
    """None: the beacons' agents did not tell (or too many distinct agents to read them all)."""
    label: str
    impressions: int
    share: float
    """Of the range's impressions, 0-1, to four places."""


class PlatformReport(BaseModel):
    """``GET /campaigns/{id}/platforms``: most impressions first, the unknown ones last."""

    campaign_id: uuid.UUID
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    impressions: int
    rows: list[PlatformRow] | None
    """None when reading the events took longer than REPORT_REACH_TIMEOUT_SECONDS."""


def platform_rows(agents: Iterable[tuple[str | None, int]], *, total: int) -> list[PlatformRow]:
    """Rows from impression counts per User-Agent; ``total`` impressions in all (more than the
    agents' sum when only the most frequent agents were read: the rest count as unknown)."""
    counts: Counter[Platform | None] = Counter()
    for agent, impressions in agents:
        counts[remembered_platform_of(user_agent=agent)] += impressions
    counts[None] += total - sum(counts.values())
    known = sorted(
        ((platform, n) for platform, n in counts.items() if platform is not None and n > 0),
        key=lambda item: (-item[1], LABELS[item[0]]),
    )
    ordered: list[tuple[Platform | None, int]] = [*known]
    if counts[None] > 0:
        ordered.append((None, counts[None]))
    return [
        PlatformRow(
            platform=platform,
            label=UNKNOWN_LABEL if platform is None else LABELS[platform],
            impressions=n,
            share=round(n / total, 4) if total else 0.0,
        )
        for platform, n in ordered
    ]
