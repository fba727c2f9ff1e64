"""The range the campaign page's delivery figures cover: the flight to date (the default),
today, yesterday, the last 7 or 30 days, or days picked. A range of one day is read hour by
hour, so "Yesterday" shows when in the day the ads played."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

DAY = timedelta(days=1)
MAX_PICKED_DAYS = 366
"""The longest range of picked days (the stats API's limit at daily granularity)."""


class RangeChoice(StrEnum):
    FLIGHT = "Flight to date"
    TODAY = "Today"
    YESTERDAY = "Yesterday"
    LAST_7 = "Last 7 days"
    LAST_30 = "Last 30 days"
    PICKED = "Pick days"


@dataclass(frozen=True, slots=True)
class DeliveryRange:
    start: datetime
    end: datetime
    hourly: bool
    """One day: its figures hour by hour."""

    @property
    def label(self) -> str:
        """The range in words (UTC days, the last one included)."""
        last = (self.end - timedelta(microseconds=1)).date()
        first = self.start.date()
        if first == last:
            return f"{first:%a %d %b %Y} (UTC)"
        return f"{first:%d %b %Y} to {last:%d %b %Y} (UTC)"


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def delivery_range(
    choice: RangeChoice,
    *,
    now: datetime,
    flight: tuple[datetime, datetime],
    picked: tuple[date, date] | None = None,
) -> DeliveryRange:
    """``choice`` as ``[start, end)`` at ``now``: the flight to date covers at least a week
    (a campaign's first days still show a week's axis), the last N days end now, ``picked``
    days (first, last) run to the end of the last one or now, whichever comes first."""
    today = now.date()
    if choice is RangeChoice.TODAY:
        return DeliveryRange(midnight(today), now, hourly=True)
    if choice is RangeChoice.YESTERDAY:
        return DeliveryRange(midnight(today - DAY), midnight(today), hourly=True)
    if choice is RangeChoice.LAST_7:
        return DeliveryRange(midnight(today - 6 * DAY), now, hourly=False)
    if choice is RangeChoice.LAST_30:
        return DeliveryRange(midnight(today - 29 * DAY), now, hourly=False)
    if choice is RangeChoice.PICKED and picked is not None:
        first, last = sorted(picked)
        first = max(first, last - (MAX_PICKED_DAYS - 1) * DAY)
        return DeliveryRange(midnight(first), min(midnight(last + DAY), now), hourly=first == last)
    start, end = flight
    end = min(now, end)
    return DeliveryRange(min(start, end - 6 * DAY), end, hourly=False)
