"""Player errors: what went wrong when players tried to play a campaign's ads, by VAST error code.

A player that cannot play an ad (or stops one) calls the ad's ``<Error>`` URL with the VAST
error code in place of ``[ERRORCODE]`` (ads/tracking.py; the codes read as ads/vast_errors.py
says). An error beacon of an ad whose impression was counted came during playback; one without
stopped the ad before it played, and those make the failure rate: of the ads players tried to
play, the share that never played (impressions + such failures in all).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from ads.platforms import LABELS, Platform, remembered_platform_of
from ads.vast_errors import ErrorFamily, vast_error


@dataclass(frozen=True, slots=True)
class ErrorCount:
    """Error beacons read from the raw events, of one creative and code."""

    creative_id: uuid.UUID | None
    code: int | None
    errors: int
    after_impression: int
    """Of ``errors``, those of ads whose impression was counted (during playback)."""


@dataclass(frozen=True, slots=True)
class AgentErrors:
    """Error beacons of one code sent with one User-Agent (the player's)."""

    user_agent: str | None
    code: int | None
    errors: int


class CodeRow(BaseModel):
    code: int | None
    family: ErrorFamily
    meaning: str
    hint: str
    errors: int
    before_play: int
    """Errors of ads that never played (no impression counted)."""
    share: float
    """Of the range's errors, 0-1, to four places."""


class CreativeErrors(BaseModel):
    creative_id: uuid.UUID | None
    name: str | None
    """None for a creative deleted since."""
    errors: int
    before_play: int
    top_code: int | None


class PlatformErrors(BaseModel):
    platform: Platform | None
    """None: the beacons' User-Agents did not tell (or too many to read them all)."""
    label: str
    errors: int
    top_code: int | None


class PlayerErrorReport(BaseModel):
    """``GET /campaigns/{id}/player-errors``: most errors first in every list."""

    campaign_id: uuid.UUID
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    impressions: int
    """Counted impressions received on the range's days."""
    errors: int
    before_play: int
    failure_rate: float
    """Of the ads players tried to play, the share that failed before playing, 0-1, to four
    places."""
    codes: list[CodeRow] | None
    """None (with the lists below empty) when reading the events took longer than
    REPORT_REACH_TIMEOUT_SECONDS."""
    creatives: list[CreativeErrors]
    platforms: list[PlatformErrors]


UNKNOWN_DEVICE = "Unknown device"
WARN_AT = 0.02
"""A failure rate from which the campaign page and its serving check warn: one ad in fifty lost
before it played."""


def failure_warning(failure_rate: float, top: CodeRow | None) -> str | None:
    """What to say when ``failure_rate`` reaches :data:`WARN_AT`: how many ads are lost, the
    code behind most errors (``top``) and what helps; None below it."""
    if failure_rate < WARN_AT or top is None:
        return None
    code = "no code" if top.code is None else str(top.code)
    return (
        f"{failure_rate * 100:.1f}% of the ads players tried to play failed before they played. "
        f"Most errors are {code}: {top.meaning}. {top.hint}"
    )


def player_error_report(
    *,
    campaign_id: uuid.UUID,
    start: datetime,
    end: datetime,
    impressions: int,
    read: tuple[Iterable[ErrorCount], Iterable[AgentErrors]] | None,
    creative_names: Mapping[uuid.UUID, str],
) -> PlayerErrorReport:
    """The report from the counted ``impressions`` and the error beacons ``read`` of ads served
    in the range (None: timed out): every error by creative and code, and by User-Agent and
    code the most frequent agents' (the rest count as an unknown device)."""
    report = PlayerErrorReport(
        campaign_id=campaign_id,
        from_=start,
        to=end,
        impressions=impressions,
        errors=0,
        before_play=0,
        failure_rate=0.0,
        codes=None,
        creatives=[],
        platforms=[],
    )
    if read is None:
        return report
    counts, agents = read
    by_code = _Tally[int | None]()
    by_creative = _Tally[uuid.UUID | None]()
    for c in counts:
        by_code.add(c.code, c.errors, c.errors - c.after_impression)
        by_creative.add(c.creative_id, c.errors, c.errors - c.after_impression, code=c.code)
    by_platform = _Tally[Platform | None]()
    for a in agents:
        by_platform.add(remembered_platform_of(user_agent=a.user_agent), a.errors, 0, code=a.code)
    report.errors, report.before_play = by_code.errors.total(), by_code.before_play.total()
    unread = report.errors - by_platform.errors.total()
    if unread > 0:
        by_platform.add(None, unread, 0)
    report.failure_rate = failure_rate(impressions, report.before_play)
    report.codes = [
        CodeRow(
            code=code,
            family=meaning.family,
            meaning=meaning.meaning,
            hint=meaning.hint,
            errors=n,
            before_play=by_code.before_play[code],
            share=round(n / report.errors, 4),
        )
        for code, n in by_code.most()
        for meaning in (vast_error(code),)
    ]
    report.creatives = [
        CreativeErrors(
            creative_id=creative,
            name=creative_names.get(creative) if creative else None,
            errors=n,
            before_play=by_creative.before_play[creative],
            top_code=by_creative.top_code(creative),
        )
        for creative, n in by_creative.most()
    ]
    report.platforms = [
        PlatformErrors(
            platform=platform,
            label=UNKNOWN_DEVICE if platform is None else LABELS[platform],
            errors=n,
            top_code=by_platform.top_code(platform),
        )
        for platform, n in sorted(by_platform.most(), key=lambda item: item[0] is None)
    ]
    return report


@dataclass(frozen=True, slots=True)
class FailingCampaign:
    """A campaign whose ads players often failed to play (the daily digest lists them)."""

    id: uuid.UUID
    name: str
    failure_rate: float
    top_code: int | None
    """The code of most of its errors."""


@dataclass(frozen=True, slots=True)
class CampaignFailures:
    """One campaign's impressions and error beacons of a day, per code."""

    id: uuid.UUID
    name: str
    impressions: int
    codes: Sequence[ErrorCount]
    """Its errors per code (``creative_id`` unused)."""


def failing_campaigns(campaigns: Iterable[CampaignFailures]) -> list[FailingCampaign]:
    """The campaigns whose failure rate reaches :data:`WARN_AT`, highest first."""
    failing = []
    for c in campaigns:
        rate = failure_rate(c.impressions, lost_before_play(c.codes))
        if rate >= WARN_AT:
            failing.append(FailingCampaign(c.id, c.name, rate, top_code(c.codes)))
    return sorted(failing, key=lambda f: (-f.failure_rate, f.name))


def lost_before_play(codes: Iterable[ErrorCount]) -> int:
    """How many of the errors came from ads that failed before they played."""
    return sum(n.errors - n.after_impression for n in codes)


def top_code(codes: Iterable[ErrorCount]) -> int | None:
    """The code of most of the errors (None: no code, or no error at all)."""
    counted = [(n.code, n.errors) for n in codes]
    return _most_frequent(counted) if counted else None


def failure_rate(impressions: int, before_play: int) -> float:
    """Of the ads players tried to play (``impressions`` and the ``before_play`` failures), the
    share that failed, to four places; 0.0 when none was tried."""
    attempts = impressions + before_play
    return round(before_play / attempts, 4) if attempts else 0.0


def _most_frequent(codes: Iterable[tuple[int | None, int]]) -> int | None:
    """The code of most errors (ties: the lowest, as text)."""
    return min(codes, key=lambda item: (-item[1], str(item[0])))[0]


K = TypeVar("K")


class _Tally(Generic[K]):
    """Errors, errors before play and errors per code, by one key."""

    def __init__(self) -> None:
        self.errors: Counter[K] = Counter()
        self.before_play: Counter[K] = Counter()
        self.codes: defaultdict[K, Counter[int | None]] = defaultdict(Counter)

    def add(self, key: K, errors: int, before_play: int, *, code: int | None = None) -> None:
        self.errors[key] += errors
        self.before_play[key] += before_play
        self.codes[key][code] += errors

    def most(self) -> list[tuple[K, int]]:
        """Keys by errors, most first (ties by their text)."""
        return sorted(self.errors.items(), key=lambda item: (-item[1], str(item[0])))

    def top_code(self, key: K) -> int | None:
        """The code of most of the key's errors."""
        return _most_frequent(self.codes[key].items())
