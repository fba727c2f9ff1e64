"""Raw-event retention on the real database: day partitions past EVENT_RETENTION_DAYS are
dropped (and old rows of the default partition and of the invalid events deleted) while recent
events and the rollups stay; sinks maintaining at the same moment do not collide. And invalid
beacons filed exactly once by a batch flushed twice."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import asyncpg
import httpx

from ads.events import row_from_fields, stream_fields
from ads.tracking import IMPRESSION, Beacon
from storage.db import asyncpg_dsn
from storage.event_store import flush_events, maintain_partitions, partition_name
from tests.integration.factories import draft_campaign
from tests.stack_fixtures import Stack

TODAY = datetime.now(UTC).date()
OLD_DAY = TODAY - timedelta(days=1000)
"""Gets a partition of its own in the test."""
OLDER_DAY = TODAY - timedelta(days=1001)
"""Has no partition: its rows land in ad_events_default."""


async def _insert(conn: asyncpg.Connection, day: date) -> str:
    event_id = f"retention-{uuid.uuid4().hex}"
    await conn.execute(
        "INSERT INTO ad_events (event_id, served_at, received_at, event_type, ad_serving_id) "
        "VALUES ($1, $2, $2, 'impression', $1)",
        event_id,
        datetime.combine(day, time(12), tzinfo=UTC),
    )
    return event_id


async def _exists(conn: asyncpg.Connection, event_id: str) -> bool:
    found = await conn.fetchval("SELECT count(*) FROM ad_events WHERE event_id = $1", event_id)
    return bool(found)


async def test_old_partitions_and_default_rows_go_recent_events_stay(stack: Stack) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:
        old_table = partition_name(OLD_DAY)
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {old_table} PARTITION OF ad_events "
            f"FOR VALUES FROM ('{OLD_DAY}') TO ('{OLD_DAY + timedelta(days=1)}')"
        )
        in_old_partition = await _insert(conn, OLD_DAY)
        in_default = await _insert(conn, OLDER_DAY)
        today = await _insert(conn, TODAY)
        assert await conn.fetchval(
            "SELECT count(*) FROM ad_events_default WHERE event_id = $1", in_default
        )

        done = await maintain_partitions(conn, today=TODAY, retention_days=500)

        assert set(done.dropped) <= {old_table}  # a stack sink may have got there first
        assert await conn.fetchval("SELECT to_regclass($1)", old_table) is None
        assert not await _exists(conn, in_old_partition)
        assert not await _exists(conn, in_default)
        assert await _exists(conn, today)
        for offset in range(1, 8):  # the week ahead is made (today's rows may be in default)
            name = partition_name(TODAY + timedelta(days=offset))
            assert await conn.fetchval("SELECT to_regclass($1)", name) is not None, name
    finally:
        await conn.close()


async def test_sinks_maintaining_at_once_do_not_collide(stack: Stack) -> None:
    days = [TODAY + timedelta(days=d) for d in (29, 30, 31)]  # beyond what the stack made
    conns = [await asyncpg.connect(asyncpg_dsn(stack.database_url)) for _ in range(3)]
    try:
        results = await asyncio.gather(
            *(
                maintain_partitions(c, today=days[1], retention_days=None, days_ahead=1)
                for c in conns
            )
        )
        for day in days:
            assert await conns[0].fetchval("SELECT to_regclass($1)", partition_name(day))
        assert sum(r.created for r in results) == len(days)  # each made once, no error
        assert all(r.dropped == [] and r.purged == 0 for r in results)
    finally:
        for day in days:
            await conns[0].execute(f"DROP TABLE IF EXISTS {partition_name(day)}")
        for c in conns:
            await c.close()


async def test_invalid_events_are_filed_once_and_purged_with_the_raw_events(
    stack: Stack, api: httpx.Client
) -> None:
    cid = uuid.UUID(draft_campaign(api, name="Invalid retention test", cpm=40))

    def beacon(day: date, ad_serving_id: str) -> Beacon:
        return Beacon(
            event=IMPRESSION,
            ad_serving_id=ad_serving_id,
            request_id="retention",
            campaign_id=str(cid),
            creative_id="",
            served_at=int(datetime.combine(day, time(12), tzinfo=UTC).timestamp()),
            event_id=f"{ad_serving_id}:impression",
        )

    viewer, old = beacon(TODAY, "f" * 32), beacon(OLDER_DAY, "e" * 32)
    entries = [
        (viewer, "robot", "1-0"),
        (viewer, "prefetch", "2-0"),
        (old, "robot", "3-0"),
        (viewer, None, "4-0"),
    ]
    rows = [
        row_from_fields(
            stream_fields(b, received_at_ms=b.served_at * 1000, user_agent="x", invalid=iv), entry
        )
        for b, iv, entry in entries
    ]
    stranger = replace(rows[0], event_id="other~1-0", campaign_id=uuid.uuid4())
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:
        first = await flush_events(conn, [*rows, stranger])
        again = await flush_events(conn, rows)  # a sink re-reading the batch after a crash
        assert (first.inserted, first.invalid, first.spend) == (1, 3, {cid: Decimal("0.04")})
        assert (again.inserted, again.invalid, again.spend) == (0, 0, {})
        filed = await conn.fetch(
            "SELECT reason, event_type FROM invalid_events WHERE campaign_id = $1 "
            "ORDER BY event_id",
            cid,
        )
        assert [tuple(r) for r in filed] == [("robot", "impression")] * 2 + [
            ("prefetch", "impression")
        ]
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM invalid_events WHERE event_id = $1", "other~1-0"
            )
            == 0
        )

        done = await maintain_partitions(conn, today=TODAY, retention_days=500)

        left = await conn.fetch("SELECT served_at FROM invalid_events WHERE campaign_id = $1", cid)
        assert len(left) == 2 and done.purged >= 1
        assert all(r["served_at"].date() == TODAY for r in left)
    finally:
        await conn.close()
