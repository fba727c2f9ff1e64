"""Ad-inventory counts: replicas' decision counts kept per hour in Redis and read back by the
management API (``GET /inventory``)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import redis

from actors.catalog_sync import ACTOR_NAME, NAMESPACE
from ads.audience import SAMPLE_EVERY, RequestProfile
from ads.forecast import history_hours
from ads.inventory import HOUR as ONE_HOUR
from ads.inventory import InventoryCounts, hour_of, hours_up_to
from ads.platforms import Platform
from deployments.serving.decision_metrics import DecisionMetrics
from storage.db import create_engine, session_factory
from storage.inventory import KEEP, RedisInventory
from storage.inventory_archive import inventory_counts, sampled_requests
from storage.redis_client import connect as connect_redis
from tests.integration.factories import active_campaign, wait_served
from tests.stack_fixtures import Stack, execute_sql, wait_until

HOUR = hour_of(datetime.now(UTC))


async def test_hours_add_up_across_writers_and_expire(stack: Stack, rds: redis.Redis) -> None:
    prefix = f"inventory-test-{uuid.uuid4().hex[:8]}:"
    store = RedisInventory(connect_redis(stack.redis_url), prefix=prefix)
    earlier = HOUR - timedelta(hours=5)
    await store.add({HOUR: InventoryCounts(requests=3, filled=2, ads=2)})
    await store.add(
        {HOUR: InventoryCounts(requests=1, invalid=4), earlier: InventoryCounts(requests=7)}
    )
    read = await store.read([earlier - timedelta(hours=1), earlier, HOUR])
    assert read == {
        earlier: InventoryCounts(requests=7),
        HOUR: InventoryCounts(requests=4, filled=2, ads=2, invalid=4),
    }
    ttl = rds.ttl(f"{prefix}inventory:{HOUR:%Y%m%d%H}")
    assert KEEP.total_seconds() - 60 < ttl <= KEEP.total_seconds()


async def test_replica_counts_wait_out_a_redis_outage(stack: Stack) -> None:
    prefix = f"inventory-test-{uuid.uuid4().hex[:8]}:"
    live = RedisInventory(connect_redis(stack.redis_url), prefix=prefix)
    dead = RedisInventory(connect_redis("redis://127.0.0.1:9/0"), prefix=prefix)
    metrics = DecisionMetrics(inventory=dead)
    metrics.served("json", 1)
    metrics.served("vast", 2, house_ads=2)  # a pod of house ads only
    metrics.served("json", 3, house_ads=1)
    metrics.served("json", 0)
    metrics.refused("vast")
    metrics.flush()
    await metrics.store()  # Redis away: logged, kept
    metrics.served("json", 1)
    metrics.flush()
    metrics._inventory = live  # Redis back (a new connection to it)
    await metrics.store()

    async def stored() -> InventoryCounts:
        """All this test's counts: its flushes may straddle an hour boundary."""
        hours = hours_up_to(datetime.now(UTC), 2)
        return sum((await live.read(hours)).values(), InventoryCounts())

    assert await stored() == InventoryCounts(
        requests=5, filled=4, house_only=1, ads=7, house_ads=3, invalid=1
    )
    await metrics.store()  # nothing left over: no double count
    assert (await stored()).requests == 5


