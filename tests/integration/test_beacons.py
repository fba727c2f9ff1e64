"""Beacons end to end: signed URLs from a real VAST response → serving app → Redis Stream →
ImpressionSink → PostgreSQL, counted exactly once under replays, forgeries and faults."""

from __future__ import annotations

import asyncio
import ipaddress
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import asyncpg
import httpx
import pytest

from actors.impression_sink import NAMESPACE, SINK_NAME
from storage.db import asyncpg_dsn
from tests.integration.factories import active_campaign, ad_urls, fire, wait_served
from tests.stack_fixtures import EXCLUDED_NETWORK, Stack, wait_until

COUNTERS = (
    "impressions",
    "starts",
    "first_quartiles",
    "midpoints",
    "third_quartiles",
    "completes",
    "clicks",
    "errors",
    "skips",
)
QUARTILES = ("start", "firstQuartile", "midpoint", "thirdQuartile", "complete")


def stats(stack: Stack, campaign_id: str) -> dict[str, Any]:
    async def fetch() -> dict[str, Any]:
        conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
        try:
            cid = uuid.UUID(campaign_id)
            hourly = await conn.fetchrow(
                f"SELECT {', '.join(f'coalesce(sum({c}), 0) AS {c}' for c in COUNTERS)},"
                " coalesce(sum(spend), 0) AS spend"
                " FROM campaign_hourly_stats WHERE campaign_id = $1",
                cid,
            )
            daily = await conn.fetchval(
                "SELECT coalesce(sum(impressions), 0)"
                " FROM campaign_daily_stats WHERE campaign_id = $1",
                cid,
            )
            events = await conn.fetchval(
                "SELECT count(*) FROM ad_events WHERE campaign_id = $1", cid
            )
            spent = await conn.fetchval("SELECT budget_spent FROM campaigns WHERE id = $1", cid)
        finally:
            await conn.close()
        assert hourly is not None
        return {**dict(hourly), "daily_impressions": daily, "events": events, "budget_spent": spent}

    return asyncio.run(fetch())


def wait_for_impressions(
    stack: Stack, campaign_id: str, expected: int, *, timeout: float
) -> dict[str, Any]:
    wait_until(
        lambda: stats(stack, campaign_id)["impressions"] >= expected, timeout=timeout, interval=0.2
    )
    time.sleep(1.0)  # anything extra (a double count) would land by now
    return stats(stack, campaign_id)


def test_every_beacon_of_an_ad_is_counted_exactly(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, cpm=40)
    wait_served(serving, cid)
    urls = ad_urls(serving, cid)
    answers = {event: fire(serving, url) for event, url in urls.items()}
    assert answers["impression"].status_code == 200
    assert answers["impression"].headers["content-type"] == "image/gif"
    assert answers["click"].status_code == 302
    assert all(a.status_code in (200, 302) for a in answers.values()), {
        e: a.status_code for e, a in answers.items()
    }
    result = wait_for_impressions(stack, cid, 1, timeout=10)
    assert {c: result[c] for c in COUNTERS} == dict.fromkeys(COUNTERS, 1)
    assert result["spend"] == Decimal("0.04")
    assert result["budget_spent"] == Decimal("0.04")
    assert result["daily_impressions"] == 1
    assert result["events"] == len(urls)


def test_reach_counts_each_named_device_once(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, name="Reach test")
    wait_served(serving, cid)
    lat = "00000000-0000-0000-0000-000000000000"  # limit ad tracking: no device
    devices = ["ctv-device-a", "ctv-device-a", "ctv-device-a", "ctv-device-b", None, lat, "[IFA]"]
    served = [ad_urls(serving, cid, **({"ifa": d} if d else {})) for d in devices]
    keys = [dict(parse_qsl(urlsplit(urls["impression"]).query)).get("d") for urls in served]
    assert keys[0] == keys[1] == keys[2] and keys[3] not in (None, keys[0])
    assert keys[4:] == [None, None, None] and "ctv-device" not in served[0]["impression"]
    for urls in served:
        assert fire(serving, urls["impression"]).status_code == 200
    assert fire(serving, served[0]["impression"]).status_code == 200  # a replay adds nothing
    wait_for_impressions(stack, cid, len(devices), timeout=10)

    totals = api.get(f"/campaigns/{cid}/stats").json()["totals"]
    assert (totals["impressions"], totals["reach"], totals["frequency"]) == (7, 2, 2.0)
    rows = api.get("/reports/performance").json()["rows"]
    (row,) = [r for r in rows if r["campaign_id"] == cid]
    assert (row["impressions"], row["reach"], row["frequency"]) == (7, 2, 2.0)


