"""How long reach takes to count (the performance report's query over every campaign, and one
campaign's), one campaign's split by platform and its player-error report, and the digest's
failing campaigns, on ``ad_events`` filled with synthetic device-keyed impressions from a few
hundred distinct User-Agents and error beacons for one ad in 47 (half of them after the ad's
impression).

    python -m bench.reach_query --events 1000000 --devices 100000 --campaigns 50

Uses ``DATABASE_URL`` when set (a scratch database: the script adds rows), else starts a private
PostgreSQL server in a temporary directory. The server inserts the events itself
(``generate_series``), spread over the last 7 days and their day partitions.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from ads.platform_report import platform_rows
from ads.player_errors import failing_campaigns, player_error_report
from bench.scratch_db import scratch_database
from storage.db import asyncpg_dsn, create_engine, session_factory
from storage.event_store import create_day_partition
from storage.stats import campaign_failures, impressions_by, player_errors, reach

_FILL = """
INSERT INTO ad_events (event_id, served_at, received_at, event_type, ad_serving_id,
                       campaign_id, device, user_agent)
SELECT 'bench-' || n || ':impression', t, t, 'impression', 'bench-' || n,
       ($3::uuid[])[1 + n % array_length($3::uuid[], 1)],
       lpad(to_hex(abs(hashint4(n)) % $4), 16, '0'),
       ($5::text[])[1 + abs(hashint4(n + 7)) % array_length($5::text[], 1)] || ' build/' || (n % 97)
FROM generate_series($1::int, $2::int) AS n,
     LATERAL (SELECT now() - (n % 604800) * interval '1 second' AS t) AS at
"""
_ERRORS = """
INSERT INTO ad_events (event_id, served_at, received_at, event_type, ad_serving_id,
                       campaign_id, error_code, user_agent)
SELECT ad || ':error', t, t, 'error', ad,
       ($3::uuid[])[1 + n % array_length($3::uuid[], 1)],
       (ARRAY[402, 405, 403, 401])[1 + n / 47 % 4],
       ($4::text[])[1 + abs(hashint4(n + 7)) % array_length($4::text[], 1)] || ' build/' || (n % 97)
FROM generate_series($1::int, $2::int) AS n,
     LATERAL (SELECT now() - (n % 604800) * interval '1 second' AS t,
                     CASE WHEN n / 47 % 2 = 0 THEN 'bench-' ELSE 'bench-lost-' END || n AS ad) AS at
WHERE n % 47 = 0
"""
"""Error beacons of every 47th ad (spread over the campaigns): of an ad shown (the impression
of the same ``bench-<n>``, so it came during playback) or of one that never played."""
_CAMPAIGNS = """
INSERT INTO campaigns (id, name, budget_total, cpm, start_date, end_date)
SELECT id, 'Bench ' || id, 1000, 10, now() - interval '8 days', now() + interval '8 days'
FROM unnest($1::uuid[]) AS id
"""
_STEP = 200_000
_AGENTS = [
    "Roku/DVP-12.5 (12.5.0.4142-AE)",
    "Mozilla/5.0 (Linux; Android 9; AFTKA Build/PS7624.3337N; wv)",
    "Mozilla/5.0 (SMART-TV; LINUX; Tizen 7.0) AppleWebKit/537.36",
    "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36",
    "AppleCoreMedia/1.0.0.21K69 (Apple TV; U; CPU OS 17_1 like Mac OS X; en_us)",
    "Mozilla/5.0 (Linux; Android 12; BRAVIA 4K VH2 Build/STT2.221011.001)",
]
"""Agents the synthetic impressions come from, each in 97 builds: 582 distinct agents."""


async def fill(url: str, *, events: int, devices: int, campaigns: list[uuid.UUID]) -> float:
    """Insert the synthetic impressions (a week of day partitions); the seconds it took."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        today = datetime.now(UTC).date()
        for back in range(8):
            await create_day_partition(conn, today - timedelta(days=back))
        started = time.perf_counter()
        await conn.execute(_CAMPAIGNS, campaigns)
        for first in range(1, events + 1, _STEP):
            last = min(first + _STEP - 1, events)
            await conn.execute(_FILL, first, last, campaigns, devices, _AGENTS)
            await conn.execute(_ERRORS, first, last, campaigns, _AGENTS)
            print(f"[reach_query] inserted {last:,} of {events:,} events", flush=True)
        await conn.execute("VACUUM ANALYZE ad_events")
        return time.perf_counter() - started
    finally:
        await conn.close()


