"""What a management replica holds: built in the app's lifespan, torn down with it."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ads.ad_info import AdInfoLinks
from config.settings import Settings
from storage.catalog import RedisCatalog
from storage.catalog_publisher import CatalogPublisher
from storage.db import create_engine, session_factory
from storage.object_store import ObjectStore, build_object_store
from storage.redis_client import connect as connect_redis

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ManagementState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    catalog: RedisCatalog
    publisher: CatalogPublisher
    store: ObjectStore
    jwt_secret: str
    ad_info: AdInfoLinks | None
    """Where each campaign's "why this ad" page is (None: ads carry no icon)."""

    @classmethod
    def build(cls, settings: Settings) -> ManagementState:
        engine = create_engine(settings.require_database_url())
        sessions = session_factory(engine)
        redis = connect_redis(settings.require_redis_url())
        catalog = RedisCatalog(
            redis, prefix=settings.redis_key_prefix, ttl_seconds=settings.catalog_ttl_seconds
        )
        store = build_object_store(settings)
        publisher = CatalogPublisher(sessions=sessions, catalog=catalog, media_url=store.public_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            redis=redis,
            catalog=catalog,
            publisher=publisher,
            store=store,
            jwt_secret=settings.require_secret("jwt_secret"),
            ad_info=settings.ad_info_links() if settings.ad_info_icon else None,
        )

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()


async def write_through(state: ManagementState, campaign_id: uuid.UUID) -> None:
    """Mirror a committed change into Redis; if Redis is down, the periodic sync repairs it."""
    try:
        await state.publisher.publish_campaign(campaign_id)
    except (RedisError, OSError):
        logger.warning("catalog write-through failed for %s; the sync will repair it", campaign_id)