def test_impressions_are_split_by_the_platform_their_beacons_came_from(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, name="Platforms test")
    wait_served(serving, cid)
    agents = {
        "Roku/DVP-12.5 (12.5.0.4142-AE)": 2,
        "Roku/DVP-11.0 (11.0.0.4193-46)": 1,
        "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36": 1,
        "curl/8.5.0": 1,
    }
    for agent, count in agents.items():
        for _ in range(count):
            impression = ad_urls(serving, cid)["impression"]
            fired = serving.get(impression, headers={"User-Agent": agent})
            assert fired.status_code == 200
    wait_for_impressions(stack, cid, 5, timeout=10)

    report = api.get(f"/campaigns/{cid}/platforms")
    assert report.status_code == 200, report.text
    split = report.json()
    assert split["impressions"] == 5 and {"from", "to"} <= split.keys()
    assert [(r["platform"], r["label"], r["impressions"], r["share"]) for r in split["rows"]] == [
        ("roku", "Roku", 3, 0.6),
        ("lg_tv", "LG TV (webOS)", 1, 0.2),
        (None, "Unknown device", 1, 0.2),
    ]
    before = api.get(f"/campaigns/{cid}/platforms", params={"to": "2026-01-01"}).json()
    assert (before["impressions"], before["rows"]) == (0, [])


def test_player_errors_are_reported_by_code_creative_and_platform(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, name="Player errors test")
    wait_served(serving, cid)
    roku = "Roku/DVP-12.5 (12.5.0.4142-AE)"
    webos = "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36"

    def error(urls: dict[str, str], code: str, agent: str) -> None:
        url = urls["error"].replace("[ERRORCODE]", code)
        assert serving.get(url, headers={"User-Agent": agent}).status_code == 200

    played = [ad_urls(serving, cid) for _ in range(2)]
    for urls in played:
        assert serving.get(urls["impression"], headers={"User-Agent": roku}).status_code == 200
    error(played[0], "405", roku)  # stopped during playback
    for code, agent in [("403", webos), ("403", webos), ("402", roku)]:
        error(ad_urls(serving, cid), code, agent)  # never played
    error(ad_urls(serving, cid), "[ERRORCODE]", webos)  # the player left the macro
    wait_until(lambda: stats(stack, cid)["errors"] >= 5, timeout=10, interval=0.2)

    report = api.get(f"/campaigns/{cid}/player-errors")
    assert report.status_code == 200, report.text
    got = report.json()
    # 5 errors; 4 ads never played against 2 impressions: 4 of the 6 ads tried failed.
    assert (got["impressions"], got["errors"], got["before_play"]) == (2, 5, 4)
    assert got["failure_rate"] == 0.6667
    codes = [(r["code"], r["errors"], r["before_play"]) for r in got["codes"]]
    assert codes == [(403, 2, 2), (402, 1, 1), (405, 1, 0), (None, 1, 1)]
    assert got["codes"][0]["meaning"] == "No video file the player can play"
    (creative,) = got["creatives"]
    assert (creative["errors"], creative["before_play"], creative["top_code"]) == (5, 4, 403)
    assert creative["name"] is not None
    platforms = [(r["label"], r["errors"], r["top_code"]) for r in got["platforms"]]
    assert platforms == [("LG TV (webOS)", 3, 403), ("Roku", 2, 402)]
    before = api.get(f"/campaigns/{cid}/player-errors", params={"to": "2026-01-01"}).json()
    assert (before["errors"], before["codes"]) == (0, [])
    check = api.get(f"/campaigns/{cid}/serving-check").json()
    (failing,) = [c for c in check["checks"] if c["key"] == "player_errors"]
    assert failing["verdict"] == "limited"
    assert "66.7% of the ads players tried to play failed before they played" in failing["detail"]
    assert "Most errors are 403: No video file the player can play." in failing["detail"]


