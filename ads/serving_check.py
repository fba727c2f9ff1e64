"""Why a campaign is (not) serving right now: the question ad operations ask most.

:func:`serving_check` reads the campaign as the decision replicas get it (its catalog record and
its creatives' catalog records, so the answer follows the same rules as the decisions:
ads/selection.py) with today's spend and the pacing plan, and lists each condition with what it
means: ``blocked`` (no request can get the campaign until it changes), ``limited`` (only some
requests, or only some of the time) or ``ok``. Pure.
"""

from __future__ import annotations

import enum
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from pydantic import BaseModel

from ads.campaigns import CampaignStatus, Pacing
from ads.catalog import CatalogCampaign, CatalogCreative
from ads.creative_review import NOT_REVIEWED, PAUSED
from ads.creatives import CreativeStatus
from ads.dayparts import QUARTER_HOUR, describe
from ads.player_errors import PlayerErrorReport, failure_warning
from ads.priority import Priority

MAX_DAYPART_LOOKAHEAD = timedelta(days=8)
"""How far ahead the next hour a dayparted campaign runs is looked for (a week covers all)."""


class Verdict(enum.StrEnum):
    OK = "ok"
    LIMITED = "limited"
    BLOCKED = "blocked"


class Published(enum.StrEnum):
    """How the campaign in the ad servers' catalog (Redis) compares with the database."""

    CURRENT = "current"
    STALE = "stale"
    MISSING = "missing"
    UNKNOWN = "unknown"
    """The catalog could not be read."""


def published_state(record: CatalogCampaign, published: CatalogCampaign | None) -> Published:
    """How ``published`` (the catalog's copy, None: absent) compares with ``record`` (the
    database's), spend aside: the sinks' flushes move that on their own schedule."""
    if published is None:
        return Published.MISSING
    same = replace(published, budget_spent=record.budget_spent) == record
    return Published.CURRENT if same else Published.STALE


class Check(BaseModel):
    key: str
    """``status``, ``catalog``, ``flight``, ``daypart``, ``budget``, ``daily_cap``, ``pacing``,
    ``creatives``, ``targeting``, ``frequency_cap``, ``priority``, ``delivery``,
    ``player_errors``."""
    verdict: Verdict
    detail: str


class ServingCheck(BaseModel):
    """``GET /campaigns/{id}/serving-check``."""

    campaign_id: uuid.UUID
    checked_at: datetime
    serving: bool
    """No check blocks it: requests that match its targeting can get it now."""
    summary: str
    checks: list[Check]


def serving_check(
    campaign: CatalogCampaign,
    creatives: Sequence[CatalogCreative],
    *,
    now: datetime,
    spent_today: Decimal,
    planned: Decimal | None,
    published: Published = Published.CURRENT,
    recent: tuple[datetime, int] | None = None,
    player_errors: PlayerErrorReport | None = None,
) -> ServingCheck:
    """The checks of ``campaign`` (its catalog record) with its ``creatives`` (theirs) at
    ``now``: ``spent_today`` is its spend so far this UTC day, ``planned`` what even pacing
    planned by now (:func:`ads.pacing.planned_by`; None without a plan), ``published`` how the
    ad servers' copy compares (:func:`published_state`; read only for an active campaign),
    ``recent`` the impressions counted since a moment (the previous UTC hour's start),
    ``player_errors`` what players reported since then (ads/player_errors.py)."""
    checks = [
        _status(campaign),
        *_catalog(campaign, published),
        _flight(campaign, now),
        *_daypart(campaign, now),
        _budget(campaign),
        *_daily_cap(campaign, spent_today, now),
        *_pacing(campaign, planned),
        _creatives(creatives, now),
        *_targeting(campaign),
        *_priority(campaign),
    ]
    blocked = [c for c in checks if c.verdict is Verdict.BLOCKED]
    if recent is not None and not blocked:
        checks.append(_delivery(*recent))
    if player_errors is not None and not blocked:
        checks.extend(_player_errors(player_errors))
    limited = [c for c in checks if c.verdict is Verdict.LIMITED]
    if blocked:
        summary = f"Not serving: {blocked[0].detail}"
    elif limited:
        summary = "Serving, limited: " + "; ".join(c.detail for c in limited)
    else:
        summary = "Serving: every ad request that fits one of its creatives can get it."
    return ServingCheck(
        campaign_id=uuid.UUID(campaign.id),
        checked_at=now,
        serving=not blocked,
        summary=summary,
        checks=checks,
    )


