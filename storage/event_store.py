"""Writing beacon batches to PostgreSQL: COPY into a staging table, then one statement that
inserts the new events (duplicates skipped by the ``(event_id, served_at)`` key), adds them to
the campaigns' hourly and daily rollups, the creatives' daily rollup and to
``campaigns.budget_spent``, and files invalid traffic in ``invalid_events`` — all in one
transaction. And the day partitions of ``ad_events``: created ahead, dropped once past the
raw-event retention (invalid events with them)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import asyncpg

from ads.events import EventRow

_COLUMNS = [f.name for f in fields(EventRow)]
_EVENT_COLUMNS = ", ".join(c for c in _COLUMNS if c != "invalid")
_INVALID_COLUMNS = (
    "event_id, served_at, received_at, event_type, campaign_id, creative_id, user_agent, place"
)

_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS staged_events (
    event_id text, served_at timestamptz, received_at timestamptz, event_type text,
    ad_serving_id text, request_id text, campaign_id uuid, creative_id uuid,
    error_code smallint, user_agent text, device text, place text, invalid text
) ON COMMIT DELETE ROWS
"""

_COUNTERS = {
    "impressions": "impression",
    "starts": "start",
    "first_quartiles": "firstQuartile",
    "midpoints": "midpoint",
    "third_quartiles": "thirdQuartile",
    "completes": "complete",
    "clicks": "click",
    "errors": "error",
    "skips": "skip",
}
_AGG = ",\n".join(
    f"count(*) FILTER (WHERE event_type = '{event}') AS {column}"
    for column, event in _COUNTERS.items()
)
_SUMS = ", ".join(f"sum({c})" for c in _COUNTERS)
_NAMES = ", ".join(_COUNTERS)
_UPDATES = ", ".join(f"{c} = s.{c} + excluded.{c}" for c in [*_COUNTERS, "spend"])

# Only the constants above are interpolated into this statement.
_FLUSH = f"""
WITH fresh AS (
    SELECT DISTINCT ON (event_id, served_at) * FROM staged_events WHERE invalid IS NULL
    ORDER BY event_id, served_at
), inserted AS (
    INSERT INTO ad_events AS e ({_EVENT_COLUMNS}, cost)
    SELECT {_EVENT_COLUMNS},
           CASE WHEN f.event_type = 'impression' THEN coalesce(c.cpm, 0) / 1000 ELSE 0 END
    FROM fresh f LEFT JOIN (SELECT id, cpm FROM campaigns) c ON c.id = f.campaign_id
    ON CONFLICT (event_id, served_at) DO NOTHING
    RETURNING campaign_id, creative_id, event_type, received_at, cost
), hourly AS (
    SELECT i.campaign_id, date_trunc('hour', i.received_at, 'UTC') AS hour, {_AGG},
           sum(i.cost) AS spend
    FROM inserted i JOIN campaigns c ON c.id = i.campaign_id
    GROUP BY 1, 2
), upsert_hourly AS (
    INSERT INTO campaign_hourly_stats AS s (campaign_id, hour, {_NAMES}, spend)
    SELECT * FROM hourly
    ON CONFLICT (campaign_id, hour) DO UPDATE SET {_UPDATES}
), upsert_daily AS (
    INSERT INTO campaign_daily_stats AS s (campaign_id, day, {_NAMES}, spend)
    SELECT campaign_id, (hour AT TIME ZONE 'UTC')::date, {_SUMS}, sum(spend)
    FROM hourly GROUP BY 1, 2
    ON CONFLICT (campaign_id, day) DO UPDATE SET {_UPDATES}
), upsert_creatives AS (
    INSERT INTO creative_daily_stats AS s (campaign_id, creative_id, day, {_NAMES}, spend)
    SELECT i.campaign_id, i.creative_id, (i.received_at AT TIME ZONE 'UTC')::date, {_AGG},
           sum(i.cost)
    FROM inserted i JOIN campaigns c ON c.id = i.campaign_id
    WHERE i.creative_id IS NOT NULL
    GROUP BY 1, 2, 3
    ON CONFLICT (campaign_id, creative_id, day) DO UPDATE SET {_UPDATES}
), spent AS (
    UPDATE campaigns c SET budget_spent = c.budget_spent + h.spend
    FROM (SELECT campaign_id, sum(spend) AS spend FROM hourly GROUP BY 1) h
    WHERE c.id = h.campaign_id AND h.spend > 0
    RETURNING c.id, h.spend
), flagged AS (
    INSERT INTO invalid_events ({_INVALID_COLUMNS}, reason)
    SELECT DISTINCT ON (s.event_id) {_INVALID_COLUMNS}, s.invalid
    FROM staged_events s JOIN (SELECT id FROM campaigns) c ON c.id = s.campaign_id
    WHERE s.invalid IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM inserted) AS inserted,
       (SELECT count(*) FROM flagged) AS invalid,
       coalesce((SELECT json_agg(json_build_array(id, spend)) FROM spent), '[]') AS spend
"""  # noqa: S608


