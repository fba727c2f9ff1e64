"""Creative rules and API schemas: what a display name may be and how a creative is shown."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ads.campaigns import ClickUrl, UtcDateTime
from ads.errors import InvalidInput
from ads.loudness import LoudnessReport
from ads.universal_ad_id import UniversalAdId

MAX_NAME_LENGTH = 255
VAST_TAG_MIME = "application/xml"
"""What a third-party VAST tag creative answers with (a VAST document, not a video)."""


class CreativeStatus(StrEnum):
    PROCESSING = "processing"
    ACTIVE = "active"
    FAILED = "failed"


def clean_creative_name(raw: str | None) -> str:
    """The display name as stored: ``raw`` trimmed, otherwise verbatim.

    It never names a file or an object key, so slashes, dots and any printable Unicode are
    fine. :class:`InvalidInput` (field ``name``) if missing, empty, longer than
    :data:`MAX_NAME_LENGTH` or holding control characters.
    """
    name = (raw or "").strip()
    problem = None
    if not name:
        problem = "a creative needs a non-empty name"
    elif len(name) > MAX_NAME_LENGTH:
        problem = f"the name is longer than {MAX_NAME_LENGTH} characters"
    elif any(unicodedata.category(ch) == "Cc" for ch in name):
        problem = "the name must not contain control characters"
    if problem is not None:
        raise InvalidInput(problem, details=[{"field": "name", "message": problem}])
    return name


def _creative_name(raw: str) -> str:
    try:
        return clean_creative_name(raw)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


class VastTagCreate(BaseModel):
    """Body of ``POST /campaigns/{id}/vast-tags``: a third-party ad server's VAST tag (an SSP,
    the advertiser's own ad server) served as a ``<Wrapper>`` around our tracking."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, AfterValidator(_creative_name)]
    vast_tag_url: ClickUrl
    """Its IAB macros (``[CACHEBUSTING]``, ``[TIMESTAMP]``) are for the player to fill."""
    duration_s: Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False)]
    """How long its ads run: what the break is filled by (the tag's own ads must fit it)."""


MAX_WEIGHT = 100


class CreativeUpdate(BaseModel):
    """Body of ``PATCH /creatives/{id}``: any of its name, its pause, its rotation weight and
    its schedule (its file or tag is replaced by adding a new creative, never edited)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, AfterValidator(_creative_name)] | None = None
    paused: Annotated[bool, Field(strict=True)] | None = None
    """A paused creative is not served until resumed; its delivery so far stays reported."""
    weight: Annotated[int, Field(ge=1, le=MAX_WEIGHT, strict=True)] | None = None
    """Drawn ``weight`` times as often as a creative of weight 1 of the same campaign, among
    those that fit a break (all 1: an even rotation)."""
    starts_at: UtcDateTime | None = None
    """Served from then on, within its campaign's flight (a seasonal spot); null: from the
    campaign's start."""
    ends_at: UtcDateTime | None = None
    """Served until then (exclusive); null: until the campaign's end."""
    skip_offset_s: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    """Seconds into the ad after which players offer to skip it (VAST ``skipoffset``), less than
    its length; null: not skippable (the usual on TV)."""
    universal_ad_id: UniversalAdId | None = None
    """Its id in an industry registry (Ad-ID in the US, Clearcast in the UK: VAST
    ``<UniversalAdId>``); null: only this ad server's own id."""

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError(
                "nothing to change: send name, paused, weight, starts_at, ends_at, skip_offset_s"
                " or universal_ad_id"
            )
        for field in self.model_fields_set - NULLABLE_FIELDS:
            if getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


SCHEDULE_FIELDS = frozenset({"starts_at", "ends_at"})
"""The fields a creative's schedule is made of; null clears either side."""
NULLABLE_FIELDS = SCHEDULE_FIELDS | {"skip_offset_s", "universal_ad_id"}


