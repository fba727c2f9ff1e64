"""Reads one campaign's beacons of one served day for the log-level export (ads/event_log.py),
in batches through a server-side cursor, so a day of millions of rows never sits in memory."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from ads.event_log import LoggedEvent
from ads.events import ad_serving_id_of
from storage.models import AdEvent, InvalidEvent

BATCH = 2000


async def day_events(
    session: AsyncSession, campaign_id: uuid.UUID, day: date
) -> AsyncIterator[list[LoggedEvent]]:
    """The campaign's counted beacons of ads served on ``day``, then its invalid ones, each in
    the order they arrived, :data:`BATCH` at a time."""
    counted = (
        AdEvent.served_at,
        AdEvent.received_at,
        AdEvent.event_type,
        AdEvent.ad_serving_id,
        AdEvent.request_id,
        AdEvent.creative_id,
        AdEvent.cost,
        AdEvent.error_code,
        AdEvent.place,
        AdEvent.user_agent,
    )
    async for rows in _batches(session, AdEvent, counted, campaign_id, day):
        yield [LoggedEvent(*tuple(row)) for row in rows]
    async for rows in _batches(session, InvalidEvent, (InvalidEvent,), campaign_id, day):
        yield [_invalid(row[0]) for row in rows]


async def _batches(
    session: AsyncSession,
    table: type[AdEvent] | type[InvalidEvent],
    columns: tuple[Any, ...],
    campaign_id: uuid.UUID,
    day: date,
) -> AsyncIterator[list[Row[Any]]]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    result = await session.stream(
        select(*columns)
        .where(
            table.campaign_id == campaign_id,
            table.served_at >= start,
            table.served_at < start + timedelta(days=1),
        )
        .order_by(table.received_at, table.event_id)
        .execution_options(yield_per=BATCH)
    )
    async for partition in result.partitions():
        yield list(partition)


def _invalid(event: InvalidEvent) -> LoggedEvent:
    return LoggedEvent(
        served_at=event.served_at,
        received_at=event.received_at,
        event=event.event_type,
        ad_serving_id=ad_serving_id_of(event.event_id),
        request_id=None,
        creative_id=event.creative_id,
        cost=Decimal(0),
        error_code=None,
        place=event.place,
        user_agent=event.user_agent,
        invalid_reason=event.reason,
    )
