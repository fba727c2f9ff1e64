"""A decision replica's budget leases: checked and spent per request in process, refilled in the
background with one batched call per ledger shard, handed back on shutdown.

Campaigns with a CPM of 0 cost nothing and need no lease. A campaign the replica has no lease
for yet is refused (the pick moves on) and asked for in the next refill round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from actors.budget_ledger import REFRESH_SECONDS, shard_of
from ads.catalog import CatalogCampaign
from ads.leases import LocalLease, Refund
from ads.pacing import Micros, impression_cost

logger = logging.getLogger(__name__)

_LOW_WATER = 0.5
_MIN_IMPRESSIONS_PER_REQUEST = 20
_RECHECK = timedelta(seconds=1.5 * REFRESH_SECONDS)
"""After a campaign appears or its terms change, by when to ask again: the ledger shards have
read the change by then."""


def _terms(campaign: CatalogCampaign) -> tuple[object, ...]:
    """What the ledger paces a campaign by (its spend aside)."""
    c = campaign
    return (
        c.status,
        c.budget_total,
        c.cpm,
        c.pacing,
        c.start_date,
        c.end_date,
        c.daily_cap,
        c.daypart,
    )


class LeaseBook:
    """The replica's leases, one per campaign, and the loop that refills them."""

    def __init__(
        self,
        replica: str,
        *,
        ledgers: Sequence[Any],
        refill_seconds: float,
        wanted: Callable[[datetime], Iterable[CatalogCampaign]],
    ) -> None:
        self._replica = replica
        self._ledgers = ledgers
        self._wanted = wanted
        self._refill_seconds = refill_seconds
        self._leases: dict[str, LocalLease] = {}
        self._costs: dict[str, tuple[Decimal, Micros]] = {}
        """Campaign id → (CPM, cost of one impression at that CPM)."""
        self._spent: dict[str, int] = defaultdict(int)
        self._terms: dict[str, tuple[object, ...]] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self, *, first_refill_timeout: float = 5.0) -> None:
        """Ask for the first leases (so the replica serves from its first request on, not after
        the first refill round), then refill in the background. A ledger that does not answer
        within ``first_refill_timeout`` does not hold the replica's start up (grants lost to
        the timeout come back to the budget when their reservations expire)."""
        try:
            await asyncio.wait_for(self.refill(datetime.now(UTC)), first_refill_timeout)
        except Exception:
            logger.exception("first lease refill failed; the refill loop retries")
        self._task = asyncio.create_task(self._refill_loop(), name="lease-refill")

    def _cost(self, campaign: CatalogCampaign) -> Micros:
        known = self._costs.get(campaign.id)
        if known is not None and known[0] == campaign.cpm:
            return known[1]
        cost = impression_cost(campaign.cpm)
        self._costs[campaign.id] = (campaign.cpm, cost)
        return cost

    def covers(self, campaign: CatalogCampaign, now: datetime) -> bool:
        """Whether this replica may serve one more impression of ``campaign`` right now."""
        cost = self._cost(campaign)
        if cost == 0:
            return True
        lease = self._leases.get(campaign.id)
        if lease is None:
            self._leases[campaign.id] = LocalLease()
            return False
        return lease.balance(now) >= cost

    def spend(self, campaign: CatalogCampaign, now: datetime) -> None:
        """Take one impression's cost off the lease :meth:`covers` just approved."""
        cost = self._cost(campaign)
        if cost and self._leases[campaign.id].try_spend(cost, now):
            self._spent[campaign.id] += 1

    async def _refill_loop(self) -> None:
        while True:
            await asyncio.sleep(self._refill_seconds)
            try:
                await self.refill(datetime.now(UTC))
            except Exception:
                logger.exception("lease refill failed; retrying")

    async def refill(self, now: datetime) -> None:
        """One round: per shard, hand back what lapsed or is no longer served, and ask for
        what runs low (leases are opened ahead for every live campaign)."""
        requests: dict[int, dict[str, Micros]] = defaultdict(dict)
        refunds: dict[int, dict[str, list[Refund]]] = defaultdict(dict)
        horizon = timedelta(seconds=3 * self._refill_seconds)
        wanted = [c for c in self._wanted(now) if self._cost(c) > 0]
        live = {c.id for c in wanted}
        for campaign_id in live - self._leases.keys():
            self._leases[campaign_id] = LocalLease()
        for campaign_id in self._leases.keys() - live:
            shard = shard_of(campaign_id, len(self._ledgers))
            refunds[shard][campaign_id] = self._leases.pop(campaign_id).drain(now)
            self._terms.pop(campaign_id, None)
        for campaign in wanted:
            terms = _terms(campaign)
            if self._terms.get(campaign.id) != terms:
                self._terms[campaign.id] = terms
                self._leases[campaign.id].recheck(now + _RECHECK)
        for campaign_id, lease in self._leases.items():
            shard = shard_of(campaign_id, len(self._ledgers))
            lapsed = lease.take_refunds(now)
            if lapsed:
                refunds[shard][campaign_id] = lapsed
            # A lease is renewed before its grant lapses, while that grant is still reserved:
            # when pacing allows little, the ledger grants nothing then and names a retry time
            # (the next bucket, or when a reservation expires) that does not count the refund
            # of this very grant. So once a lapsed grant is handed back and the lease is dry,
            # ask again with the refund (the ledger takes refunds first).
            cost = self._costs.get(campaign_id, (0, 0))[1]
            dry = bool(lapsed) and lease.balance(now) < cost
            if dry or lease.needs_refill(_LOW_WATER, now=now) or lease.lapses_within(now, horizon):
                recent = self._spent.pop(campaign_id, 0)
                impressions = max(_MIN_IMPRESSIONS_PER_REQUEST, 4 * recent)
                requests[shard][campaign_id] = impressions * cost
        shards = sorted(set(requests) | set(refunds))
        answers = await asyncio.gather(
            *(
                self._ledgers[shard].refill.remote(self._replica, requests[shard], refunds[shard])
                for shard in shards
            ),
            return_exceptions=True,
        )
        received = datetime.now(UTC)
        for shard, answer in zip(shards, answers, strict=True):
            if isinstance(answer, BaseException):
                logger.warning("ledger shard %d unavailable: %s", shard, answer)
                continue
            for campaign_id, grant in answer.items():
                self._leases[campaign_id].add(grant, now=received)

    async def close(self) -> None:
        """Stop refilling and hand every unspent lease back."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        now = datetime.now(UTC)
        refunds: dict[int, dict[str, list[Refund]]] = defaultdict(dict)
        for campaign_id, lease in self._leases.items():
            refunds[shard_of(campaign_id, len(self._ledgers))][campaign_id] = lease.drain(now)
        with contextlib.suppress(Exception):
            await asyncio.gather(
                *(self._ledgers[s].refill.remote(self._replica, {}, refunds[s]) for s in refunds)
            )