def _check(key: str, ok: bool, detail: str) -> Check:
    """Ok, or blocking."""
    return Check(key=key, verdict=Verdict.OK if ok else Verdict.BLOCKED, detail=detail)


def _limited(key: str, detail: str) -> Check:
    return Check(key=key, verdict=Verdict.LIMITED, detail=detail)


def _status(campaign: CatalogCampaign) -> Check:
    details: dict[str, str] = {
        CampaignStatus.ACTIVE: "Active.",
        CampaignStatus.DRAFT: "It is a draft: start it to serve.",
        CampaignStatus.PAUSED: "It is paused: resume it to serve.",
        CampaignStatus.COMPLETED: "It is completed.",
    }
    detail = details.get(campaign.status, f"It is {campaign.status}.")
    return _check("status", campaign.status == CampaignStatus.ACTIVE, detail)


_PUBLISHED = {
    Published.CURRENT: (Verdict.OK, "The ad servers have its latest settings."),
    Published.STALE: (
        Verdict.LIMITED,
        "The ad servers still have an earlier version of it: they catch up within seconds.",
    ),
    Published.MISSING: (
        Verdict.BLOCKED,
        "It is not in the ad servers' catalog yet: it syncs within seconds (if it stays away, "
        "check Redis and the catalog sync: docs/RUNBOOK.md).",
    ),
    Published.UNKNOWN: (
        Verdict.LIMITED,
        "The ad servers' catalog (Redis) could not be read to compare.",
    ),
}


def _catalog(campaign: CatalogCampaign, published: Published) -> list[Check]:
    if campaign.status != CampaignStatus.ACTIVE:
        return []
    verdict, detail = _PUBLISHED[published]
    return [Check(key="catalog", verdict=verdict, detail=detail)]


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _flight(campaign: CatalogCampaign, now: datetime) -> Check:
    if now < campaign.start_date:
        return _check("flight", False, f"Its flight starts {_when(campaign.start_date)}.")
    if now >= campaign.end_date:
        return _check("flight", False, f"Its flight ended {_when(campaign.end_date)}.")
    return _check("flight", True, f"In flight until {_when(campaign.end_date)}.")


def _daypart(campaign: CatalogCampaign, now: datetime) -> list[Check]:
    daypart = campaign.daypart
    if daypart is None:
        return []
    hours = describe(daypart)
    if daypart.active_at(now):
        return [_limited("daypart", f"Runs only {hours}.")]
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    moment = start + QUARTER_HOUR
    while moment < now + MAX_DAYPART_LOOKAHEAD and not daypart.active_at(moment):
        moment += QUARTER_HOUR
    return [_check("daypart", False, f"Outside its hours ({hours}); next on at {_when(moment)}.")]


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _budget(campaign: CatalogCampaign) -> Check:
    left = campaign.budget_remaining
    if left <= 0:
        return _check("budget", False, f"Its budget of {_money(campaign.budget_total)} is spent.")
    return _check("budget", True, f"{_money(left)} of {_money(campaign.budget_total)} left.")


def _daily_cap(campaign: CatalogCampaign, spent_today: Decimal, now: datetime) -> list[Check]:
    cap = campaign.daily_cap
    if cap is None:
        return []
    if spent_today >= cap:
        midnight = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time.min, UTC)
        return [
            _check(
                "daily_cap",
                False,
                f"Today's cap of {_money(cap)} is reached; it serves again from {_when(midnight)}.",
            )
        ]
    return [_check("daily_cap", True, f"{_money(spent_today)} of today's {_money(cap)} cap spent.")]


def _pacing(campaign: CatalogCampaign, planned: Decimal | None) -> list[Check]:
    if campaign.pacing != Pacing.EVEN or planned is None:
        return []
    spent = campaign.budget_spent
    if spent > planned:
        return [
            _limited(
                "pacing",
                f"Ahead of its even plan ({_money(spent)} spent, {_money(planned)} planned by "
                "now): held back until the plan catches up.",
            )
        ]
    return [_check("pacing", True, f"On or behind plan ({_money(spent)} of {_money(planned)}).")]


