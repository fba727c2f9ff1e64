"""Beacon ingest benchmark (a script, not a test): beacons/s through the serving app into the
Redis Stream, and beacon → PostgreSQL lag (``flushed_at - received_at`` of every stored event).

    python -m bench.beacons [--seconds 20] [--connections 32]

Starts a private stack, seeds campaigns, signs a distinct beacon URL for every request (six
events per ad, as a player fires them), drives them with wrk, waits until the ImpressionSinks
have flushed everything accepted, then reads the lag percentiles from PostgreSQL and writes a
section of bench/RESULTS.md."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from ads.tracking import BeaconSigner
from bench.seed import seed_campaigns, wait_served
from bench.stack import ADMIN_EMAIL, BenchStack, say
from storage.db import asyncpg_dsn

RESULTS = Path(__file__).with_name("RESULTS.md")
EVENTS = ("start", "firstQuartile", "midpoint", "thirdQuartile", "complete")
LUA = Path(__file__).with_name("wrk") / "beacons.lua"


def signed_paths(signer: BeaconSigner, campaigns: list[tuple[str, str]], count: int) -> list[str]:
    """``count`` distinct beacon paths: an impression and five quartile events per ad."""
    paths: list[str] = []
    served_at = int(time.time())
    while len(paths) < count:
        campaign_id, creative_id = campaigns[len(paths) % len(campaigns)]
        ad_serving_id = uuid.uuid4().hex
        for event in ("impression", *EVENTS):
            url = urlsplit(
                signer.url(
                    event,
                    ad_serving_id=ad_serving_id,
                    request_id="bench",
                    campaign_id=campaign_id,
                    creative_id=creative_id,
                    served_at=served_at,
                )
            )
            paths.append(f"{url.path}?{url.query}")
    return paths[:count]


async def stored(database_url: str) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM ad_events"))
    finally:
        await conn.close()


async def lag_percentiles(database_url: str) -> tuple[float, float, float]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        row = await conn.fetchrow(
            """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag),
                      percentile_cont(0.99) WITHIN GROUP (ORDER BY lag), max(lag)
               FROM (SELECT extract(epoch FROM flushed_at - received_at) AS lag
                     FROM ad_events) AS lags"""
        )
    finally:
        await conn.close()
    assert row is not None
    return float(row[0]), float(row[1]), float(row[2])


async def creatives_of(database_url: str, campaign_ids: list[str]) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await conn.fetch(
            "SELECT campaign_id::text, id::text FROM creatives WHERE campaign_id = ANY($1::uuid[])",
            [uuid.UUID(c) for c in campaign_ids],
        )
    finally:
        await conn.close()
    return [(r[0], r[1]) for r in rows]


def write_section(text: str) -> None:
    begin, end = "<!-- beacons:begin -->", "<!-- beacons:end -->"
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in current:
        current = re.sub(f"{begin}.*?{end}", lambda _: section, current, flags=re.S)
    else:
        current = current.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(current)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    command = "python -m bench.beacons " + " ".join(f"--{k} {v}" for k, v in vars(args).items())
    with BenchStack() as stack:
        stack.start_services()
        stack.start_ray({})
        assert stack.postgres is not None
        database_url = stack.postgres.url
        say("seeding 10 campaigns")
        seeded = seed_campaigns(
            admin_url=f"{stack.base_url}/api/v1/admin",
            database_url=database_url,
            email=ADMIN_EMAIL,
            password=stack.admin_password,
            count=10,
        )
        wait_served(stack.base_url, seeded)
        pairs = asyncio.run(creatives_of(database_url, [c.id for c in seeded]))
        signer = BeaconSigner(stack.base_env["TRACKING_SECRET"], base_url=stack.base_url)
        count = args.seconds * 8_000
        say(f"signing {count:,} distinct beacon URLs")
        paths = signed_paths(signer, pairs, count)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("\n".join(paths) + "\n")
            url_file = handle.name
        say(f"firing beacons with wrk for {args.seconds}s ({args.connections} connections)")
        started = time.monotonic()
        done = subprocess.run(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--latency",
                "-s",
                str(LUA),
                stack.base_url,
            ],
            env={**os.environ, "WRK_URLS": url_file, "WRK_THREADS": str(args.threads)},
            capture_output=True,
            text=True,
            check=True,
        )
        fired_for = time.monotonic() - started
        os.unlink(url_file)
        counts = re.search(r"BEACONS accepted=(\d+) refused=(\d+)", done.stdout)
        assert counts, done.stdout
        accepted, refused = int(counts[1]), int(counts[2])
        distinct = min(accepted, count)
        say(
            f"accepted {accepted:,} ({accepted / fired_for:,.0f}/s), refused {refused:,}; "
            "waiting for the sinks"
        )
        deadline = time.monotonic() + 120
        while (
            have := asyncio.run(stored(database_url))
        ) < distinct and time.monotonic() < deadline:
            say(f"  {have:,} of {distinct:,} in PostgreSQL")
            time.sleep(1)
        drained = time.monotonic() - started - fired_for
        p50, p99, worst = asyncio.run(lag_percentiles(database_url))
        latency = re.search(r"99%\s+(\S+)", done.stdout)
        text = (
            "## Beacon ingest (generated by `bench/beacons.py`)\n\n"
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: `{command}` — wrk with a distinct "
            f"signed URL per request (impression + 5 quartile events per ad), "
            f"load average at start {os.getloadavg()[0]:.1f}\n\n"
            "| beacons/s accepted | refused | stored in PostgreSQL | drain after load | "
            "lag p50 | lag p99 | lag max | wrk p99 |\n|---|---|---|---|---|---|---|---|\n"
            f"| {accepted / fired_for:,.0f} | {refused:,} | {have:,} of {distinct:,} | "
            f"{drained:.1f} s | {p50:.2f} s | {p99:.2f} s | {worst:.2f} s | "
            f"{latency[1] if latency else '?'} |\n\n"
            "Lag is `flushed_at - received_at` of every stored event (time in the Redis Stream "
            "plus the sink's batch and COPY). Every answered beacon was durably appended first.\n"
        )
        print(text)
        write_section(text)


if __name__ == "__main__":
    main()
