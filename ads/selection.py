"""Which campaign and creative to serve: the eligibility rule and a budget-weighted random pick
in the highest priority tier that has a campaign to serve (ads/priority.py).

:class:`CatalogIndex` is built once per catalog snapshot. Its :meth:`CatalogIndex.pick` is the
per-request path: the eligible campaigns depend only on which flight boundaries (start and end
dates) ``now`` lies between and on which creative durations fit, so they are computed once per
such window and duration bucket, and most picks are a cache hit plus two random draws. Creatives
with a schedule of their own (``starts_at``/``ends_at``) are grouped again when one of those
moments passes, not per request.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ads.campaigns import CampaignStatus
from ads.catalog import CatalogCampaign, CatalogCreative
from ads.dayparts import QUARTER_HOUR
from ads.frequency import CapScope
from ads.priority import Priority
from ads.separation import separation_keys

ACTIVE_CREATIVE = "active"
_REDRAWS = 4
"""Weighted draws tried before listing every accepted campaign (see :meth:`_Eligible.draw`)."""


def fits(creative: CatalogCreative, *, max_duration_ms: int | None) -> bool:
    """True if ``creative`` is active and no longer than ``max_duration_ms`` (None: any)."""
    return creative.status == ACTIVE_CREATIVE and (
        max_duration_ms is None or creative.duration_ms <= max_duration_ms
    )


def eligible(
    campaign: CatalogCampaign,
    creatives: Iterable[CatalogCreative],
    *,
    now: datetime,
    max_duration_ms: int | None,
) -> bool:
    """True if ``campaign`` may serve at ``now`` with one of its ``creatives``.

    Active, in flight (start inclusive, end exclusive) and in its daypart, budget left, and at
    least one active creative that :func:`fits` ``max_duration_ms``.
    """
    return (
        on_air(campaign, now)
        and campaign.budget_remaining > 0
        and any(fits(creative, max_duration_ms=max_duration_ms) for creative in creatives)
    )


def on_air(campaign: CatalogCampaign, now: datetime) -> bool:
    """Active, in flight (start inclusive, end exclusive) and, if dayparted, in its hours."""
    return (
        campaign.status == CampaignStatus.ACTIVE
        and campaign.start_date <= now < campaign.end_date
        and (campaign.daypart is None or campaign.daypart.active_at(now))
    )


@dataclass(frozen=True, slots=True)
class _Creatives:
    """A campaign's active creatives, shortest first, with their durations for bisecting and,
    when their rotation weights differ, the running sums of those weights."""

    durations: tuple[int, ...]
    creatives: tuple[CatalogCreative, ...]
    cumulative_weight: tuple[int, ...] = ()
    """Empty when every weight is the same (the draw is then uniform)."""

    @classmethod
    def of(cls, creatives: Sequence[CatalogCreative]) -> _Creatives:
        weights = [c.weight for c in creatives]
        return cls(
            durations=tuple(c.duration_ms for c in creatives),
            creatives=tuple(creatives),
            cumulative_weight=(
                tuple(itertools.accumulate(weights)) if len(set(weights)) > 1 else ()
            ),
        )

    def choose(self, max_duration_ms: int | None, rng: random.Random) -> CatalogCreative:
        """One of the creatives that fit, drawn by rotation weight."""
        fitting = len(self.durations)
        if max_duration_ms is not None:
            fitting = bisect.bisect_right(self.durations, max_duration_ms)
        if fitting == 1:
            return self.creatives[0]
        if not self.cumulative_weight:
            return self.creatives[int(rng.random() * fitting)]
        drawn = rng.random() * self.cumulative_weight[fitting - 1]
        return self.creatives[bisect.bisect_right(self.cumulative_weight, drawn, 0, fitting - 1)]


@dataclass(frozen=True, slots=True)
class _Tier:
    """The eligible campaigns of one priority, with their cumulative remaining budgets."""

    campaigns: tuple[CatalogCampaign, ...]
    cumulative_budget: tuple[float, ...]

    @classmethod
    def of(cls, campaigns: Sequence[CatalogCampaign]) -> _Tier:
        return cls(
            campaigns=tuple(campaigns),
            cumulative_budget=tuple(
                itertools.accumulate(float(c.budget_remaining) for c in campaigns)
            ),
        )

    def draw(
        self, rng: random.Random, accept: Callable[[CatalogCampaign], bool] | None
    ) -> CatalogCampaign | None:
        """A weighted draw among the campaigns ``accept`` takes (all, when it is None).

        A refused draw is drawn again (rejection sampling: the same distribution as a weighted
        pick among the accepted ones) up to :data:`_REDRAWS` times, so a few refused campaigns
        (already in the break, not covered by a lease) cost a draw each, not a pass over all;
        only then are the accepted ones listed.
        """
        # What rng.choices(campaigns, cum_weights=...) does, without its per-call set-up.
        cumulative = self.cumulative_budget
        for _ in range(_REDRAWS):
            drawn = self.campaigns[
                bisect.bisect_right(
                    cumulative, rng.random() * cumulative[-1], 0, len(cumulative) - 1
                )
            ]
            if accept is None or accept(drawn):
                return drawn
        assert accept is not None  # without one, the first draw is taken
        rest = [c for c in self.campaigns if accept(c)]
        if not rest:
            return None
        return rng.choices(rest, weights=[float(c.budget_remaining) for c in rest])[0]


@dataclass(frozen=True, slots=True)
class _Eligible:
    """The eligible campaigns of one duration bucket, valid while ``start <= now < end``, in
    priority tiers (highest first; only tiers that have any)."""

    start: datetime | None
    end: datetime | None
    tiers: tuple[_Tier, ...]
    ids: frozenset[str]

    def covers(self, now: datetime) -> bool:
        return _covers(self.start, self.end, now)

    def draw(
        self, rng: random.Random, accept: Callable[[CatalogCampaign], bool] | None
    ) -> CatalogCampaign | None:
        """:meth:`_Tier.draw` in the highest tier that has a campaign ``accept`` takes."""
        for tier in self.tiers:
            drawn = tier.draw(rng, accept)
            if drawn is not None:
                return drawn
        return None


_NO_CREATIVES = _Creatives.of(())


def _covers(start: datetime | None, end: datetime | None, now: datetime) -> bool:
    return (start is None or start <= now) and (end is None or now < end)


class _Pool:
    """The creatives one kind of request may get (every kind, or videos only), grouped by
    campaign, with the eligible campaigns per duration bucket computed from them."""

    def __init__(self, groups: dict[str, _Creatives]) -> None:
        self.creatives = groups
        self.durations = sorted({d for group in groups.values() for d in group.durations})
        self.eligible: dict[int, _Eligible] = {}

    def bucket(self, max_duration_ms: int | None) -> int:
        """How many distinct durations fit: requests in one bucket see the same creatives."""
        if max_duration_ms is None:
            return len(self.durations)
        return bisect.bisect_right(self.durations, max_duration_ms)


@dataclass(frozen=True, slots=True)
class _Pools:
    """The pools of the creatives scheduled while ``start <= now < end``: every kind, and
    videos only (the same pool when there are no VAST tags)."""

    every: _Pool
    videos: _Pool
    start: datetime | None
    end: datetime | None

    def covers(self, now: datetime) -> bool:
        return _covers(self.start, self.end, now)


_EMPTY_POOL = _Pool({})
_EXPIRED = _Pools(_EMPTY_POOL, _EMPTY_POOL, start=datetime.max.replace(tzinfo=UTC), end=None)
"""Covers no moment: a scheduled index groups its creatives at its first pick."""


class CatalogIndex:
    """A read-only view of one catalog snapshot that picks what to serve.

    Weights are the remaining budgets as of the snapshot. The cache holds at most one entry per
    distinct creative duration, whatever durations players ask for, and only ever swaps whole
    entries, so one index can be shared by every request of a replica.
    """

    def __init__(
        self, campaigns: Iterable[CatalogCampaign], creatives: Iterable[CatalogCreative]
    ) -> None:
        self._campaigns = {campaign.id: campaign for campaign in campaigns}
        self._creatives = list(creatives)
        self._schedule = sorted(
            {t for c in self._creatives for t in (c.starts_at, c.ends_at) if t is not None}
        )
        self._pools = self._pools_at(None) if not self._schedule else _EXPIRED
        self._boundaries = sorted(
            {c.start_date for c in self._campaigns.values()}
            | {c.end_date for c in self._campaigns.values()}
        )
        self._separation: dict[str, frozenset[str]] = {}
        self.frequency_capped = any(c.frequency_cap for c in self._campaigns.values())
        """Whether any campaign has a frequency cap (else devices need no bookkeeping)."""
        self.household_capped = any(
            c.frequency_cap.scope is CapScope.HOUSEHOLD
            for c in self._campaigns.values()
            if c.frequency_cap
        )
        """Whether any campaign caps households (else the request's address is not read)."""
        self.app_targeted = any(c.target_apps for c in self._campaigns.values())
        """Whether any campaign is limited to some apps (else the request's app is not read)."""
        self.platform_targeted = any(c.target_platforms for c in self._campaigns.values())
        """Whether any campaign is limited to some platforms (else the device is not read)."""
        self.content_targeted = any(c.target_content for c in self._campaigns.values())
        """Whether any campaign is limited to some content (else its categories are not read)."""
        self.geo_targeted = any(c.target_geo for c in self._campaigns.values())
        """Whether any campaign is limited to some places (else the viewer's is not read)."""
        self.key_targeted = any(c.target_keys for c in self._campaigns.values())
        """Whether any campaign is limited to some key-values (else the request's are not read)."""
        self.child_excluding = any(c.exclude_child_directed for c in self._campaigns.values())
        """Whether any campaign stays out of child-directed apps."""
        self.first_only = any(c.first_in_break for c in self._campaigns.values())
        """Whether any campaign is served only as a break's first ad."""
        self.house = any(c.priority is Priority.HOUSE for c in self._campaigns.values())
        """Whether any campaign is a house campaign (else served ads need no counting as such)."""
        self._dayparted = any(c.daypart for c in self._campaigns.values())

    def separation_keys(self, campaign: CatalogCampaign) -> frozenset[str]:
        """:func:`ads.separation.separation_keys` of one of this snapshot's campaigns, computed
        once."""
        keys = self._separation.get(campaign.id)
        if keys is None:
            keys = self._separation[campaign.id] = separation_keys(campaign)
        return keys

    def live(self, now: datetime) -> list[CatalogCampaign]:
        """The snapshot's active campaigns whose flight (and daypart) covers ``now``."""
        return [c for c in self._campaigns.values() if on_air(c, now)]

    def campaign(self, campaign_id: str) -> CatalogCampaign | None:
        """The snapshot's campaign with ``campaign_id``, whatever its status."""
        return self._campaigns.get(campaign_id)

    def pick(
        self,
        now: datetime,
        *,
        max_duration_ms: int | None,
        rng: random.Random,
        campaign_id: str | None = None,
        accept: Callable[[CatalogCampaign], bool] | None = None,
        vast_tags: bool = True,
    ) -> tuple[CatalogCampaign, CatalogCreative] | None:
        """A campaign drawn with weight = remaining budget (or ``campaign_id`` when given), then
        one of its fitting creatives drawn uniformly; None when nothing eligible is left.
        ``accept`` (e.g. "this replica's budget lease covers it") filters the campaigns; it is
        asked about the first draw only, unless that one is refused. Without ``vast_tags``
        only video creatives count (a player that cannot resolve a third-party tag).
        """
        pools = self._pools
        if self._schedule and not pools.covers(now):  # (no schedule: one pool for all time)
            pools = self._pools = self._pools_at(now)
        pool = pools.every if vast_tags else pools.videos
        candidates = self._eligible_at(now, max_duration_ms=max_duration_ms, pool=pool)
        campaign: CatalogCampaign | None
        if campaign_id is not None:
            if campaign_id not in candidates.ids:
                return None
            campaign = self._campaigns[campaign_id]
            if accept is not None and not accept(campaign):
                return None
        else:
            campaign = candidates.draw(rng, accept)
            if campaign is None:
                return None
        return campaign, pool.creatives[campaign.id].choose(max_duration_ms, rng)

    def _pools_at(self, now: datetime | None) -> _Pools:
        """The pools of the creatives scheduled at ``now`` (every creative when None), valid
        until a creative's schedule starts or ends."""
        creatives = [c for c in self._creatives if now is None or c.scheduled_at(now)]
        every = _Pool(_group_active_creatives(creatives, campaign_ids=self._campaigns))
        videos = [c for c in creatives if c.vast_tag_url is None]
        start, end = _window(self._schedule, now) if now is not None else (None, None)
        return _Pools(
            every=every,
            videos=(
                every
                if len(videos) == len(creatives)
                else _Pool(_group_active_creatives(videos, campaign_ids=self._campaigns))
            ),
            start=start,
            end=end,
        )

    def _eligible_at(self, now: datetime, *, max_duration_ms: int | None, pool: _Pool) -> _Eligible:
        bucket = pool.bucket(max_duration_ms)
        cached = pool.eligible.get(bucket)
        if cached is None or not cached.covers(now):
            cached = pool.eligible[bucket] = self._compute(now, max_duration_ms, pool)
        return cached

    def _compute(self, now: datetime, max_duration_ms: int | None, pool: _Pool) -> _Eligible:
        campaigns = tuple(
            campaign
            for campaign in self._campaigns.values()
            if eligible(
                campaign,
                pool.creatives.get(campaign.id, _NO_CREATIVES).creatives,
                now=now,
                max_duration_ms=max_duration_ms,
            )
        )
        start, end = _window(self._boundaries, now)
        if self._dayparted:  # dayparts turn on and off on UTC quarter hours (their zones' hours)
            quarter = _quarter_start(now)
            start = quarter if start is None else max(start, quarter)
            end = quarter + QUARTER_HOUR if end is None else min(end, quarter + QUARTER_HOUR)
        by_priority: dict[Priority, list[CatalogCampaign]] = {}
        for campaign in campaigns:
            by_priority.setdefault(campaign.priority, []).append(campaign)
        return _Eligible(
            start=start,
            end=end,
            tiers=tuple(_Tier.of(by_priority[p]) for p in Priority if p in by_priority),
            ids=frozenset(c.id for c in campaigns),
        )


def _window(
    boundaries: Sequence[datetime], now: datetime
) -> tuple[datetime | None, datetime | None]:
    """The boundaries on either side of ``now`` (start inclusive; None: open)."""
    later = bisect.bisect_right(boundaries, now)
    start = boundaries[later - 1] if later else None
    end = boundaries[later] if later < len(boundaries) else None
    return start, end


def _quarter_start(now: datetime) -> datetime:
    return now.replace(minute=now.minute // 15 * 15, second=0, microsecond=0)


def choose(
    campaigns: Sequence[CatalogCampaign],
    creatives: Sequence[CatalogCreative],
    *,
    now: datetime,
    max_duration_ms: int | None,
    rng: random.Random,
    campaign_id: str | None = None,
) -> tuple[CatalogCampaign, CatalogCreative] | None:
    """One-off :meth:`CatalogIndex.pick`; per request, reuse an index built per snapshot."""
    return CatalogIndex(campaigns, creatives).pick(
        now, max_duration_ms=max_duration_ms, rng=rng, campaign_id=campaign_id
    )


def _group_active_creatives(
    creatives: Iterable[CatalogCreative], *, campaign_ids: Iterable[str]
) -> dict[str, _Creatives]:
    """Active creatives of known campaigns, grouped by campaign and sorted by duration."""
    known = set(campaign_ids)
    groups: dict[str, list[CatalogCreative]] = {}
    for creative in creatives:
        if creative.campaign_id in known and fits(creative, max_duration_ms=None):
            groups.setdefault(creative.campaign_id, []).append(creative)
    for group in groups.values():
        group.sort(key=lambda c: (c.duration_ms, c.id))
    return {campaign_id: _Creatives.of(group) for campaign_id, group in groups.items()}