_WAITING = {
    NOT_REVIEWED: "waiting for review",
    CreativeStatus.PROCESSING: "being transcoded",
    PAUSED: "paused",
    CreativeStatus.FAILED: "failed to process",
}


_LATER, _OVER = "scheduled to start later", "past its schedule"


def _creative_state(creative: CatalogCreative, now: datetime) -> str:
    """``active`` for a creative that can serve at ``now``, else why not."""
    if creative.status != CreativeStatus.ACTIVE:
        return _WAITING.get(creative.status, creative.status)
    if creative.scheduled_at(now):
        return CreativeStatus.ACTIVE
    return _LATER if creative.starts_at is not None and now < creative.starts_at else _OVER


def _creatives(creatives: Sequence[CatalogCreative], now: datetime) -> Check:
    if not creatives:
        return _check("creatives", False, "It has no creatives: upload a video or add a VAST tag.")
    states = [(c, _creative_state(c, now)) for c in creatives]
    serving = sorted(c.duration_ms for c, state in states if state == CreativeStatus.ACTIVE)
    others = Counter(state for _, state in states if state != CreativeStatus.ACTIVE)
    rest = "; ".join(f"{n} {state}" for state, n in sorted(others.items()))
    if not serving:
        starts = [c.starts_at for c, state in states if state == _LATER and c.starts_at]
        first = f": the first from {_when(min(starts))}" if starts else ""
        return _check("creatives", False, f"None of its creatives can serve ({rest}{first}).")
    lengths = ", ".join(f"{ms / 1000:g} s" for ms in sorted(set(serving)))
    detail = (
        f"{len(serving)} of {len(creatives)} creatives serve ({lengths}): a break shorter than "
        f"{serving[0] / 1000:g} s gets none of them."
    )
    tags = sum(1 for c in creatives if c.status == CreativeStatus.ACTIVE and c.vast_tag_url)
    if tags:
        kind = "is a third-party VAST tag" if tags == 1 else "are third-party VAST tags"
        detail += (
            f" {tags} of them {kind}, served only to players that follow wrappers (VAST, or "
            'JSON asking "vast_tags": true).'
        )
    return _check("creatives", True, detail + (f" Not serving: {rest}." if rest else ""))


def _targeting(campaign: CatalogCampaign) -> list[Check]:
    limits = [
        name
        for name, on in (
            ("apps", campaign.target_apps),
            ("platforms", campaign.target_platforms),
            ("content", campaign.target_content),
            ("places", campaign.target_geo),
            (
                "key-values " + ", ".join(key for key, _ in campaign.target_keys),
                campaign.target_keys,
            ),
        )
        if on
    ]
    checks = []
    if campaign.exclude_child_directed:
        limits.append("no child-directed apps")
    if campaign.first_in_break:
        limits.append("first ad of a break only")
    if limits:
        checks.append(
            _limited(
                "targeting",
                f"Targeted ({', '.join(limits)}): only requests that match all of it.",
            )
        )
    if campaign.frequency_cap is not None:
        cap = campaign.frequency_cap
        checks.append(
            _limited(
                "frequency_cap",
                f"At most {cap.max_ads} ads per {cap.scope} in {cap.hours} h.",
            )
        )
    return checks


def _delivery(since: datetime, impressions: int) -> Check:
    if impressions:
        noun = "impression" if impressions == 1 else "impressions"
        return _check("delivery", True, f"{impressions:,} {noun} since {_when(since)}.")
    return _limited(
        "delivery",
        f"No impressions since {_when(since)}: ad requests may not match it, other campaigns "
        "may win the draws (weighted by remaining budget), or players may not fire beacons.",
    )


def _player_errors(report: PlayerErrorReport) -> list[Check]:
    """Limited when players fail to play many of its ads (their impressions are lost)."""
    warning = failure_warning(report.failure_rate, report.codes[0] if report.codes else None)
    if warning is None:
        return []
    return [_limited("player_errors", f"Since {_when(report.from_)}: {warning}")]


def _priority(campaign: CatalogCampaign) -> list[Check]:
    if campaign.priority is Priority.HOUSE:
        detail = "A house campaign: it fills only the breaks no paid campaign can."
        return [_limited("priority", detail)]
    if campaign.priority is Priority.SPONSORSHIP:
        return [_check("priority", True, "A sponsorship: served before standard campaigns.")]
    return []
