"""Migrate the database, then seed demo campaigns idempotently and mirror them into Redis
(``python -m cluster.demo``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select

from config.settings import Settings, get_settings
from storage.catalog import RedisCatalog
from storage.catalog_publisher import CatalogPublisher
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Campaign


def demo_campaigns(now: datetime) -> list[dict[str, Any]]:
    start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    return [
        {
            "name": "Demo — Streaming Premiere Launch",
            "status": "active",
            "budget_total": Decimal("5000"),
            "cpm": Decimal("25"),
            "pacing": "even",
            "start_date": start,
            "end_date": start + timedelta(days=31),
            "click_through_url": "https://example.com/premiere",
            "description": "Season premiere awareness flight across CTV apps.",
        },
        {
            "name": "Demo — Holiday Sale <30s>",
            "status": "active",
            "budget_total": Decimal("1200"),
            "cpm": Decimal("18.50"),
            "pacing": "asap",
            "start_date": start,
            "end_date": start + timedelta(days=14),
            "click_through_url": "https://example.com/holiday?utm_source=ctv&utm_medium=video",
            "description": "Holiday promo; the name carries markup on purpose & must stay escaped.",
        },
        {
            "name": "Demo — Spring Teaser (draft)",
            "status": "draft",
            "budget_total": Decimal("800"),
            "cpm": Decimal("20"),
            "pacing": "even",
            "start_date": start + timedelta(days=60),
            "end_date": start + timedelta(days=90),
            "click_through_url": None,
            "description": "",
        },
    ]


async def seed(settings: Settings) -> int:
    """Insert the demo campaigns that do not exist yet; returns how many were added."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    redis = Redis.from_url(settings.require_redis_url(), decode_responses=True)
    try:
        sessions = session_factory(engine)
        added = 0
        async with sessions() as session:
            existing = set((await session.execute(select(Campaign.name))).scalars())
            for values in demo_campaigns(datetime.now(UTC)):
                if values["name"] not in existing:
                    session.add(Campaign(**values))
                    added += 1
            await session.commit()
        catalog = RedisCatalog(
            redis, prefix=settings.redis_key_prefix, ttl_seconds=settings.catalog_ttl_seconds
        )
        base = settings.public_base_url
        await CatalogPublisher(
            sessions=sessions, catalog=catalog, media_url=lambda k: f"{base}/media/{k}"
        ).sync_all()
        return added
    finally:
        await redis.aclose()
        await engine.dispose()


def main() -> None:
    settings = get_settings()
    upgrade(settings.require_database_url())
    added = asyncio.run(seed(settings))
    print(f"[stack] migrations applied; {added} demo campaign(s) added", flush=True)


if __name__ == "__main__":
    main()