def test_impressions_are_split_by_the_place_the_edge_located_their_beacons_in(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, name="Places test")
    wait_served(serving, cid)
    # The test stack trusts CloudFront's geo headers (GEO_COUNTRY_HEADER, GEO_REGION_HEADER).
    located = [
        {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CA"},
        {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CA"},
        {"CloudFront-Viewer-Country": "US"},
        {"CloudFront-Viewer-Country": "DE", "CloudFront-Viewer-Country-Region": "BE"},
        {"CloudFront-Viewer-Country": "XX"},  # not a country: no place
        {"CF-IPCountry": "FR"},  # a header this server was not told to trust
    ]
    for headers in located:
        assert serving.get(ad_urls(serving, cid)["impression"], headers=headers).status_code == 200
    # A place the ad request stated rides signed on the beacons and wins over the edge's.
    stated = ad_urls(serving, cid, country="CAN", region="QC")["impression"]
    assert dict(parse_qsl(urlsplit(stated).query))["g"] == "CA-QC"
    assert serving.get(stated, headers=located[0]).status_code == 200
    wait_for_impressions(stack, cid, len(located) + 1, timeout=10)

    report = api.get(f"/campaigns/{cid}/places")
    assert report.status_code == 200, report.text
    split = report.json()
    assert split["impressions"] == 7 and {"from", "to"} <= split.keys()
    rows = [(r["country"], r["label"], r["impressions"], r["share"]) for r in split["rows"]]
    assert rows == [
        ("US", "United States", 3, 0.4286),
        ("CA", "Canada", 1, 0.1429),
        ("DE", "Germany", 1, 0.1429),
        (None, "Unknown place", 2, 0.2857),
    ]
    regions = [[(g["region"], g["impressions"]) for g in r["regions"]] for r in split["rows"]]
    assert regions == [[("US-CA", 2)], [("CA-QC", 1)], [("DE-BE", 1)], []]
    assert api.get(f"/campaigns/{uuid.uuid4()}/places").status_code == 404


def test_robots_and_prefetches_are_filed_as_invalid_and_the_viewer_still_counts(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, name="Invalid traffic test", cpm=40)
    wait_served(serving, cid)
    urls = ad_urls(serving, cid)
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    robot = {"User-Agent": googlebot}
    # A robot fetches the ad's impression twice and its quartile; a browser prefetches the
    # impression; an insertion server fires it for a robot it forwards (X-Device-User-Agent).
    for headers in (robot, robot, {"Sec-Purpose": "prefetch"}, {"X-Device-User-Agent": googlebot}):
        answer = serving.get(urls["impression"], headers=headers)
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/gif"
    assert serving.get(urls["midpoint"], headers=robot).status_code == 200
    assert serving.get(urls["click"], headers=robot).status_code == 302
    # Then the viewer's player fires the same URLs: counted, and billed, once.
    roku = {"User-Agent": "Roku/DVP-12.5 (12.5.0.4142-AE)"}
    assert serving.get(urls["impression"], headers=roku).status_code == 200
    assert serving.get(urls["midpoint"], headers=roku).status_code == 200
    result = wait_for_impressions(stack, cid, 1, timeout=10)
    assert (result["impressions"], result["midpoints"], result["clicks"]) == (1, 1, 0)
    assert result["budget_spent"] == Decimal("0.04") and result["events"] == 2

    def report() -> dict[str, Any]:
        answer = api.get(f"/campaigns/{cid}/invalid-traffic")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    wait_until(lambda: report()["invalid_events"] == 6, timeout=10, interval=0.2)
    filed = report()
    assert (filed["impressions"], filed["invalid_impressions"]) == (1, 4)
    assert filed["invalid_share"] == 0.8 and {"from", "to"} <= filed.keys()
    assert [(r["reason"], r["impressions"], r["events"]) for r in filed["reasons"]] == [
        ("robot", 3, 5),
        ("prefetch", 1, 1),
    ]
    # Five from Googlebot: the forwarded device's agent is the one recorded, not the
    # insertion server's own; the prefetch came with the test client's.
    assert filed["agents"][0] == {"user_agent": googlebot, "events": 5}
    assert "python-httpx" in str(filed["agents"][1]["user_agent"])
    platforms = api.get(f"/campaigns/{cid}/platforms").json()
    assert [(r["platform"], r["impressions"]) for r in platforms["rows"]] == [("roku", 1)]
    (row,) = [r for r in api.get("/reports/performance").json()["rows"] if r["campaign_id"] == cid]
    assert (row["impressions"], row["invalid_impressions"]) == (1, 4)
    csv = api.get("/reports/performance", params={"format": "csv"}).text.splitlines()
    assert csv[0].endswith(",invalid_impressions")
    assert next(line for line in csv if line.startswith(cid)).endswith(",4")
    assert api.get(f"/campaigns/{uuid.uuid4()}/invalid-traffic").status_code == 404


def test_beacons_from_excluded_networks_are_filed_as_invalid(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, name="Excluded network test", cpm=40)
    wait_served(serving, cid)
    urls = ad_urls(serving, cid)
    inside = str(ipaddress.ip_network(EXCLUDED_NETWORK)[7])
    # The ingress in front of the replicas is a trusted proxy: the address it was handed on
    # is the device's; an ad-insertion server names the device in X-Device-IP.
    for headers in ({"X-Forwarded-For": inside}, {"X-Device-IP": inside}):
        assert serving.get(urls["impression"], headers=headers).status_code == 200
    assert serving.get(urls["complete"], headers={"X-Forwarded-For": inside}).status_code == 200
    # A device outside cannot get itself excluded by writing an address in front of its own.
    viewer = {"X-Forwarded-For": f"{inside}, 203.0.113.9"}
    assert serving.get(urls["impression"], headers=viewer).status_code == 200
    result = wait_for_impressions(stack, cid, 1, timeout=10)
    assert (result["impressions"], result["completes"], result["events"]) == (1, 0, 1)

    def filed() -> dict[str, Any]:
        body: dict[str, Any] = api.get(f"/campaigns/{cid}/invalid-traffic").json()
        return body

    wait_until(lambda: filed()["invalid_events"] == 3, timeout=10, interval=0.2)
    assert [
        (r["reason"], r["label"], r["impressions"], r["events"]) for r in filed()["reasons"]
    ] == [("network", "Excluded networks", 2, 3)]


def test_replays_count_once(stack: Stack, api: httpx.Client, serving: httpx.Client) -> None:
    cid = active_campaign(stack, api)
    wait_served(serving, cid)
    ads = [ad_urls(serving, cid) for _ in range(3)]
    for _ in range(4):
        for urls in ads:
            assert fire(serving, urls["impression"]).status_code == 200
            assert fire(serving, urls["complete"]).status_code == 200
    result = wait_for_impressions(stack, cid, 3, timeout=10)
    assert (result["impressions"], result["completes"], result["events"]) == (3, 3, 6)


def test_forged_and_tampered_beacons_are_refused_and_not_counted(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api)
    other = active_campaign(stack, api)
    wait_served(serving, cid)
    url = ad_urls(serving, cid)["impression"]
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))

    def with_params(**changes: str) -> str:
        return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode({**params, **changes})}"

    cases = {
        "other campaign": (with_params(c=other), 403),
        "bad signature": (with_params(s="A" * 22), 403),
        "no signature": (url.split("&s=")[0], 403),
        "event swapped": (with_params(event="complete"), 403),
        "unknown event": (with_params(event="launch"), 422),
        "garbage time": (with_params(t="yesterday"), 422),
    }
    for name, (forged, status) in cases.items():
        answer = serving.get(forged)
        assert answer.status_code == status, (name, answer.text)
        assert answer.json()["error"]["code"], name
    misrouted = serving.get(url.replace("/api/v1/impression", "/api/v1/track"))
    assert misrouted.status_code == 422
    assert fire(serving, url).status_code == 200
    result = wait_for_impressions(stack, cid, 1, timeout=10)
    assert result["impressions"] == 1 and result["events"] == 1
    assert stats(stack, other)["events"] == 0


