"""Dayparting: the hours of the week a campaign runs, on the clock of its time zone.

TV is bought by daypart (prime time, late night, weekends), so a campaign may name the hours of
the week it runs: hour 0 is Monday 00:00-01:00 and hour 167 Sunday 23:00-24:00, local to the
campaign's IANA time zone. Outside them it is not served, and even pacing spreads its budget
over the hours it runs rather than over the whole flight (:meth:`Daypart.active_micros`).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

HOURS_PER_WEEK = 168
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
QUARTER_HOUR = timedelta(minutes=15)
"""Every time zone's offset is a whole number of these, so local hours start on UTC quarters."""
_HOUR = 3_600_000_000
"""An hour in microseconds."""
_MONDAY = datetime(2001, 1, 1)
"""A Monday, as a local wall-clock reference (naive)."""
_MICROSECOND = timedelta(microseconds=1)


def check_zone(name: str) -> str:
    """An IANA time zone name as given; ``ValueError`` saying why it is not one."""
    if name != "UTC" and name not in _zone_names():
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as America/New_York")
    return name


def zone_names() -> list[str]:
    """Every IANA time zone name this machine knows, UTC first, then alphabetically."""
    return ["UTC", *sorted(_zone_names() - {"UTC"})]


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@dataclass(frozen=True, slots=True)
class Daypart:
    """The hours of the week (0-167) a campaign runs, in time zone ``zone``."""

    hours: frozenset[int]
    zone: str = "UTC"

    def __post_init__(self) -> None:
        if not self.hours or not all(0 <= h < HOURS_PER_WEEK for h in self.hours):
            raise ValueError("a daypart names one or more hours of the week, 0-167")
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.zone!r}") from None

    def active_at(self, at: datetime) -> bool:
        """Whether ``at`` (aware) falls in one of the hours."""
        local = at.astimezone(ZoneInfo(self.zone))
        return local.weekday() * 24 + local.hour in self.hours

    def active_micros(self, start: datetime, end: datetime) -> int:
        """How many microseconds of ``[start, end)`` fall in the hours. Each UTC day is read
        with the zone's offset at its start: on the two days a year the clocks change, up to an
        hour of that day is counted on the wrong side (pacing weighs days by this; an hour's
        error a day is well within its catch-up)."""
        return _active_micros(self, start, end)

    def __str__(self) -> str:
        """``America/New_York;18,19,20`` (the catalog's encoding; see :meth:`parse`)."""
        return f"{self.zone};{','.join(map(str, sorted(self.hours)))}"

    @classmethod
    def parse(cls, text: str) -> Daypart:
        zone, hours = text.split(";")
        return cls(hours=frozenset(int(h) for h in hours.split(",")), zone=zone)


def weekly_hours(days: frozenset[int] | set[int], start_hour: int, end_hour: int) -> frozenset[int]:
    """Hours of the week from ``start_hour`` to ``end_hour`` (0-24) on each of ``days`` (0 is
    Monday); an end before the start runs past midnight into the next day (20 to 2: 20:00-02:00),
    and an end equal to the start (24 to 0 as well) makes a whole day."""
    if not (0 <= start_hour < 24 and 0 <= end_hour <= 24):
        raise ValueError("hours run from a start of 0-23 to an end of 0-24")
    span = (end_hour - start_hour) % 24 or 24
    return frozenset(
        (day * 24 + start_hour + h) % HOURS_PER_WEEK for day in days for h in range(span)
    )


def as_weekly(hours: frozenset[int]) -> tuple[frozenset[int], int, int] | None:
    """``(days, start_hour, end_hour)`` that :func:`weekly_hours` turns into ``hours``, or None
    when they are not one daily window on some days."""
    for start in range(24):
        days = frozenset(((h - start) % HOURS_PER_WEEK) // 24 for h in hours)
        if not days or len(hours) % len(days):
            continue
        span = len(hours) // len(days)
        end = start + span if start + span <= 24 else start + span - 24
        if weekly_hours(days, start, end) == hours:
            return days, start, end
    return None


def describe(daypart: Daypart) -> str:
    """``Mon-Fri 18:00-23:00, Sat-Sun 10:00-24:00 (America/New_York)``: runs of hours on runs of
    days with the same hours."""
    by_day = [
        tuple(_runs(sorted(h - day * 24 for h in daypart.hours if day * 24 <= h < day * 24 + 24)))
        for day in range(7)
    ]
    parts = []
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and by_day[last + 1] == by_day[day]:
            last += 1
        if by_day[day]:
            days = DAY_NAMES[day] if last == day else f"{DAY_NAMES[day]}-{DAY_NAMES[last]}"
            hours = ", ".join(f"{a:02d}:00-{b:02d}:00" for a, b in by_day[day])
            parts.append(f"{days} {hours}")
        day = last + 1
    return f"{'; '.join(parts)} ({daypart.zone})"


def _runs(hours: list[int]) -> list[tuple[int, int]]:
    """Sorted hours of one day as ``(start, end)`` runs: [18, 19, 20] → [(18, 21)]."""
    runs: list[tuple[int, int]] = []
    for _, group in itertools.groupby(enumerate(hours), key=lambda pair: pair[1] - pair[0]):
        run = [h for _, h in group]
        runs.append((run[0], run[-1] + 1))
    return runs


@functools.lru_cache(maxsize=256)
def _prefix(hours: frozenset[int]) -> tuple[int, ...]:
    """``prefix[h]``: how many of the hours lie before hour ``h`` of the week (h = 0-168)."""
    return tuple(itertools.accumulate((h in hours for h in range(HOURS_PER_WEEK)), initial=0))


def _since_monday(hours: frozenset[int], local: datetime) -> int:
    """Active microseconds from the reference Monday to the naive local time ``local``."""
    prefix = _prefix(hours)
    weeks, into_week = divmod((local - _MONDAY) // _MICROSECOND, HOURS_PER_WEEK * _HOUR)
    hour, into_hour = divmod(into_week, _HOUR)
    return (weeks * prefix[-1] + prefix[hour]) * _HOUR + (into_hour if hour in hours else 0)


@functools.lru_cache(maxsize=4096)
def _active_micros(daypart: Daypart, start: datetime, end: datetime) -> int:
    zone = ZoneInfo(daypart.zone)
    total = 0
    since = start
    while since < end:
        midnight = since.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        until = min(end, midnight + timedelta(days=1))
        offset = since.astimezone(zone).utcoffset() or timedelta(0)
        local_since = (since.astimezone(UTC) + offset).replace(tzinfo=None)
        local_until = (until.astimezone(UTC) + offset).replace(tzinfo=None)
        total += _since_monday(daypart.hours, local_until) - _since_monday(
            daypart.hours, local_since
        )
        since = until
    return total
