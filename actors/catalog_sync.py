"""CatalogSync: the periodic PostgreSQL → Redis catalog sync, the Redis → PostgreSQL copy of
the ad inventory (storage/inventory_archive.py), the delivery and playback checks
(storage/delivery_alerts.py, storage/playback_alerts.py), the campaign news webhook
(actors/notifier.py) and its daily digest (actors/digest_sender.py), as a named detached actor."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

import ray

from actors.digest_sender import DigestSender
from actors.notifier import ChangeNotifier
from config.settings import get_settings
from storage.catalog import RedisCatalog
from storage.catalog_publisher import CatalogPublisher, SyncReport
from storage.db import create_engine, session_factory
from storage.delivery_alerts import check_delivery
from storage.inventory import RedisInventory
from storage.inventory_archive import InventoryArchiver
from storage.object_store import build_object_store
from storage.playback_alerts import check_playback
from storage.redis_client import connect as connect_redis

logger = logging.getLogger(__name__)

ACTOR_NAME = "catalog-sync"
NAMESPACE = "ctv"
ARCHIVE_SECONDS = 60.0
"""How often the inventory is copied to PostgreSQL."""
DELIVERY_CHECK_SECONDS = 60.0
"""How often the active campaigns' spend is set against their pacing plans, and the daily
digest is looked at."""
NOTIFY_SECONDS = 2.0
"""How often the campaign history is looked at for news to notify."""


class CatalogSync:
    """Rewrites what drifted every ``interval`` seconds; rebuilds everything from settings."""

    async def __init__(self, interval_seconds: float | None = None) -> None:  # type: ignore[misc]
        settings = get_settings()
        self._interval = interval_seconds or settings.catalog_sync_interval_seconds
        self._engine = create_engine(settings.require_database_url(), pool_size=3)
        self._sessions = session_factory(self._engine)
        self._redis = connect_redis(settings.require_redis_url())
        catalog = RedisCatalog(
            self._redis, prefix=settings.redis_key_prefix, ttl_seconds=settings.catalog_ttl_seconds
        )
        self._publisher = CatalogPublisher(
            sessions=self._sessions,
            catalog=catalog,
            media_url=build_object_store(settings).public_url,
        )
        inventory = RedisInventory(self._redis, prefix=settings.redis_key_prefix)
        self._archiver = InventoryArchiver(inventory, self._sessions)
        self._archived_at = float("-inf")
        self._delivery_checked_at = float("-inf")
        secret = settings.notify_webhook_secret
        self._notifier = ChangeNotifier(
            self._sessions,
            url=settings.notify_webhook_url,
            secret=secret.get_secret_value() if secret else None,
        )
        self._digest = DigestSender(
            self._sessions,
            inventory,
            url=settings.notify_webhook_url,
            secret=secret.get_secret_value() if secret else None,
            hour=settings.notify_digest_hour if settings.notify_digest else None,
        )
        self._last: SyncReport | None = None
        self._failures = 0
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._loop())
        self._notifying = loop.create_task(self._notifier.run(NOTIFY_SECONDS))

    async def _loop(self) -> None:
        while True:
            try:
                await self.sync_now()
            except Exception:
                self._failures += 1
                logger.exception("catalog sync failed; retrying in %.1fs", self._interval)
            if time.monotonic() - self._archived_at >= ARCHIVE_SECONDS:
                try:
                    await self.archive_inventory()
                except Exception:
                    logger.exception("inventory copy failed; retrying in %.1fs", self._interval)
            if time.monotonic() - self._delivery_checked_at >= DELIVERY_CHECK_SECONDS:
                try:
                    await self.check_delivery()
                except Exception:
                    logger.exception("delivery check failed; retrying in %.1fs", self._interval)
                try:
                    await self.check_playback()
                except Exception:
                    logger.exception("playback check failed; retrying in %.1fs", self._interval)
                try:
                    await self._digest.step(datetime.now(UTC))
                except Exception as exc:
                    logger.warning("daily digest held back a minute: %s", exc)
            await asyncio.sleep(self._interval)

    async def sync_now(self) -> dict[str, Any]:
        """Complete finished campaigns, then run one full sync; returns the sync report."""
        completed = await self._publisher.complete_finished(now=datetime.now(UTC))
        if completed:
            logger.info("completed %d finished campaign(s)", len(completed))
        self._last = await self._publisher.sync_all()
        if self._last.repaired or self._last.removed:
            logger.info("catalog sync repaired %s", self._last)
        return asdict(self._last)

    async def archive_inventory(self, full: bool = False) -> int:
        """Copy the ad inventory to PostgreSQL now (``full``: all Redis keeps, not only the
        recent hours); the hours copied that had counts."""
        copied = await self._archiver.copy(datetime.now(UTC), full=full)
        self._archived_at = time.monotonic()
        return copied

    async def check_delivery(self) -> int:
        """Set the active campaigns' spend against their plans now; the campaigns that fell
        behind or got back on plan."""
        async with self._sessions.begin() as session:
            changed = await check_delivery(session, now=datetime.now(UTC))
        self._delivery_checked_at = time.monotonic()
        if changed:
            logger.info("delivery: %d campaign(s) changed state", len(changed))
        return len(changed)

    async def check_playback(self) -> int:
        """Set the active campaigns' recent player errors against their tries now; the
        campaigns whose ads players started failing to play or play again."""
        async with self._sessions.begin() as session:
            changed = await check_playback(session, now=datetime.now(UTC))
        if changed:
            logger.info("playback: %d campaign(s) changed state", len(changed))
        return len(changed)

    async def send_digest(self, day: str) -> str:
        """Send the digest of ``day`` (ISO date) now, sent before or not; the day."""
        sent = await self._digest.send(date.fromisoformat(day), now=datetime.now(UTC))
        return sent.isoformat()

    def status(self) -> dict[str, Any]:
        return {
            "interval_seconds": self._interval,
            "failures": self._failures,
            "notifications_sent": self._notifier.sent,
            "notification_failures": self._notifier.failures,
            "last": asdict(self._last) if self._last else None,
        }


def ensure_catalog_sync() -> Any:
    """The running CatalogSync actor, created (detached, restartable) if there is none."""
    return (
        ray.remote(CatalogSync)
        .options(
            name=ACTOR_NAME,
            namespace=NAMESPACE,
            lifetime="detached",
            get_if_exists=True,
            max_restarts=-1,
            max_task_retries=-1,
            num_cpus=0,
        )
        .remote()
    )
