"""How fast a day of log-level data streams out (``GET /campaigns/{id}/events``: the storage
cursor and the CSV rows, without HTTP), and how much memory it takes, on ``ad_events`` holding
one campaign's synthetic beacons of one served day (six events per ad, a few other campaigns'
beside them).

    python -m bench.event_log_export --events 1000000

Uses ``DATABASE_URL`` when set (a scratch database: the script adds rows), else starts a private
PostgreSQL server in a temporary directory. The server inserts the events itself
(``generate_series``).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time

import asyncpg

from ads import event_log
from bench.scratch_db import scratch_database
from storage.db import asyncpg_dsn, create_engine, session_factory
from storage.event_log import day_events
from storage.event_store import create_day_partition

_FILL = """
INSERT INTO ad_events (event_id, served_at, received_at, event_type, ad_serving_id, request_id,
                       campaign_id, creative_id, cost, place, user_agent)
SELECT md5(n::text) || ':' || e, t, t + interval '3 seconds', e, md5(n::text), 'req-' || n,
       CASE WHEN n % 4 = 0 THEN $4::uuid ELSE $3::uuid END, $5::uuid,
       CASE WHEN e = 'impression' THEN 0.0125 ELSE 0 END, 'US-CA',
       'Roku/DVP-12.5 (12.5.0.4142-AE) build/' || (n % 97)
FROM generate_series($1::int, $2::int) AS n,
     LATERAL (SELECT $6::timestamptz + (n / 6 % 86400) * interval '1 second' AS t,
              (ARRAY['impression', 'start', 'firstQuartile', 'midpoint', 'thirdQuartile',
                     'complete'])[1 + n % 6] AS e) AS x
"""
_STEP = 200_000
_PROGRESS = 250_000


async def fill(url: str, *, events: int, campaign: uuid.UUID, day: date) -> None:
    """Insert ``events`` beacons of ``day``, three in four of them ``campaign``'s."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await create_day_partition(conn, day)
        midnight = datetime.combine(day, day_time.min, tzinfo=UTC)
        other, creative = uuid.uuid4(), uuid.uuid4()
        for first in range(1, events + 1, _STEP):
            last = min(first + _STEP - 1, events)
            await conn.execute(_FILL, first, last, campaign, other, creative, midnight)
            print(f"[event_log_export] inserted {last:,} of {events:,} events", flush=True)
        await conn.execute("VACUUM ANALYZE ad_events")
    finally:
        await conn.close()


async def export(url: str, campaign: uuid.UUID, day: date) -> tuple[int, int, float]:
    """Rows and CSV bytes of the day's export, and the seconds it took."""
    engine = create_engine(url, pool_size=1)
    rows, size = 0, len(event_log.header())
    try:
        async with session_factory(engine)() as session:
            started, shown = time.perf_counter(), 0
            async for batch in day_events(session, campaign, day):
                rows += len(batch)
                size += len(event_log.rows(batch).encode())
                if rows - shown >= _PROGRESS:
                    print(f"[event_log_export] exported {rows:,} rows", flush=True)
                    shown = rows
            return rows, size, time.perf_counter() - started
    finally:
        await engine.dispose()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(url: str, events: int) -> None:
    campaign, day = uuid.uuid4(), datetime.now(UTC).date() - timedelta(days=1)
    await fill(url, events=events, campaign=campaign, day=day)
    before = _peak_rss_mb()
    rows, size, seconds = await export(url, campaign, day)
    print(
        f"[event_log_export] one campaign's day: {rows:,} rows, {size / 1e6:,.1f} MB of CSV in "
        f"{seconds:.1f} s ({rows / seconds:,.0f} rows/s, {size / 1e6 / seconds:.1f} MB/s); "
        f"peak memory {before:.0f} MB before the export, {_peak_rss_mb():.0f} MB after",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with scratch_database("event_log_export") as url:
        asyncio.run(run(url, args.events))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