def test_the_api_reports_what_the_replicas_answered(
    stack: Stack, api: httpx.Client, ray_client: Any
) -> None:
    with httpx.Client(base_url=stack.base_url, timeout=30) as serving:
        cid = active_campaign(stack, api)
        wait_served(serving, cid)

        def totals() -> dict[str, Any]:
            answer = api.get("/inventory", params={"hours": 2})
            assert answer.status_code == 200, answer.text
            body: dict[str, Any] = answer.json()
            assert len(body["series"]) == 2
            return dict(body["totals"])

        before = totals()
        for number in range(4):
            asked = {"request_id": f"inv-{number}", "duration": 60}
            assert serving.post("/api/v1/ad-request", json=asked).status_code == 200
        assert serving.get("/api/v1/vast", params={"campaign_id": "none"}).status_code == 200
        assert serving.post("/api/v1/ad-request", content=b"[").status_code == 422
        crawler = {"User-Agent": "Mozilla/5.0 (compatible; bingbot/2.0)"}
        assert serving.get("/api/v1/vast", headers=crawler).status_code == 200

        def counted() -> bool:
            now = totals()
            return bool(
                now["requests"] - before["requests"] >= 5
                and now["filled"] - before["filled"] >= 4
                and now["invalid"] - before["invalid"] >= 1
                and now["robots"] - before["robots"] >= 1
            )

        wait_until(counted, timeout=20, interval=0.5)  # replicas store every 5 s
        now = totals()
        assert 0 < now["fill_rate"] <= 1 and now["no_fill"] == now["requests"] - now["filled"]
    for bad in ({"hours": 0}, {"hours": 24 * 31 + 1}, {"hours": "day"}):
        refused = api.get("/inventory", params=bad)
        assert refused.status_code == 422 and "hours" in refused.text, refused.text
    with httpx.Client(base_url=api.base_url) as anonymous:
        assert anonymous.get("/inventory").status_code == 401


