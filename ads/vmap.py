"""Ad schedules for long-form content (IAB VMAP 1.0): where a programme's ad breaks go.

A player asks once per programme (``GET /api/v1/vmap``) and gets a playlist of ad breaks, a
pre-roll, mid-rolls at set times and a post-roll; each break is one of our VAST ad tags (a pod
within the break's length) that the player fetches when the break comes, so nothing is decided
or paid for a break the viewer never reaches. Pure: the serving app builds the tags.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Self
from xml.sax.saxutils import escape, quoteattr

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ads.decision import MAX_AD_DURATION_S, MAX_POD_ADS, REQUEST_ID_PATTERN
from ads.privacy import TAG_PARAMETERS
from ads.vast import format_duration

VMAP_NAMESPACE = "http://www.iab.net/videosuite/vmap"
MAX_CONTENT_S = 86_400
"""The longest programme a schedule is made for (a day)."""
MAX_BREAKS = 48
MIN_MIDROLL_SPACING_S = 60
PASSED_ON = (
    "blocked_categories",
    "content_cat",
    "cust_params",
    "ifa",
    "ip",
    "app_bundle",
    "ua",
    "country",
    "region",
    *TAG_PARAMETERS,
    "vast_version",
    "vast_versions",
)
"""VAST tag parameters a schedule request hands on to each break's tag, as received."""


def _seconds_list(raw: Any) -> Any:
    """``600,1200`` → ``["600", "1200"]`` (then checked as whole seconds)."""
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


Offset = Annotated[int, Field(gt=0, lt=MAX_CONTENT_S)]


class ScheduleRequest(BaseModel):
    """The query of ``GET /api/v1/vmap`` (times in whole seconds)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    content_duration: int | None = Field(default=None, gt=0, le=MAX_CONTENT_S)
    """The programme's length: needed for ``midroll_every``; mid-rolls must fall within it."""
    preroll: bool = True
    postroll: bool = True
    midrolls: Annotated[list[Offset], BeforeValidator(_seconds_list)] = []
    """Mid-roll times into the programme (``600,1200``)."""
    midroll_every: int | None = Field(default=None, ge=MIN_MIDROLL_SPACING_S, le=MAX_CONTENT_S)
    """A mid-roll every this many seconds, up to the end of ``content_duration``."""
    break_duration: int = Field(default=120, gt=0, le=MAX_AD_DURATION_S)
    """Each break's length: its pod's ads add up to at most this."""
    max_ads: int = Field(default=4, ge=1, le=MAX_POD_ADS)
    """Ads per break, at most."""
    request_id: str | None = Field(default=None, max_length=100, pattern=REQUEST_ID_PATTERN)
    """The player's id of the request: each break's tag asks with it and the break's id."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.midroll_every is not None and self.content_duration is None:
            raise ValueError("midroll_every needs content_duration (the programme's length)")
        if self.content_duration is not None and any(
            t >= self.content_duration for t in self.midrolls
        ):
            raise ValueError("every mid-roll must come before the end of content_duration")
        breaks = len(self.midroll_times()) + self.preroll + self.postroll
        if breaks == 0:
            raise ValueError(
                "the schedule has no ad break: ask for a pre-roll, mid-rolls or a post-roll"
            )
        if breaks > MAX_BREAKS:
            raise ValueError(
                f"at most {MAX_BREAKS} ad breaks per programme, this asks for {breaks}"
            )
        return self

    def midroll_times(self) -> list[int]:
        """Every mid-roll, in seconds, in order, each once."""
        times = set(self.midrolls)
        if self.midroll_every is not None and self.content_duration is not None:
            times.update(range(self.midroll_every, self.content_duration, self.midroll_every))
        return sorted(times)


@dataclass(frozen=True, slots=True)
class AdBreak:
    break_id: str
    """``preroll``, ``midroll-1``, … ``postroll``."""
    time_offset: str
    """VMAP's ``timeOffset``: ``start``, ``end`` or ``HH:MM:SS.mmm`` into the programme."""


def ad_breaks(request: ScheduleRequest) -> list[AdBreak]:
    """The programme's breaks in play order."""
    breaks = [AdBreak("preroll", "start")] if request.preroll else []
    breaks += [
        AdBreak(f"midroll-{number}", format_duration(seconds * 1000))
        for number, seconds in enumerate(request.midroll_times(), start=1)
    ]
    if request.postroll:
        breaks.append(AdBreak("postroll", "end"))
    return breaks


def render_vmap(breaks: Sequence[AdBreak], tag_url: Callable[[AdBreak], str]) -> str:
    """The VMAP 1.0 document: each break a linear break whose one ad source is the VAST tag
    ``tag_url`` gives it (a pod: several ads allowed; Wrappers followed)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<vmap:VMAP xmlns:vmap="{VMAP_NAMESPACE}" version="1.0">',
    ]
    for ad_break in breaks:
        parts += [
            f"<vmap:AdBreak timeOffset={quoteattr(ad_break.time_offset)}"
            f' breakType="linear" breakId={quoteattr(ad_break.break_id)}>',
            f"<vmap:AdSource id={quoteattr(ad_break.break_id)}"
            ' allowMultipleAds="true" followRedirects="true">',
            f'<vmap:AdTagURI templateType="vast4">{escape(tag_url(ad_break))}</vmap:AdTagURI>',
            "</vmap:AdSource>",
            "</vmap:AdBreak>",
        ]
    parts.append("</vmap:VMAP>")
    return "\n".join(parts)
