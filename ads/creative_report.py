"""Delivery per creative of one campaign: which spot holds viewers (VCR), draws clicks (CTR) and
takes what share of the impressions. Pure: the counters come from storage/stats.py."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, Field

from ads.campaigns import Money
from ads.reporting import Counters, ecpm, rate


class CreativeRow(Counters):
    creative_id: uuid.UUID
    name: str | None
    """None for a creative deleted since it was served (its delivery still counts)."""
    vast_tag: bool = False
    """A third-party VAST tag (its quartiles are the player's, behind the tag's own ad)."""
    share: float
    """Of the campaign's impressions in the range, 0-1, to four places."""
    vcr: float
    ctr: float
    skip_rate: float = 0.0
    """Skips per impression (a skippable creative's; 0 for the others)."""
    ecpm: Money


class CreativeReport(BaseModel):
    """``GET /campaigns/{id}/creatives/stats``: most impressions first, then the creatives not
    served in the range (by name), deleted ones last."""

    campaign_id: uuid.UUID
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    creatives: list[CreativeRow]


def creative_rows(
    counters: Mapping[uuid.UUID, Counters], creatives: Mapping[uuid.UUID, tuple[str, bool]]
) -> list[CreativeRow]:
    """One row per creative that exists now (``creatives``: id → (name, is a VAST tag)) or
    has counters in the range."""
    impressions = sum(c.impressions for c in counters.values())
    rows = []
    for creative_id in counters.keys() | creatives.keys():
        counted = counters.get(creative_id, Counters())
        name, vast_tag = creatives.get(creative_id, (None, False))
        rows.append(
            CreativeRow(
                **counted.model_dump(),
                creative_id=creative_id,
                name=name,
                vast_tag=vast_tag,
                share=round(rate(counted.impressions, impressions), 4),
                vcr=rate(counted.completes, counted.impressions),
                ctr=rate(counted.clicks, counted.impressions),
                skip_rate=rate(counted.skips, counted.impressions),
                ecpm=ecpm(counted.spend, counted.impressions),
            )
        )
    return sorted(rows, key=lambda r: (-r.impressions, r.name is None, r.name or "", r.creative_id))