def test_forecast_projects_the_last_week_against_a_budget(stack: Stack, api: httpx.Client) -> None:
    """Last week's hours, written where the replicas write theirs, forecast the next two days;
    the replicas' own counts (this run's decisions) may add a little to the latest hours."""
    store = RedisInventory(connect_redis(stack.redis_url), prefix=stack.redis_prefix)
    week = history_hours(datetime.now(UTC))
    hourly = InventoryCounts(requests=10_000, filled=7_000, house_only=1_000)
    asyncio.run(store.add({hour: hourly for hour in week}))
    now = datetime.now(UTC)
    answer = api.get(
        "/forecast",
        params={"to": (now + timedelta(days=2)).isoformat(), "budget": "1500", "cpm": "20"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["history_hours"] == len(week)
    assert 480_000 <= body["requests"] <= 480_000 * 1.05
    assert body["unsold"] == body["requests"] - body["paid_filled"]
    assert 0.38 <= body["unsold"] / body["requests"] <= 0.42
    assert body["impressions_needed"] == 75_000
    default = api.get("/forecast").json()  # from now, for a week, no budget
    assert default["impressions_needed"] is None
    assert datetime.fromisoformat(default["end"]) - datetime.fromisoformat(default["start"]) == (
        timedelta(days=7)
    )


def test_forecast_refuses_past_ranges_and_bad_numbers(api: httpx.Client) -> None:
    for params, field in [
        ({"to": "2020-01-01"}, "to"),
        ({"from": "tomorrow"}, "from"),
        ({"to": (datetime.now(UTC) + timedelta(days=400)).isoformat()}, "to"),
        ({"budget": "-5", "cpm": "10"}, "budget"),
        ({"budget": "100", "cpm": "ten"}, "cpm"),
    ]:
        answer = api.get("/forecast", params=params)
        assert answer.status_code == 422, (params, answer.text)
        fields = {d["field"].removeprefix("query.") for d in answer.json()["error"]["details"]}
        assert field in fields, answer.text


def test_forecast_weighs_a_targeting_by_the_sampled_requests(
    stack: Stack, api: httpx.Client
) -> None:
    """The days' samples (written where the replicas write theirs) narrow the supply to what a
    targeting reaches; other apps in the samples count in the whole only."""
    store = RedisInventory(connect_redis(stack.redis_url), prefix=stack.redis_prefix)
    week = history_hours(datetime.now(UTC))
    app = f"com.example.forecast{uuid.uuid4().hex[:6]}"
    sampled = {
        RequestProfile(app=app, platform=Platform.ROKU, geo=frozenset({"NZ"})).key(): 1_000_000,
        RequestProfile(app=f"{app}.other").key(): 3_000_000,
    }
    asyncio.run(store.add({}, {week[0].date(): sampled}))  # the hours stay as other tests left them
    # A range starting a little ahead: every forecast of the test covers the same hours (one
    # starting "now" would start a few ms later each time, and round differently).
    begin = hour_of(datetime.now(UTC)) + timedelta(hours=1, minutes=30)
    span = {"from": begin.isoformat(), "to": (begin + timedelta(days=1)).isoformat()}
    whole = api.get("/forecast", params=span).json()
    answer = api.get("/forecast", params={**span, "target_apps": app.upper()})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # Other tests' samples count in the whole too: the share is of all the week's samples.
    assert body["targeted_samples"] >= 4_000_000
    assert abs(body["targeted_share"] - 1_000_000 / body["targeted_samples"]) < 0.0001
    exact = body["requests"] * 1_000_000 / body["targeted_samples"]
    assert abs(body["targeted_requests"] - exact) <= 1  # the share is shown to four places
    assert body["requests"] == whole["requests"] and whole["targeted_share"] is None
    none = api.get("/forecast", params={**span, "target_apps": app, "target_platforms": "mobile"})
    assert (none.json()["targeted_share"], none.json()["targeted_requests"]) == (0, 0)
    in_nz = api.get("/forecast", params={**span, "target_apps": app, "target_geo": "nz"})
    assert in_nz.json()["targeted_share"] == body["targeted_share"]
    elsewhere = api.get("/forecast", params={**span, "target_apps": app, "target_geo": "AU"})
    assert elsewhere.json()["targeted_share"] == 0
    # Every hour of the week is the whole supply; its hours are those of the range.
    always = ",".join(map(str, range(168)))
    weekly = api.get(
        "/forecast", params={**span, "daypart_hours": always, "timezone": "Asia/Kolkata"}
    )
    assert weekly.status_code == 200, weekly.text
    assert weekly.json()["requests"] == whole["requests"]
    assert abs(weekly.json()["running_hours"] - 24) < 0.02 and whole["running_hours"] is None
    for bad, field in [
        ({"target_platforms": "fridge"}, "target_platforms.0"),
        ({"target_content": "Sports"}, "target_content.0"),
        ({"target_geo": "NZ,Atlantis"}, "target_geo.1"),
        ({"daypart_hours": "20,168"}, "daypart_hours.1"),
        ({"daypart_hours": "prime"}, "daypart_hours.0"),
        ({"daypart_hours": "20", "timezone": "Mars/Olympus_Mons"}, "timezone"),
    ]:
        refused = api.get("/forecast", params={**span, **bad})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"][0]["field"] == field


def test_replicas_sample_who_asks(
    stack: Stack, api: httpx.Client, rds: redis.Redis, serving: httpx.Client
) -> None:
    app = f"com.example.sampled{uuid.uuid4().hex[:6]}"
    for number in range(8 * SAMPLE_EVERY):
        body = {
            "request_id": f"sample-{number}",
            "duration": 30,
            "app": {"bundle": app},
            "content": {"cat": ["IAB17-44"]},
            "device": {"geo": {"country": "NZL", "region": "AUK"}},
        }
        assert serving.post("/api/v1/ad-request", json=body).status_code in (200, 204)
    key = f"{stack.redis_prefix}audience:{datetime.now(UTC):%Y%m%d}"

    def ours() -> dict[str, int]:
        """This test's profiles (the client decodes replies to str)."""
        day = {str(k): int(v) for k, v in rds.hgetall(key).items()}
        return {k: n for k, n in day.items() if k.startswith(f"{app}|")}

    wait_until(lambda: bool(ours()), timeout=20, interval=0.5)  # replicas store every 5 s
    assert {RequestProfile.parse(k).content for k in ours()} == {frozenset({"IAB17-44"})}
    assert {RequestProfile.parse(k).geo for k in ours()} == {frozenset({"NZ", "NZ-AUK"})}
    assert sum(ours().values()) <= 8


def test_the_archive_keeps_the_inventory_redis_lost(
    stack: Stack, api: httpx.Client, rds: redis.Redis, ray_client: Any
) -> None:
    """CatalogSync copies the hours and samples to PostgreSQL; the report reads them back when
    Redis no longer has them, and the archive alone while Redis does not answer."""

    def add(counts: InventoryCounts, samples: dict[str, int] | None = None) -> None:
        """As a replica adds its counts (a connection for each event loop)."""
        store = RedisInventory(connect_redis(stack.redis_url), prefix=stack.redis_prefix)
        asyncio.run(store.add({old: counts}, {old.date(): samples} if samples else None))

    old = HOUR - timedelta(days=20)  # no other test writes this far back
    profile = RequestProfile(app=f"com.example.archive{uuid.uuid4().hex[:6]}").key()
    counted = InventoryCounts(requests=123, filled=45)
    add(counted, {profile: 9})
    sync = ray_client.get_actor(ACTOR_NAME, namespace=NAMESPACE)
    assert ray_client.get(sync.archive_inventory.remote(True), timeout=60) >= 1
    rds.delete(f"{stack.redis_prefix}inventory:{old:%Y%m%d%H}")
    rds.delete(f"{stack.redis_prefix}audience:{old:%Y%m%d}")

    answer = api.get("/inventory", params={"hours": 24 * 21})
    assert answer.status_code == 200, answer.text
    (point,) = [p for p in answer.json()["series"] if datetime.fromisoformat(p["bucket"]) == old]
    assert (point["requests"], point["filled"]) == (123, 45)

    async def read_through_a_dead_redis() -> tuple[dict[datetime, InventoryCounts], int]:
        dead = RedisInventory(connect_redis("redis://127.0.0.1:9/0"), prefix=stack.redis_prefix)
        engine = create_engine(stack.database_url, pool_size=1)
        try:
            async with session_factory(engine)() as session:
                counts = await inventory_counts(session, dead, [old - ONE_HOUR, old])
                samples = await sampled_requests(session, dead, [old.date()])
        finally:
            await engine.dispose()
        return counts, samples[profile]

    assert asyncio.run(read_through_a_dead_redis()) == ({old: counted}, 9)
    # A later copy of smaller running totals (Redis lost some) keeps the larger ones.
    add(InventoryCounts(requests=3))
    ray_client.get(sync.archive_inventory.remote(True), timeout=60)
    again = api.get("/inventory", params={"hours": 24 * 21}).json()["series"]
    assert [p["requests"] for p in again if datetime.fromisoformat(p["bucket"]) == old] == [123]


def test_a_year_of_inventory_day_by_day_from_the_archive_and_redis(
    stack: Stack, api: httpx.Client
) -> None:
    today = HOUR.replace(hour=0)
    long_ago = today - timedelta(days=200)  # far beyond Redis's 35 days: the archive alone
    execute_sql(
        stack,
        "INSERT INTO inventory_hourly (hour, requests, filled, house_only) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (hour) DO UPDATE SET requests = inventory_hourly.requests + $2,"
        " filled = inventory_hourly.filled + $3, house_only = inventory_hourly.house_only + $4",
        [(long_ago + timedelta(hours=3), 70, 60, 10), (long_ago + timedelta(hours=20), 30, 0, 0)],
    )

    def series(**params: int) -> list[dict[str, Any]]:
        answer = api.get("/inventory", params=params)
        assert answer.status_code == 200, answer.text
        points: list[dict[str, Any]] = answer.json()["series"]
        return points

    hours_today = series(hours=HOUR.hour + 1)  # read first: the counts only grow
    daily = series(days=201)
    assert len(daily) == 201
    assert [datetime.fromisoformat(p["bucket"]) for p in (daily[0], daily[-1])] == [long_ago, today]
    first = daily[0]  # 100 requests, 60 filled of which 10 with house ads only (and earlier runs')
    assert first["requests"] >= 100 and first["filled"] >= 60 and first["paid_filled"] >= 50
    # Today's day is the sum of today's hours (Redis's, merged with their archived copies).
    assert daily[-1]["requests"] >= sum(p["requests"] for p in hours_today)
    for bad in ({"days": 0}, {"days": 367}, {"days": 7, "hours": 24}):
        refused = api.get("/inventory", params=bad)
        assert refused.status_code == 422 and "days" in refused.text, refused.text
