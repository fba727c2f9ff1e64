"""Frequency caps across real serving replicas and Redis: per device, shared, kept in Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace
from typing import Any

import httpx
import redis

from ads.frequency import FrequencyCap
from deployments.serving.frequency import FrequencyBook
from storage.exposures import RedisExposures
from storage.redis_client import connect
from tests.integration.factories import active_campaign, wait_served
from tests.integration.test_decisions import decision_counts
from tests.stack_fixtures import Stack, wait_until
from tests.unit.catalog_factories import campaign as campaign_numbered

DAY_CAP = FrequencyCap(max_ads=1, hours=24)


def fills(
    serving: httpx.Client,
    campaign_id: str,
    *,
    ifa: str | None,
    times: int,
    headers: dict[str, str] | None = None,
    **params: str,
) -> list[bool]:
    """Whether each of ``times`` campaign-tag requests (0.6 s apart: three flush intervals, so
    every replica heard of the serves before) got the ad."""
    query = {"campaign_id": campaign_id, **params} | ({"ifa": ifa} if ifa is not None else {})
    got = []
    for _ in range(times):
        answer = serving.get("/api/v1/vast", params=query, headers=headers)
        got.append(b"<InLine>" in answer.content)
        time.sleep(0.6)
    return got


def test_a_capped_campaign_reaches_each_device_at_most_as_often_as_its_cap(
    stack: Stack, api: httpx.Client, serving: httpx.Client, ray_client: Any
) -> None:
    cid = active_campaign(stack, api, frequency_cap_ads=2, frequency_cap_hours=24)
    wait_served(serving, cid)  # requests without a device: never capped
    before = decision_counts(ray_client).get(("vast", "capped"), 0)
    device = f"tv-{uuid.uuid4()}"
    got = fills(serving, cid, ifa=device, times=8)  # two replicas serve in turn
    assert got[:2] == [True, True] and not any(got[2:])
    # Operators see the requests a cap held back (counts reach Prometheus within seconds).
    wait_until(
        lambda: decision_counts(ray_client).get(("vast", "capped"), 0) - before >= 6,
        timeout=60,
        interval=1,
    )
    assert fills(serving, cid, ifa=f"tv-{uuid.uuid4()}", times=1) == [True]
    assert all(fills(serving, cid, ifa=None, times=3))
    # Limit ad tracking, and a macro the player left unfilled, are no device: not capped.
    assert all(fills(serving, cid, ifa="00000000-0000-0000-0000-000000000000", times=3))
    assert all(fills(serving, cid, ifa="[IFA]", times=3))
    # The JSON API counts the same device: it gets none of this campaign's ads any more.
    for number in range(20):
        answer = serving.post(
            "/api/v1/ad-request",
            json={"request_id": f"fc-{number}", "duration": 60, "device": {"ifa": device}},
        )
        assert answer.status_code == 204 or answer.json()["campaign_id"] != cid
    # The serves are kept in Redis, for replicas that start later (with the JSON requests'
    # serves of other tests' capped campaigns, if any).
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    key = f"{stack.redis_prefix}freq:{device}"
    members = [str(m) for m in client.zrange(key, 0, -1)]
    client.close()
    assert len([m for m in members if m.startswith(f"{cid}|")]) == 2


def test_a_household_cap_counts_every_screen_of_a_home(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(
        stack, api, frequency_cap_ads=1, frequency_cap_hours=24, frequency_cap_scope="household"
    )
    wait_served(serving, cid)  # from 127.0.0.1: an address no home is known by, never capped
    home = {"X-Device-IP": "81.2.69.160"}  # an ad-insertion server names the device's address
    assert fills(serving, cid, ifa=f"tv-{uuid.uuid4()}", times=1, headers=home) == [True]
    # The stick in the same living room, and a device that names no advertising id: capped.
    assert fills(serving, cid, ifa=f"stick-{uuid.uuid4()}", times=2, headers=home) == [False] * 2
    assert fills(serving, cid, ifa=None, times=1, ip="81.2.69.160") == [False]
    # The JSON API knows the home by OpenRTB's device.ip.
    for number in range(10):
        answer = serving.post(
            "/api/v1/ad-request",
            json={"request_id": f"hh-{number}", "duration": 60, "device": {"ip": "81.2.69.160"}},
        )
        assert answer.status_code == 204 or answer.json()["campaign_id"] != cid
    # Another home gets its ad; an IPv6 home is its /64 network.
    assert fills(serving, cid, ifa=None, times=1, ip="81.2.69.161") == [True]
    assert fills(serving, cid, ifa=None, times=1, ip="2a00:1450:4001:81b::1") == [True]
    assert fills(serving, cid, ifa=None, times=1, ip="2a00:1450:4001:81b::2") == [False]
    # Limit ad tracking keeps the address out of caps; shared and private addresses never count.
    assert all(fills(serving, cid, ifa=None, times=2, ip="81.2.69.160", lmt="1"))
    assert all(fills(serving, cid, ifa=None, times=2, ip="100.64.0.9"))
    assert all(fills(serving, cid, ifa=None, times=2, ip="192.168.1.20"))
    # Redis keeps a keyed hash of the home's network, never the address.
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    keys = [str(k) for k in client.scan_iter(f"{stack.redis_prefix}freq:hh:*")]
    client.close()
    assert keys and not any("81.2.69" in key or "2a00" in key for key in keys)
    check = api.get(f"/campaigns/{cid}/serving-check").json()["checks"]
    assert "At most 1 ads per household in 24 h." in {c["detail"] for c in check}


def test_a_cap_removed_through_the_api_stops_counting(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, frequency_cap_ads=1, frequency_cap_hours=1)
    wait_served(serving, cid)
    device = f"tv-{uuid.uuid4()}"
    assert fills(serving, cid, ifa=device, times=3) == [True, False, False]
    patch = {"frequency_cap_ads": None, "frequency_cap_hours": None}
    assert api.patch(f"/campaigns/{cid}", json=patch).status_code == 200
    wait_until(lambda: all(fills(serving, cid, ifa=device, times=2)), timeout=5)


def test_replicas_share_serves_and_a_starting_one_reads_them(stack: Stack) -> None:
    async def run() -> tuple[bool, bool]:
        first_redis, second_redis, late_redis = (connect(stack.redis_url) for _ in range(3))
        prefix = f"{stack.redis_prefix}book-{uuid.uuid4().hex[:6]}:"

        def book(client: object) -> FrequencyBook:
            store = RedisExposures(client, prefix=prefix)  # type: ignore[arg-type]
            return FrequencyBook(client, store, flush_seconds=0.05, max_devices=1000)  # type: ignore[arg-type]

        first, second = book(first_redis), book(second_redis)
        await first.start()
        await second.start()
        await asyncio.sleep(0.2)  # both subscribed
        campaign = replace(campaign_numbered(1), frequency_cap=DAY_CAP)
        first.served("tv-9", campaign, time.time(), "ad-1")
        heard = False
        for _ in range(40):
            await asyncio.sleep(0.05)
            if not second.allows("tv-9", campaign, time.time()):
                heard = True
                break
        late = book(late_redis)
        await late.start()  # reads the recently served devices before serving
        warmed = not late.allows("tv-9", campaign, time.time())
        for each in (first, second, late):
            await each.close()
        for client in (first_redis, second_redis, late_redis):
            await client.aclose()
        return heard, warmed

    heard, warmed = asyncio.run(run())
    assert heard, "the other replica never heard of the serve"
    assert warmed, "a starting replica did not read the shared serves"


def test_after_redis_comes_back_every_known_device_is_read_again(stack: Stack) -> None:
    client = connect(stack.redis_url)
    book = FrequencyBook(client, RedisExposures(client, prefix="x:"), max_devices=1000)
    campaign = replace(campaign_numbered(1), frequency_cap=DAY_CAP)
    book.served("tv-00000001", campaign, time.time(), "ad-1")
    book.on_subscribed()  # the first subscription: nothing was missed
    assert book._take_loads() == []
    book.on_subscribed()  # subscribed again after losing Redis
    assert book._take_loads() == ["tv-00000001"]
    asyncio.run(client.aclose())
