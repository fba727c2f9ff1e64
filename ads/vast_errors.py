"""VAST error codes as people read them: what the player reported (the IAB VAST 4.x meaning of
each code a player puts in an ad's ``<Error>`` URL) and what helps, in this server's terms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


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
