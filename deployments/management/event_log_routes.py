"""``GET /campaigns/{id}/events``: the log-level export (ads/event_log.py), streamed as CSV from
a server-side cursor, so a day of millions of beacons costs the server a batch of memory."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from ads import event_log
from ads.errors import NotFound
from deployments.management.deps import CurrentUser, SessionDep, StateDep, path_id
from deployments.management.state import ManagementState
from storage import campaigns as campaign_repo
from storage.event_log import day_events

router = APIRouter(tags=["analytics"])


@router.get(
    "/campaigns/{campaign_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "one CSV row per beacon"}},
)
async def campaign_events(
    campaign_id: str,
    _: CurrentUser,
    state: StateDep,
    session: SessionDep,
    day: Annotated[
        date | None,
        Query(description="the (first) UTC day the ads were served (default: today)"),
    ] = None,
    to: Annotated[
        date | None,
        Query(description=f"the last day, for up to {event_log.MAX_DAYS} (default: day)"),
    ] = None,
) -> StreamingResponse:
    """The campaign's beacons of ads served from ``day`` to ``to``, day by day: the counted
    ones, then those filtered as invalid traffic, each in the order they arrived."""
    cid = path_id(campaign_id, "campaign")
    if await campaign_repo.get(session, cid) is None:
        raise NotFound(f"campaign {campaign_id!r} not found")
    today = datetime.now(UTC).date()
    first = day or today
    days = event_log.export_days(first, to or first, today=today)
    name = event_log.filename(cid, days[0], days[-1])
    return StreamingResponse(
        _csv(state, cid, days),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _csv(
    state: ManagementState, campaign_id: uuid.UUID, days: list[date]
) -> AsyncIterator[str]:
    """The CSV, a batch of rows at a time, read in a session of its own (the request's closes
    before the body is sent)."""
    yield event_log.header()
    async with state.sessions() as session:
        for day in days:
            async for batch in day_events(session, campaign_id, day):
                yield event_log.rows(batch)
