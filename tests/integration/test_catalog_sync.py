"""CatalogSync actor: repairs Redis keys deleted or changed behind its back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis

from actors.catalog_sync import ACTOR_NAME, NAMESPACE
from ads.history import AD_SERVER, FLIGHT_ENDED
from config.settings import get_settings
from storage import campaigns as campaign_repo
from storage.catalog import RedisCatalog
from storage.catalog_publisher import CatalogPublisher
from storage.db import create_engine, session_factory
from storage.object_store import build_object_store
from storage.redis_client import connect as connect_redis
from tests.stack_fixtures import Stack, wait_until


def _campaign(api: httpx.Client) -> str:
    now = datetime.now(UTC)
    answer = api.post(
        "/campaigns",
        json={
            "name": f"sync {uuid.uuid4().hex[:6]}",
            "budget_total": 100,
            "cpm": 10,
            "start_date": now.isoformat(),
            "end_date": (now + timedelta(days=3)).isoformat(),
        },
    )
    assert answer.status_code == 201
    cid: str = answer.json()["campaign"]["id"]
    return cid


def test_periodic_sync_restores_a_deleted_key(
    stack: Stack, api: httpx.Client, rds: redis.Redis
) -> None:
    cid = _campaign(api)
    key = f"{stack.redis_prefix}campaign:{cid}"
    wait_until(lambda: rds.exists(key), timeout=1)
    rds.delete(key)
    rds.srem(f"{stack.redis_prefix}campaigns:all", cid)
    wait_until(lambda: rds.exists(key), timeout=8)  # the test stack syncs every 2 s
    assert rds.hget(key, "id") == cid
    assert cid in rds.smembers(f"{stack.redis_prefix}campaigns:all")


def test_sync_now_repairs_tampering_and_drops_strays(
    stack: Stack, api: httpx.Client, rds: redis.Redis, ray_client: Any
) -> None:
    cid = _campaign(api)
    key = f"{stack.redis_prefix}campaign:{cid}"
    wait_until(lambda: rds.exists(key), timeout=1)
    rds.hset(key, "status", "active")
    rds.sadd(f"{stack.redis_prefix}campaigns:active", cid)
    stray = str(uuid.uuid4())
    rds.sadd(f"{stack.redis_prefix}campaigns:all", stray)
    sync = ray_client.get_actor(ACTOR_NAME, namespace=NAMESPACE)
    report = ray_client.get(sync.sync_now.remote(), timeout=30)
    assert report["repaired"] >= 1 and report["removed"] >= 1
    assert rds.hget(key, "status") == "draft"
    assert cid not in rds.smembers(f"{stack.redis_prefix}campaigns:active")
    assert stray not in rds.smembers(f"{stack.redis_prefix}campaigns:all")
    status = ray_client.get(sync.status.remote(), timeout=30)
    assert status["interval_seconds"] == 2


def test_healthz_reports_every_dependency(stack: Stack) -> None:
    answer = httpx.get(f"{stack.base_url}/healthz", timeout=30)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert {k: body["checks"][k] for k in ("postgres", "redis", "serve")} == dict.fromkeys(
        ("postgres", "redis", "serve"), "ok"
    )
    assert body["checks"]["catalog"].startswith("ok")
    assert httpx.get(f"{stack.base_url}/nope", timeout=30).status_code == 404


def test_sync_completes_campaigns_whose_flight_ended(
    stack: Stack, api: httpx.Client, rds: redis.Redis, ray_client: Any
) -> None:
    now = datetime.now(UTC)
    answer = api.post(
        "/campaigns",
        json={
            "name": f"ending {uuid.uuid4().hex[:6]}",
            "budget_total": 100,
            "cpm": 10,
            "start_date": (now - timedelta(days=1)).isoformat(),
            "end_date": (now + timedelta(seconds=2)).isoformat(),
        },
    )
    cid = answer.json()["campaign"]["id"]
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).status_code == 200
    wait_until(
        lambda: api.get(f"/campaigns/{cid}").json()["campaign"]["status"] == "completed", timeout=10
    )
    wait_until(
        lambda: rds.hget(f"{stack.redis_prefix}campaign:{cid}", "status") == "completed",
        timeout=10,
    )
    assert cid not in rds.smembers(f"{stack.redis_prefix}campaigns:active")
    # The campaign's history says who completed it and why.
    latest = api.get(f"/campaigns/{cid}/history").json()["changes"][0]
    assert (latest["actor"], latest["action"]) == (AD_SERVER, "status")
    assert latest["changes"] == {
        "status": ["active", "completed"],
        "reason": [None, FLIGHT_ENDED],
        "spent": [None, "0.00"],
        "budget": [None, "100.00"],
    }


async def test_a_sync_racing_write_throughs_neither_drops_nor_reverts_them(
    stack: Stack, api: httpx.Client, rds: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Management creates a campaign and pauses another while a sync is between its reads: the
    sync must not drop the new one as stale nor write the paused one back as active, even when
    the paused one had drifted (so the sync means to rewrite it from its older row)."""
    settings = get_settings()
    engine = create_engine(stack.database_url, pool_size=1)
    catalog = RedisCatalog(
        connect_redis(stack.redis_url),
        prefix=stack.redis_prefix,
        ttl_seconds=settings.catalog_ttl_seconds,
    )
    publisher = CatalogPublisher(
        sessions=session_factory(engine),
        catalog=catalog,
        media_url=build_object_store(settings).public_url,
    )
    running = await asyncio.to_thread(_campaign, api)
    started = await asyncio.to_thread(
        api.put, f"/campaigns/{running}/status", json={"status": "active"}
    )
    assert started.is_success
    key = f"{stack.redis_prefix}campaign:{running}"
    wait_until(lambda: rds.hget(key, "status") == "active", timeout=5)
    rds.hset(key, "name", "drifted")  # the sync will want to rewrite this one
    made: list[str] = []
    read_rows = campaign_repo.all_with_creatives

    async def rows_then_writes(session: Any) -> Any:
        rows = await read_rows(session)  # the sync's view of PostgreSQL, then management acts
        made.append(await asyncio.to_thread(_campaign, api))
        paused = await asyncio.to_thread(
            api.put, f"/campaigns/{running}/status", json={"status": "paused"}
        )
        assert paused.is_success
        return rows

    monkeypatch.setattr(campaign_repo, "all_with_creatives", rows_then_writes)
    try:
        await publisher.sync_all()
    finally:
        await engine.dispose()
    assert rds.hget(f"{stack.redis_prefix}campaign:{made[0]}", "name") is not None
    assert rds.hget(key, "status") == "paused"
    assert rds.hget(key, "name") != "drifted"  # the write-through rewrote it, the sync left it