def test_click_redirects_only_to_the_campaign_url(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, click_through_url="https://brand.example/landing?q=1")
    wait_served(serving, cid)
    click = ad_urls(serving, cid)["click"]
    answer = serving.get(click + "&url=https://evil.example/&redirect=https://evil.example/")
    assert answer.status_code == 302
    assert answer.headers["location"] == "https://brand.example/landing?q=1"


def _fire_many(urls: Iterable[str], failures: list[str]) -> None:
    """Fire each URL, retrying 503 (spill full) and connection errors for a while."""
    with httpx.Client(timeout=30) as client:
        for url in urls:
            for attempt in range(50):
                try:
                    answer = client.get(url)
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                    time.sleep(0.1)
                    continue
                if answer.status_code == 200:
                    break
                if answer.status_code != 503 or attempt == 49:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                    break
                time.sleep(0.1)


def impression_urls(stack: Stack, cid: str, count: int) -> Iterator[str]:
    """Impression URLs of ``count`` ads served one at a time, each fired right after."""
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        for _ in range(count):
            yield ad_urls(client, cid)["impression"]


def test_killing_a_sink_mid_stream_loses_and_doubles_nothing(
    stack: Stack, api: httpx.Client, serving: httpx.Client, ray_client: Any
) -> None:
    cid = active_campaign(stack, api)
    wait_served(serving, cid)
    urls = impression_urls(stack, cid, 600)
    failures: list[str] = []
    firing = threading.Thread(target=_fire_many, args=(urls, failures))
    firing.start()
    time.sleep(0.3)
    sink = ray_client.get_actor(SINK_NAME.format(0), namespace=NAMESPACE)
    ray_client.kill(sink, no_restart=False)
    firing.join(timeout=120)
    assert failures == []
    result = wait_for_impressions(stack, cid, 600, timeout=60)
    assert result["impressions"] == 600 and result["events"] == 600


