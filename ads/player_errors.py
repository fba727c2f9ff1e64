"""Player errors: what went wrong when players tried to play a campaign's ads, by VAST error code.

A player that cannot play an ad (or stops one) calls the ad's ``<Error>`` URL with the VAST
error code in place of ``[ERRORCODE]`` (ads/tracking.py). The codes and their meanings are the
IAB VAST 4.x ones; what to do about each is ours, in this server's terms. An error beacon of an
ad whose impression was counted came during playback; one without stopped the ad before it
played, and those make the failure rate: of the ads players tried to play, the share that never
played (impressions + such failures in all).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from ads.platforms import LABELS, Platform, remembered_platform_of


class ErrorFamily(StrEnum):
    """The VAST code's hundred: which part of the ad the player choked on."""

    DOCUMENT = "document"
    TRAFFICKING = "trafficking"
    WRAPPER = "wrapper"
    VIDEO = "video"
    NONLINEAR = "nonlinear"
    COMPANION = "companion"
    OTHER = "other"


_FAMILIES = {
    1: ErrorFamily.DOCUMENT,
    2: ErrorFamily.TRAFFICKING,
    3: ErrorFamily.WRAPPER,
    4: ErrorFamily.VIDEO,
    5: ErrorFamily.NONLINEAR,
    6: ErrorFamily.COMPANION,
}


