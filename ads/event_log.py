"""Log-level data: one campaign's beacons of a range of UTC days (up to :data:`MAX_DAYS`), one
CSV row each, for reconciling our counts with an advertiser's own (their ad server's or
measurement vendor's).

A day is the day the ads were *served* (``served_at``), as in the hourly and daily roll-ups, so
the counted rows of a day add up to that day's report: impressions, quartiles, clicks, errors
and spend. Day by day, beacons filtered as invalid traffic follow the counted ones, marked
``counted`` false with the reason, since they are what such reconciliations are about.
Device ids are left out (they are keyed to this server for reach, not for export); the
User-Agent and place the beacon came with are in. Pure: storage/event_log.py reads the rows,
the management API streams them.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from ads.errors import InvalidInput
from ads.history import plain
from ads.platforms import remembered_platform_of
from ads.reporting import spreadsheet_safe

MAX_DAYS = 31
"""The most days one export covers: a month of a campaign's beacons."""

COLUMNS = (
    "served_at",
    "received_at",
    "event",
    "ad_serving_id",
    "request_id",
    "creative_id",
    "cost",
    "error_code",
    "place",
    "platform",
    "user_agent",
    "counted",
    "invalid_reason",
)


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    served_at: datetime
    received_at: datetime
    event: str
    ad_serving_id: str
    request_id: str | None
    creative_id: uuid.UUID | None
    cost: Decimal
    error_code: int | None
    place: str | None
    user_agent: str | None
    invalid_reason: str | None = None
    """Why the beacon was filtered as invalid traffic; None for a counted one."""


def header() -> str:
    """The CSV header line."""
    return _lines([COLUMNS])


def rows(events: Iterable[LoggedEvent]) -> str:
    """``events`` as CSV lines (RFC 4180; text a spreadsheet would run as a formula is
    prefixed with ``'``)."""
    return _lines(_cells(event) for event in events)


def export_days(first: date, last: date, *, today: date) -> list[date]:
    """The days from ``first`` to ``last`` (inclusive); :class:`InvalidInput` for a range that
    ends before it starts, ends after ``today`` or spans more than :data:`MAX_DAYS`."""
    problem = None
    if last < first:
        problem = ("to", "the range ends before its first day")
    elif last > today:
        problem = ("to" if last != first else "day", "the range ends in the future")
    elif (last - first).days >= MAX_DAYS:
        problem = ("to", f"one export covers at most {MAX_DAYS} days")
    if problem is not None:
        field, message = problem
        raise InvalidInput(message, details=[{"field": field, "message": message}])
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def filename(campaign_id: uuid.UUID, first: date, last: date | None = None) -> str:
    span = first.isoformat() if last in (None, first) else f"{first}_to_{last}"
    return f"events_{campaign_id}_{span}.csv"


def _cells(event: LoggedEvent) -> tuple[object, ...]:
    platform = remembered_platform_of(user_agent=event.user_agent) if event.user_agent else None
    return (
        event.served_at.isoformat(),
        event.received_at.isoformat(),
        event.event,
        event.ad_serving_id,
        spreadsheet_safe(event.request_id or ""),
        event.creative_id or "",
        plain(event.cost),
        "" if event.error_code is None else event.error_code,
        event.place or "",
        platform.value if platform is not None else "",
        spreadsheet_safe(event.user_agent or ""),
        "false" if event.invalid_reason else "true",
        event.invalid_reason or "",
    )


def _lines(records: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(records)
    return out.getvalue()