@dataclass(frozen=True, slots=True)
class FlushResult:
    """What one batch changed: how many events were new, how many invalid ones were filed, and
    the spend added per campaign."""

    inserted: int
    spend: dict[uuid.UUID, Decimal]
    invalid: int = 0


async def flush_events(conn: asyncpg.Connection, rows: Sequence[EventRow]) -> FlushResult:
    """Write ``rows`` exactly once; the caller acknowledges the batch after this returns."""
    async with conn.transaction():
        await conn.execute(_STAGING)
        await conn.copy_records_to_table(
            "staged_events", records=[astuple(r) for r in rows], columns=_COLUMNS
        )
        record = await conn.fetchrow(_FLUSH)
    assert record is not None
    pairs: list[list[str]] = json.loads(record["spend"])
    spend = {uuid.UUID(cid): Decimal(str(value)) for cid, value in pairs}
    return FlushResult(
        inserted=int(record["inserted"]), spend=spend, invalid=int(record["invalid"])
    )


_PARTITION = re.compile(r"ad_events_(\d{8})")
_PURGES = (
    "DELETE FROM ad_events_default WHERE served_at < $1",
    "DELETE FROM invalid_events WHERE served_at < $1",
)
_MAINTENANCE_LOCK = 0x63747650  # pg_advisory_xact_lock key: one sink maintains at a time


def partition_name(day: date) -> str:
    """The ``ad_events`` partition holding the events served on ``day`` (UTC)."""
    return f"ad_events_{day:%Y%m%d}"


def expired_partitions(names: Iterable[str], *, cutoff: date) -> list[str]:
    """The day partitions among ``names`` whose whole day lies before ``cutoff``."""
    expired = []
    for name in names:
        match = _PARTITION.fullmatch(name)
        if match and datetime.strptime(match[1], "%Y%m%d").date() < cutoff:
            expired.append(name)
    return sorted(expired)


async def create_day_partition(conn: asyncpg.Connection, day: date) -> None:
    """Create the partition of ``day`` unless it exists; ``CheckViolationError`` when the
    default partition already holds rows of that day."""
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    await conn.execute(
        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF ad_events "
        f"FOR VALUES FROM ('{start}') TO ('{end}')"
    )


@dataclass(frozen=True, slots=True)
class Maintenance:
    """What one :func:`maintain_partitions` round did."""

    created: int
    dropped: list[str]
    purged: int
    """Rows older than the retention deleted from the default partition and from
    ``invalid_events``."""


async def maintain_partitions(
    conn: asyncpg.Connection,
    *,
    today: date,
    retention_days: int | None,
    days_ahead: int = 7,
) -> Maintenance:
    """Create the ``ad_events`` day partitions from yesterday to ``days_ahead`` (days already
    holding rows in the default partition are left to it) and, with ``retention_days``, drop the
    raw events of days before ``today - retention_days`` (the rollups keep their counts). One
    transaction under an advisory lock, so sinks doing it at once do not collide."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MAINTENANCE_LOCK)
        created = 0
        for offset in range(-1, days_ahead + 1):
            day = today + timedelta(days=offset)
            name = partition_name(day)
            if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", name):
                continue
            try:
                async with conn.transaction():
                    await create_day_partition(conn, day)
                created += 1
            except asyncpg.exceptions.CheckViolationError:
                continue
        if retention_days is None:
            return Maintenance(created=created, dropped=[], purged=0)
        cutoff = today - timedelta(days=retention_days)
        children = await conn.fetch(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'ad_events'::regclass"
        )
        dropped = expired_partitions((r["relname"] for r in children), cutoff=cutoff)
        for name in dropped:  # names matched ad_events_YYYYMMDD above
            await conn.execute(f"DROP TABLE {name}")
        before = datetime.combine(cutoff, time.min, tzinfo=UTC)
        purged = 0
        for purge in _PURGES:
            status = await conn.execute(purge, before)
            purged += int(status.split()[-1])
        return Maintenance(created=created, dropped=dropped, purged=purged)
