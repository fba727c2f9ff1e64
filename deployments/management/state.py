"""What a management replica holds: built in the app's lifespan, torn down with it."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from config.settings import Settings
from storage.catalog import RedisCatalog
from storage.catalog_publisher import CatalogPublisher
from storage.db import create_engine, session_factory


@dataclass(frozen=True, slots=True)
class ManagementState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    catalog: RedisCatalog
    publisher: CatalogPublisher
    jwt_secret: str

    @classmethod
    def build(cls, settings: Settings) -> ManagementState:
        engine = create_engine(settings.require_database_url())
        sessions = session_factory(engine)
        redis = Redis.from_url(settings.require_redis_url(), decode_responses=True)
        catalog = RedisCatalog(
            redis, prefix=settings.redis_key_prefix, ttl_seconds=settings.catalog_ttl_seconds
        )
        base = settings.public_base_url
        publisher = CatalogPublisher(
            sessions=sessions, catalog=catalog, media_url=lambda key: f"{base}/media/{key}"
        )
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            redis=redis,
            catalog=catalog,
            publisher=publisher,
            jwt_secret=settings.require_secret("jwt_secret"),
        )

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()
