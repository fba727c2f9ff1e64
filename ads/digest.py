"""The daily digest: yesterday's delivery and ad requests, and what needs the team's attention
(campaigns behind plan, campaigns whose last day's rate falls short of their budget, flights
ending soon, campaigns whose ads players often failed to play, creatives awaiting review), as
one webhook POST a
day beside the campaign news (ads/notifications.py). Pure: the catalog sync gathers the figures
(storage/digest.py) and sends it (actors/notifier.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ads.history import plain
from ads.inventory import InventoryCounts
from ads.player_errors import FailingCampaign
from ads.projection import FallingShort
from ads.reporting import BehindPlan, Counters, rate

ENDING_WITHIN = timedelta(days=3)
"""Flights ending this soon are listed (a last look at delivery, or an extension to agree)."""
LISTED = 5
"""Campaigns named per list; the rest are counted."""


@dataclass(frozen=True, slots=True)
class Ending:
    name: str
    end: datetime


@dataclass(frozen=True, slots=True)
class Digest:
    day: date
    """The UTC day the figures are of."""
    delivery: Counters
    requests: InventoryCounts
    active_campaigns: int
    behind: Sequence[BehindPlan]
    """Campaigns behind their plan now, furthest first."""
    short: Sequence[FallingShort]
    """Campaigns whose last day's rate falls short of their budget, furthest first."""
    ending: Sequence[Ending]
    """Active campaigns whose flight ends within :data:`ENDING_WITHIN`, soonest first."""
    awaiting_review: int
    failing: Sequence[FailingCampaign] = ()
    """Campaigns whose ads players failed to play that day (ads/player_errors.py), worst
    first."""


def due(now: datetime, *, hour: int, last_sent: date | None) -> date | None:
    """The day whose digest is due at ``now`` (yesterday's, from ``hour`` UTC on), unless it
    was sent (``last_sent``: the latest day sent)."""
    yesterday = now.date() - timedelta(days=1)
    if now.hour < hour or (last_sent is not None and last_sent >= yesterday):
        return None
    return yesterday


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _named(names: Sequence[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown if len(names) <= LISTED else f"{shown} and {len(names) - LISTED} more"


def _mostly(code: int | None) -> str:
    return "" if code is None else f", mostly {code}"


def text(digest: Digest) -> str:
    """The digest as chat lines (Slack-style ``text``)."""
    d, r = digest.delivery, digest.requests
    lines = [
        f"Daily digest for {digest.day:%a %d %b %Y} (UTC): {d.impressions:,} impressions, "
        f"{d.spend:,.2f} spent, completion rate {_percent(rate(d.completes, d.impressions))}, "
        f"click-through rate {_percent(rate(d.clicks, d.impressions))}; {r.requests:,} ad "
        f"requests, {_percent(r.filled / r.requests if r.requests else None)} filled. "
        f"{digest.active_campaigns:,} campaigns active.",
    ]
    if digest.behind:
        named = [f"“{b.name}” ({b.pace:.0%} of plan)" for b in digest.behind]
        lines.append(f"Behind plan: {_named(named)}.")
    if digest.short:
        named = [f"“{s.name}” ({s.share_of_budget:.0%} of budget)" for s in digest.short]
        lines.append(f"Projected to fall short at the last day's rate: {_named(named)}.")
    if digest.ending:
        named = [f"“{e.name}” ({e.end:%a %d %b %H:%M})" for e in digest.ending]
        lines.append(f"Ending within {ENDING_WITHIN.days} days: {_named(named)}.")
    if digest.failing:
        named = [f"“{f.name}” ({f.failure_rate:.1%}{_mostly(f.top_code)})" for f in digest.failing]
        lines.append(f"Players failing to play the ads: {_named(named)}.")
    if digest.awaiting_review:
        lines.append(f"Creatives awaiting review: {digest.awaiting_review:,}.")
    return "\n".join(lines)


def body(digest: Digest) -> bytes:
    """The JSON body POSTed for ``digest``."""
    d, r = digest.delivery, digest.requests
    return json.dumps(
        {
            "id": delivery_id(digest.day),
            "event": "digest.daily",
            "day": digest.day.isoformat(),
            "delivery": {
                "impressions": d.impressions,
                "completes": d.completes,
                "clicks": d.clicks,
                "spend": plain(d.spend),
            },
            "ad_requests": {"requests": r.requests, "filled": r.filled},
            "active_campaigns": digest.active_campaigns,
            "behind_plan": [
                {"id": str(b.id), "name": b.name, "pace": b.pace} for b in digest.behind
            ],
            "falling_short": [
                {
                    "id": str(s.id),
                    "name": s.name,
                    "spend_at_end": plain(s.spend_at_end),
                    "share_of_budget": s.share_of_budget,
                }
                for s in digest.short
            ],
            "ending": [{"name": e.name, "end": e.end.isoformat()} for e in digest.ending],
            "player_errors": [
                {
                    "id": str(f.id),
                    "name": f.name,
                    "failure_rate": f.failure_rate,
                    "top_code": f.top_code,
                }
                for f in digest.failing
            ],
            "awaiting_review": digest.awaiting_review,
            "text": text(digest),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def delivery_id(day: date) -> str:
    """The digest's ``id`` and ``X-CTV-Delivery``: the same on every retry."""
    return f"digest-{day.isoformat()}"