def check_universal_ad_id(industry: UniversalAdId | None, *, vast_tag: bool) -> None:
    """:class:`InvalidInput` (field ``universal_ad_id``) for an industry id on a third-party VAST
    tag: its own ad server names its ads."""
    if industry is not None and vast_tag:
        problem = "a third-party VAST tag's ads carry their own ids (its ad server names them)"
        raise InvalidInput(problem, details=[{"field": "universal_ad_id", "message": problem}])


def skip_offset_ms(skip_offset_s: float | None, *, duration_ms: int, vast_tag: bool) -> int | None:
    """The skip offset as stored, in milliseconds; :class:`InvalidInput` (field
    ``skip_offset_s``) for one at or past the ad's end, or on a third-party VAST tag (its own ad
    server says whether its ads skip)."""
    if skip_offset_s is None:
        return None
    problem = None
    offset = round(skip_offset_s * 1000)
    if vast_tag:
        problem = "a third-party VAST tag's ads say themselves whether they can be skipped"
    elif offset <= 0 or offset >= duration_ms:
        problem = f"skip_offset_s must be less than the ad's {duration_ms / 1000:g} s"
    if problem is not None:
        raise InvalidInput(problem, details=[{"field": "skip_offset_s", "message": problem}])
    return offset


def check_schedule(starts_at: datetime | None, ends_at: datetime | None) -> None:
    """:class:`InvalidInput` unless a schedule with both sides ends after it starts."""
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        message = "ends_at must be after starts_at"
        raise InvalidInput(message, details=[{"field": "ends_at", "message": message}])


class CreativeCopy(BaseModel):
    """Body of ``POST /campaigns/{id}/creatives/copy``: the campaign to copy them from."""

    model_config = ConfigDict(extra="forbid")

    from_campaign_id: uuid.UUID


class RenditionOut(BaseModel):
    """One transcoded file of a creative."""

    name: str
    url: str
    width: int
    height: int
    bitrate_kbps: int
    mime: str
    codec: str
    loudness_lufs: float | None = None
    """Measured off the file (ads/loudness.py); None for renditions made before loudness was."""
    true_peak_dbtp: float | None = None


class CaptionOut(BaseModel):
    """A creative's closed caption file in one language (ads/captions.py)."""

    language: str
    """BCP 47: ``en``, ``es-MX``."""
    url: str
    mime: str
    cues: int
    source_format: str
    """What was uploaded: ``webvtt``, or ``srt`` (converted to WebVTT)."""
    uploaded_by: str | None = None
    uploaded_at: datetime | None = None


class CreativeOut(BaseModel):
    """A creative as the management API returns it; ``url`` is the uploaded original, None for a
    third-party VAST tag (``vast_tag_url``)."""

    id: uuid.UUID
    campaign_id: uuid.UUID
    name: str
    status: CreativeStatus
    progress: float
    error: str | None
    mime: str
    duration_ms: int
    size_bytes: int
    width: int
    height: int
    video_codec: str | None
    audio_codec: str | None
    bitrate_kbps: int | None
    url: str | None
    vast_tag_url: str | None = None
    renditions: list[RenditionOut]
    captions: list[CaptionOut] = []
    """Closed captions by language, served with the ad (VAST 4.1+ ``<ClosedCaptionFiles>``,
    JSON ``captions``)."""
    loudness: LoudnessReport | None = None
    """The upload's loudness against the publisher's target and what its renditions got; None
    for a third-party VAST tag and uploads from before loudness was measured."""
    review_status: str
    """``approved``, ``pending`` or ``rejected`` (ads/creative_review.py): only approved ones
    are served."""
    review_note: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    created_by: str | None = None
    paused: bool = False
    weight: int = 1
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    skip_offset_s: float | None = None
    """Players offer to skip it after this many seconds; None: not skippable."""
    universal_ad_id: UniversalAdId | None = None
    """Its id in an industry registry; None: only this ad server's own."""
    created_at: datetime
    updated_at: datetime
