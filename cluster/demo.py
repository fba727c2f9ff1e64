"""Migrate the database, then seed demo campaigns (each active one with a generated MP4
creative) idempotently and mirror them into Redis (``python -m cluster.demo``); with
``--wait-transcodes SECONDS``, wait instead until no creative is waiting for its renditions."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ads.captions import read_captions
from ads.creative_review import ReviewStatus
from ads.creatives import CreativeStatus
from ads.history import Action
from ads.universal_ad_id import AD_ID, UniversalAdId
from config.settings import Settings, get_settings
from deployments.management.caption_service import store_captions
from deployments.management.creative_service import examine_upload, store_creative
from media.synthetic import write_synthetic_video
from storage import campaign_history
from storage import creatives as creative_repo
from storage.catalog import RedisCatalog
from storage.catalog_publisher import CatalogPublisher
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Campaign, Creative
from storage.object_store import ObjectStore, build_object_store
from storage.redis_client import connect as connect_redis

DEMO_CREATIVE_NAME = "Demo — 15 s colour bars (720p)"
DEMO_CAPTIONS = b"""WEBVTT

00:00:00.500 --> 00:00:07.000
Colour bars and a steady tone:
the demo ad of the CTV ad server.

00:00:07.500 --> 00:00:14.500
Captions like these play with the ad.
"""
DEMO_AD_IDS = {
    "Demo — Streaming Premiere Launch": UniversalAdId(registry=AD_ID, value="NWST0000015H")
}
"""The demo spots' industry ids (VAST ``<UniversalAdId>``), by campaign."""
DEMO_ACTOR = "demo seed (python -m cluster.demo)"
"""Who the demo campaigns' history says created them."""


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
            "advertiser": "Northwind Studios",
            "paid_by": "Northwind Media Group",
            "categories": ["IAB1-5"],
            "frequency_cap_ads": 3,
            "frequency_cap_hours": 24,
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
            "advertiser": "Contoso & Sons <Retail>",
            "categories": ["IAB22", "IAB18"],
        },
        {
            "name": "Demo — House: Tonight on Northwind+",
            "status": "active",
            "priority": "house",
            "budget_total": Decimal("1000"),
            "cpm": Decimal("0"),
            "pacing": "asap",
            "start_date": start,
            "end_date": start + timedelta(days=365),
            "click_through_url": "https://example.com/tonight",
            "description": "The publisher's own promo: plays only in breaks no paid campaign "
            "fills, and spends nothing (CPM 0).",
            "advertiser": "Northwind+",
            "categories": ["IAB1-7"],
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
            "advertiser": "Northwind Studios",
            "categories": ["IAB1-5"],
        },
    ]


async def seed_creatives(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], store: ObjectStore
) -> int:
    """Give each active demo campaign without creatives a generated 15 s 720p MP4 (about a
    second to write) with English captions (and the premiere's an Ad-ID code); the
    CreativeProcessor makes its renditions once the stack runs."""
    names = [c["name"] for c in demo_campaigns(datetime.now(UTC)) if c["status"] == "active"]
    async with sessions() as session:
        query = select(Campaign.id, Campaign.name).where(Campaign.name.in_(names))
        named = {campaign_id: name for campaign_id, name in await session.execute(query)}
        bare = [i for i in named if not await creative_repo.list_for_campaign(session, i)]
    if not bare:
        return 0
    with tempfile.TemporaryDirectory(prefix="ctv-demo-") as work:
        video = write_synthetic_video(
            Path(work) / "demo.mp4", width=1280, height=720, duration_s=15, fps=10
        )
        info, loudness = examine_upload(video, settings)
        captions = read_captions(DEMO_CAPTIONS, duration_ms=info.duration_ms)
        for campaign_id in bare:
            creative = await store_creative(
                sessions=sessions,
                store=store,
                campaign_id=campaign_id,
                name=DEMO_CREATIVE_NAME,
                upload=video,
                info=info,
                loudness=loudness,
                created_by=DEMO_ACTOR,
                review_status=ReviewStatus.APPROVED,
            )
            entry = store_captions(store, creative.id, "en", captions, uploaded_by=DEMO_ACTOR)
            async with sessions() as session:
                made = await creative_repo.get(session, creative.id)
                if made is not None:
                    made.captions = [entry]
                    made.universal_ad_id = DEMO_AD_IDS.get(named[campaign_id])
                    await session.commit()
    return len(bare)


async def seed(settings: Settings) -> tuple[int, int]:
    """Insert the demo campaigns and creatives that do not exist yet; returns how many of each
    were added."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    redis = connect_redis(settings.require_redis_url())
    try:
        sessions = session_factory(engine)
        added = 0
        async with sessions() as session:
            existing = set((await session.execute(select(Campaign.name))).scalars())
            for values in demo_campaigns(datetime.now(UTC)):
                if values["name"] not in existing:
                    campaign = Campaign(**values)
                    session.add(campaign)
                    await session.flush()
                    await campaign_history.record(
                        session, campaign_id=campaign.id, actor=DEMO_ACTOR, action=Action.CREATED
                    )
                    added += 1
            await session.commit()
        store = build_object_store(settings)
        creatives = await seed_creatives(settings, sessions, store)
        catalog = RedisCatalog(
            redis, prefix=settings.redis_key_prefix, ttl_seconds=settings.catalog_ttl_seconds
        )
        await CatalogPublisher(
            sessions=sessions, catalog=catalog, media_url=store.public_url
        ).sync_all()
        return added, creatives
    finally:
        await redis.aclose()
        await engine.dispose()


async def wait_transcodes(settings: Settings, *, poll: float = 0.5) -> None:
    """Return once no creative is processing (a campaign is served once its creative has its
    renditions), printing the mean progress as it moves."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    query = select(func.count(), func.avg(Creative.progress)).where(
        Creative.status == CreativeStatus.PROCESSING.value
    )
    shown = ""
    try:
        while True:
            async with session_factory(engine)() as session:
                pending, progress = (await session.execute(query)).one()
            if not pending:
                return
            line = f"[stack] transcoding {pending} creative(s): {100 * (progress or 0):.0f}%"
            if line != shown:
                print(line, flush=True)
                shown = line
            await asyncio.sleep(poll)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cluster.demo")
    parser.add_argument("--wait-transcodes", type=float, metavar="SECONDS")
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.wait_transcodes is not None:
        try:
            asyncio.run(asyncio.wait_for(wait_transcodes(settings), args.wait_transcodes))
        except TimeoutError:
            sys.exit(f"[stack] creatives still transcoding after {args.wait_transcodes:.0f}s")
        return
    upgrade(settings.require_database_url())
    campaigns, creatives = asyncio.run(seed(settings))
    print(
        f"[stack] migrations applied; {campaigns} demo campaign(s) added;"
        f" {creatives} demo creative(s) added",
        flush=True,
    )


if __name__ == "__main__":
    main()