Measure = Callable[[AsyncSession, datetime, datetime], Awaitable[int]]
"""One timed report query over ``[start, end)``: what it counted."""


async def timed(url: str, measure: Measure, *, rounds: int) -> tuple[float, int]:
    """Median seconds of ``measure`` over the last 7 days, and what it counted."""
    engine = create_engine(url, pool_size=1)
    end = datetime.now(UTC)
    times, counted = [], 0
    try:
        for _ in range(rounds):
            async with session_factory(engine)() as session:
                started = time.perf_counter()
                counted = await measure(session, end - timedelta(days=7), end)
                times.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return statistics.median(times), counted


def reach_of(campaign: uuid.UUID | None) -> Measure:
    """:func:`storage.stats.reach` (one campaign's, or all): the devices (summed over campaigns)."""

    async def measure(session: AsyncSession, start: datetime, end: datetime) -> int:
        found = await reach(session, start=start, end=end, campaign_id=campaign)
        assert found is not None  # no timeout asked for
        return sum(r.devices for r in found.values())

    return measure


def platforms_of(campaign: uuid.UUID) -> Measure:
    """One campaign's platform split (the query and the reading of its agents): the platforms."""

    async def measure(session: AsyncSession, start: datetime, end: datetime) -> int:
        read = await impressions_by(
            session, "user_agent", campaign_id=campaign, start=start, end=end
        )
        assert read is not None  # no timeout asked for
        return len(platform_rows(read[0], total=read[1]))

    return measure


def errors_of(campaign: uuid.UUID) -> Measure:
    """One campaign's player-error report (its two queries and the report): the errors."""

    async def measure(session: AsyncSession, start: datetime, end: datetime) -> int:
        read = await player_errors(session, campaign_id=campaign, start=start, end=end)
        report = player_error_report(
            campaign_id=campaign,
            start=start,
            end=end,
            impressions=0,
            read=read,
            creative_names={},
        )
        return report.errors

    return measure


async def failing(session: AsyncSession, start: datetime, end: datetime) -> int:
    """The digest's campaigns whose players failed (a day's errors of every campaign)."""
    return len(failing_campaigns(await campaign_failures(session, day=end.date())))


async def run(url: str, args: argparse.Namespace) -> None:
    campaigns = [uuid.uuid4() for _ in range(args.campaigns)]
    seconds = await fill(url, events=args.events, devices=args.devices, campaigns=campaigns)
    print(f"[reach_query] {args.events:,} events inserted in {seconds:.1f} s", flush=True)
    every, devices = await timed(url, reach_of(None), rounds=args.rounds)
    one, one_devices = await timed(url, reach_of(campaigns[0]), rounds=args.rounds)
    print(
        f"[reach_query] performance report (all {args.campaigns} campaigns, 7 days): "
        f"{every * 1000:,.0f} ms median of {args.rounds} ({devices:,} campaign-devices)\n"
        f"[reach_query] one campaign's stats (7 days): {one * 1000:,.0f} ms "
        f"({one_devices:,} devices)",
        flush=True,
    )
    split, platforms = await timed(url, platforms_of(campaigns[0]), rounds=args.rounds)
    print(
        f"[reach_query] one campaign's split by platform (7 days): {split * 1000:,.0f} ms "
        f"({platforms} platforms)",
        flush=True,
    )
    report, errors = await timed(url, errors_of(campaigns[0]), rounds=args.rounds)
    digest, named = await timed(url, failing, rounds=args.rounds)
    print(
        f"[reach_query] one campaign's player errors (7 days): {report * 1000:,.0f} ms "
        f"({errors:,} errors)\n"
        f"[reach_query] the digest's failing campaigns (today, every campaign): "
        f"{digest * 1000:,.0f} ms ({named} campaigns)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with scratch_database("reach_query") as url:
        asyncio.run(run(url, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
