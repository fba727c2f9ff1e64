"""Reads one campaign's beacons of one served day for the log-level export (ads/event_log.py),
in batches through a server-side cursor, so a day of millions of rows never sits in memory."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
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
    start = datetime.combine(day, time.min, tzinfo=UTC)
    end = start + timedelta(days=1)
    counted = await session.stream(
        select(
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
        .where(
            AdEvent.campaign_id == campaign_id,
            AdEvent.served_at >= start,
            AdEvent.served_at < end,
        )
        .order_by(AdEvent.received_at, AdEvent.event_id)
        .execution_options(yield_per=BATCH)
    )
    async for partition in counted.partitions():
        yield [LoggedEvent(*row) for row in partition]
    invalid = await session.stream(
        select(
            InvalidEvent.event_id,
            InvalidEvent.served_at,
            InvalidEvent.received_at,
            InvalidEvent.event_type,
            InvalidEvent.creative_id,
            InvalidEvent.place,
            InvalidEvent.user_agent,
            InvalidEvent.reason,
        )
        .where(
            InvalidEvent.campaign_id == campaign_id,
            InvalidEvent.served_at >= start,
            InvalidEvent.served_at < end,
        )
        .order_by(InvalidEvent.received_at, InvalidEvent.event_id)
        .execution_options(yield_per=BATCH)
    )
    async for filed in invalid.partitions():
        yield [
            LoggedEvent(
                served_at=row.served_at,
                received_at=row.received_at,
                event=row.event_type,
                ad_serving_id=ad_serving_id_of(row.event_id),
                request_id=None,
                creative_id=row.creative_id,
                cost=Decimal(0),
                error_code=None,
                place=row.place,
                user_agent=row.user_agent,
                invalid_reason=row.reason,
            )
            for row in filed
        ]
