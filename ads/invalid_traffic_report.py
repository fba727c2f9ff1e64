"""A campaign's invalid traffic: the beacons filtered out of its figures (ads/invalid_traffic.py),
by reason, and the User-Agents that sent most of them.

The share is of all impressions that arrived (counted and filtered), over the same UTC days as
the campaign's stats, so an advertiser sees how much was kept off their bill and why.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, Field

from ads.invalid_traffic import LABELS, InvalidReason
from ads.tracking import IMPRESSION

_KNOWN = frozenset(r.value for r in InvalidReason)


class ReasonRow(BaseModel):
    reason: InvalidReason
    label: str
    impressions: int
    events: int
    """Every invalid beacon of the reason: impressions, quartiles, clicks, errors."""


class AgentRow(BaseModel):
    user_agent: str | None
    events: int


class InvalidTrafficReport(BaseModel):
    """``GET /campaigns/{id}/invalid-traffic``."""

    campaign_id: uuid.UUID
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    impressions: int
    """Counted (valid) impressions received in the range."""
    invalid_impressions: int
    invalid_events: int
    invalid_share: float
    """Of the impressions that arrived, the filtered share, 0-1, to four places."""
    reasons: list[ReasonRow]
    """Most impressions first; reasons with none left out."""
    agents: list[AgentRow]


def invalid_traffic_report(
    *,
    campaign_id: uuid.UUID,
    start: datetime,
    end: datetime,
    impressions: int,
    counts: Iterable[tuple[str, str, int]],
    agents: Iterable[tuple[str | None, int]],
) -> InvalidTrafficReport:
    """The report from the counted ``impressions`` and the invalid beacons' ``counts`` per
    (reason, event) and top ``agents``. A reason this version does not know (written by a
    newer replica) is left out of the rows but not out of the totals."""
    by_reason: dict[InvalidReason, list[int]] = {}
    invalid_impressions = invalid_events = 0
    for reason, event, n in counts:
        invalid_events += n
        invalid_impressions += n if event == IMPRESSION else 0
        if reason in _KNOWN:
            totals = by_reason.setdefault(InvalidReason(reason), [0, 0])
            totals[0] += n if event == IMPRESSION else 0
            totals[1] += n
    arrived = impressions + invalid_impressions
    return InvalidTrafficReport(
        campaign_id=campaign_id,
        from_=start,
        to=end,
        impressions=impressions,
        invalid_impressions=invalid_impressions,
        invalid_events=invalid_events,
        invalid_share=round(invalid_impressions / arrived, 4) if arrived else 0.0,
        reasons=[
            ReasonRow(reason=reason, label=LABELS[reason], impressions=imps, events=events)
            for reason, (imps, events) in sorted(
                by_reason.items(), key=lambda item: (-item[1][0], -item[1][1], item[0])
            )
        ],
        agents=[AgentRow(user_agent=agent, events=n) for agent, n in agents],
    )