def test_postgres_down_for_ten_seconds_under_load_loses_nothing(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    if stack.postgres is None:
        pytest.skip("PostgreSQL is external (DATABASE_URL): the test will not stop a shared server")
    cid = active_campaign(stack, api)
    wait_served(serving, cid)
    urls = impression_urls(stack, cid, 400)
    failures: list[str] = []
    firing = threading.Thread(target=_fire_many, args=(urls, failures))
    firing.start()
    stack.postgres.stop()
    try:
        time.sleep(10)
    finally:
        stack.postgres.start()
    firing.join(timeout=120)
    assert failures == []
    result = wait_for_impressions(stack, cid, 400, timeout=60)
    assert result["impressions"] == 400 and result["events"] == 400


def test_redis_restart_keeps_acknowledged_beacons(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    if stack.redis is None:
        pytest.skip("Redis is external (REDIS_URL): the test will not restart a shared server")
    cid = active_campaign(stack, api)
    wait_served(serving, cid)
    during = list(impression_urls(stack, cid, 100))
    failures: list[str] = []
    _fire_many(impression_urls(stack, cid, 100), failures)
    stack.redis.stop()
    try:
        _fire_many(during, failures)  # acknowledged from the replica's spill
    finally:
        stack.redis.start()
    assert failures == []
    result = wait_for_impressions(stack, cid, 200, timeout=60)
    assert result["impressions"] == 200 and result["events"] == 200
