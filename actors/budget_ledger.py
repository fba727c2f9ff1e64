"""BudgetLedger: the authority on each campaign's spendable budget, sharded by campaign id.

Decision replicas never call it per request: they ask for leases in batches (one call per shard
per refill round) and spend them locally. Committed spend is pulled from PostgreSQL (what the
ImpressionSinks flushed into ``campaigns.budget_spent``) every ``refresh_seconds``, so a lost
message can never lose spend. After a restart the accounts are rebuilt from PostgreSQL and grant
nothing until every lease granted before the restart has expired (see :mod:`ads.leases`).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import ray

from ads.leases import CampaignAccount, Grant, LeasePolicy, Refund
from ads.pacing import Flight, Micros, to_micros
from config.settings import get_settings
from storage import campaigns as campaign_repo
from storage.catalog import RedisCatalog
from storage.catalog_publisher import CatalogPublisher
from storage.catalog_records import campaign_record
from storage.db import create_engine, session_factory
from storage.object_store import build_object_store
from storage.redis_client import connect as connect_redis

logger = logging.getLogger(__name__)

NAMESPACE = "ctv"
LEDGER_NAME = "budget-ledger-{}"
REFRESH_SECONDS = 1.0
"""How often a shard re-reads its campaigns (a management change reaches its accounts)."""


def shard_of(campaign_id: str, shards: int) -> int:
    """The ledger shard that owns ``campaign_id``."""
    return zlib.crc32(campaign_id.encode()) % shards


class BudgetLedger:
    """One shard of the ledger: an account per paced campaign it owns."""

    async def __init__(  # type: ignore[misc]
        self,
        shard: int,
        shards: int,
        *,
        ttl_seconds: float,
        settle_window_seconds: float,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        settings = get_settings()
        self._shard, self._shards = shard, shards
        self._policy = LeasePolicy(
            ttl=timedelta(seconds=ttl_seconds),
            settle_window=timedelta(seconds=settle_window_seconds),
        )
        self._refresh_seconds = refresh_seconds
        self._engine = create_engine(settings.require_database_url(), pool_size=2)
        self._sessions = session_factory(self._engine)
        self._redis = connect_redis(settings.require_redis_url())
        self._publisher = CatalogPublisher(
            sessions=self._sessions,
            catalog=RedisCatalog(
                self._redis,
                prefix=settings.redis_key_prefix,
                ttl_seconds=settings.catalog_ttl_seconds,
            ),
            media_url=build_object_store(settings).public_url,
        )
        self._alive_key = f"{settings.redis_key_prefix}ledger:{shard}:alive"
        self._accounts: dict[str, CampaignAccount] = {}
        self._committed: dict[str, Micros] = {}
        self._restarted = await self._redis.exists(self._alive_key) > 0
        await self.refresh()
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await self.refresh()
            except Exception:
                logger.exception(
                    "ledger shard %d refresh failed; keeping its accounts", self._shard
                )

    async def refresh(self) -> None:
        """Pull campaigns and committed spend from PostgreSQL; complete what is finished."""
        now = datetime.now(UTC)
        async with self._sessions() as session:
            rows = await campaign_repo.paced(session)
            today = await campaign_repo.spend_today(session, day=now.date())
        owned = {str(c.id): c for c in rows if shard_of(str(c.id), self._shards) == self._shard}
        for campaign_id, row in owned.items():
            record = campaign_record(row)
            committed = to_micros(record.budget_spent)
            if record.cpm <= 0:
                continue
            flight = Flight.of(record)
            account = self._accounts.get(campaign_id)
            if account is None:
                opener = CampaignAccount.recover if self._restarted else CampaignAccount.open
                spent_today = today.get(row.id)
                self._accounts[campaign_id] = opener(
                    flight,
                    committed=committed,
                    now=now,
                    policy=self._policy,
                    spent_today=None if spent_today is None else to_micros(spent_today),
                )
            else:
                account.update(flight)
                account.settle(max(committed - self._committed.get(campaign_id, committed), 0))
                account.expire(now)
            self._committed[campaign_id] = committed
        for gone in set(self._accounts) - set(owned):
            del self._accounts[gone]
            self._committed.pop(gone, None)
        self._restarted = False
        ttl = self._policy.ttl + self._policy.settle_window
        await self._redis.set(self._alive_key, "1", ex=max(int(ttl.total_seconds()), 1))
        if any(account.is_complete(now) for account in self._accounts.values()):
            await self._publisher.complete_finished(now=now)

    async def refill(
        self, replica: str, requests: dict[str, Micros], refunds: dict[str, list[Refund]]
    ) -> dict[str, Grant]:
        """Take back ``refunds`` and grant what pacing and the budget allow of ``requests``."""
        now = datetime.now(UTC)
        for campaign_id, returned in refunds.items():
            account = self._accounts.get(campaign_id)
            if account is not None:
                account.release(returned, now=now)
        grants: dict[str, Grant] = {}
        for campaign_id, requested in requests.items():
            account = self._accounts.get(campaign_id)
            if account is None:  # unknown yet (just created) or not paced: ask again soon
                grants[campaign_id] = Grant(
                    amount=0,
                    ttl=self._policy.ttl,
                    expires_at=now,
                    retry_at=now + timedelta(seconds=self._refresh_seconds),
                )
                continue
            grants[campaign_id] = account.grant(replica, requested, now=now)
        return grants

    def status(self) -> dict[str, Any]:
        """Per campaign: committed, reserved and overspend (micros)."""
        return {
            campaign_id: {
                "committed": account.committed,
                "reserved": account.reserved,
                "overspend": account.overspend,
            }
            for campaign_id, account in self._accounts.items()
        }


def ensure_budget_ledgers(
    shards: int, *, ttl_seconds: float, settle_window_seconds: float
) -> list[Any]:
    """The ledger shards ``budget-ledger-0..shards-1``, created (detached) where missing."""
    remote = ray.remote(BudgetLedger)
    return [
        remote.options(
            name=LEDGER_NAME.format(shard),
            namespace=NAMESPACE,
            lifetime="detached",
            get_if_exists=True,
            max_restarts=-1,
            max_task_retries=-1,
            num_cpus=0,
        ).remote(
            shard, shards, ttl_seconds=ttl_seconds, settle_window_seconds=settle_window_seconds
        )
        for shard in range(shards)
    ]