@dataclass(frozen=True, slots=True)
class VastError:
    """A VAST error code as a person reads it: what the player reported, and what helps."""

    code: int | None
    meaning: str
    hint: str

    @property
    def family(self) -> ErrorFamily:
        if self.code is None:
            return ErrorFamily.OTHER
        return _FAMILIES.get(self.code // 100, ErrorFamily.OTHER)


_READ_VAST = (
    "Our VAST validates against the IAB schema of each version; for a third-party VAST tag, "
    "check what the tag returns. Otherwise the player's VAST parser needs a look."
)
_WRAPPER = "Only third-party VAST tags are wrappers: check that the tag answers quickly"
_MEZZANINE = (
    "Every uploaded creative's VAST lists its original as the Mezzanine; "
    "a third-party VAST tag's ad may not."
)
_ASK_PLAYER = "The player gave no detail: its own logs tell more."

_DEFINED = (
    VastError(100, "The player could not parse the VAST XML", _READ_VAST),
    VastError(101, "The VAST failed the player's schema validation", _READ_VAST),
    VastError(
        102,
        "The player does not support this VAST version",
        "Tags from the dashboard ask for the versions the player takes "
        "(vast_versions=[VASTVERSIONS]); add vast_version=4.0 for an older player.",
    ),
    VastError(
        200,
        "The player got an ad type it cannot show",
        "The publisher's player may not take video ads in this slot.",
    ),
    VastError(
        201,
        "The player expected a different linearity",
        "Every ad here is linear video: the slot asked for an overlay.",
    ),
    VastError(
        202,
        "The ad's length is not what the player expected",
        "Upload a cut that fits the publisher's breaks (15 or 30 seconds are the usual).",
    ),
    VastError(
        203,
        "The ad's size or bitrate is not what the player expected",
        "Check the creative's renditions: the player wants another size or bitrate.",
    ),
    VastError(
        204,
        "The player requires an ad category and got none",
        "Give the campaign its IAB categories.",
    ),
    VastError(
        205,
        "The ad's category is blocked where it was wrapped",
        "Check the campaign's IAB categories against the publisher's blocked ones.",
    ),
    VastError(
        206,
        "The ad break was shortened and the ad was not played",
        "Nothing to fix: the break ran out before this ad.",
    ),
    VastError(300, "General wrapper error", f"{_WRAPPER} and returns an ad."),
    VastError(301, "The wrapped VAST tag timed out or did not answer", f"{_WRAPPER}."),
    VastError(
        302,
        "Too many wrappers before an ad",
        "The third-party tag chains through too many redirects: ask for a direct tag.",
    ),
    VastError(
        303,
        "The wrapped VAST tag returned no ad",
        "The third-party tag had no fill: ask its owner to check its targeting.",
    ),
    VastError(
        304,
        "The wrapped ad did not show within the time allowed",
        f"{_WRAPPER} and that its media loads fast.",
    ),
    VastError(
        400,
        "General video error: the player could not play the ad",
        "Check that the creative plays in the dashboard's preview.",
    ),
    VastError(
        401,
        "The video file was not found",
        "The media URL did not answer: check that the bucket or CDN in front of it "
        "(S3_PUBLIC_BASE_URL) serves the files to the public.",
    ),
    VastError(
        402,
        "The video file took too long to load",
        "Serve media from a CDN near the viewers; lower-bitrate renditions load faster.",
    ),
    VastError(
        403,
        "No video file the player can play",
        "Wait for the creative's renditions to finish, or upload H.264 MP4, "
        "which every CTV player plays.",
    ),
    VastError(
        405,
        "The player could not display the video file",
        "The file's codec or profile is not one the device decodes: upload H.264 High "
        "profile with AAC audio.",
    ),
    VastError(406, "The player requires a Mezzanine file and got none", _MEZZANINE),
    VastError(
        407,
        "The Mezzanine file is being downloaded for the first time",
        "Nothing to fix: the ad-insertion server plays it once it has transcoded it.",
    ),
    VastError(408, "The conditional ad was rejected", "Not used by this server."),
    VastError(
        409,
        "The interactive unit was not executed",
        "The player does not run interactive creatives (SIMID): not used by this server.",
    ),
    VastError(
        410,
        "The verification script was not executed",
        "The player has no Open Measurement SDK, or refused the vendor's script: check "
        "the campaign's verifications.",
    ),
    VastError(
        411,
        "The Mezzanine file does not meet the ad-insertion server's specification",
        "Upload a higher-quality original (at least 1080p, high bitrate).",
    ),
    VastError(500, "General non-linear ad error", "Every ad here is linear video."),
    VastError(600, "General companion ad error", "This server serves no companions."),
    VastError(900, "Undefined error", _ASK_PLAYER),
    VastError(
        901,
        "General VPAID error",
        "VPAID is retired in VAST 4.x and not served here: a third-party tag returned it.",
    ),
    VastError(
        902,
        "General interactive creative file error",
        "The player could not run an interactive file: not served by this server.",
    ),
)
VAST_ERRORS: Mapping[int, VastError] = {e.code: e for e in _DEFINED if e.code is not None}
NO_CODE = VastError(None, "No code given (the player left [ERRORCODE] unfilled)", _ASK_PLAYER)


def vast_error(code: int | None) -> VastError:
    """The meaning of ``code`` (None: the player sent none); a code VAST does not define is
    still shown, as its family's."""
    if code is None:
        return NO_CODE
    known = VAST_ERRORS.get(code)
    if known is not None:
        return known
    family = VAST_ERRORS.get(code // 100 * 100)
    meaning = f"Code {code}, not one VAST defines"
    return VastError(
        code, f"{meaning} ({family.meaning.lower()})" if family else meaning, _ASK_PLAYER
    )


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
    attempts = impressions + report.before_play
    report.failure_rate = round(report.before_play / attempts, 4) if attempts else 0.0
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
        for platform, n in by_platform.most(last=None)
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
        lost = sum(n.errors - n.after_impression for n in c.codes)
        attempts = c.impressions + lost
        if not attempts or lost / attempts < WARN_AT:
            continue
        top = min(c.codes, key=lambda n: (-n.errors, str(n.code)))
        failing.append(FailingCampaign(c.id, c.name, round(lost / attempts, 4), top.code))
    return sorted(failing, key=lambda f: (-f.failure_rate, f.name))


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

    def most(self, *, last: object = ...) -> list[tuple[K, int]]:
        """Keys by errors, most first (ties by their text); the key ``last`` at the end."""
        return sorted(
            self.errors.items(), key=lambda item: (item[0] == last, -item[1], str(item[0]))
        )

    def top_code(self, key: K) -> int | None:
        """The code of most of the key's errors."""
        return min(self.codes[key].items(), key=lambda item: (-item[1], str(item[0])))[0]
