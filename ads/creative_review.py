"""Creative review: which new creatives wait for an admin's approval before they are served.

A third-party VAST tag can deliver whatever its owner puts behind it, so by default
(``CREATIVE_REVIEW=third_party``) a tag an editor adds waits for an admin; an uploaded MP4 has
been probed and transcoded here and is served once encoded. ``all`` reviews uploads too, ``off``
reviews nothing. What an admin adds is approved at once: they are the reviewers. A reviewer may
approve, reject (saying why, for the editor to read) or take an approved creative back down.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

from ads.creatives import CreativeOut
from ads.errors import Conflict, InvalidInput
from ads.roles import Role

MAX_NOTE_LENGTH = 500
NOT_REVIEWED = "pending_review"
"""The status the catalog publishes for a creative not (or no longer) approved: not servable."""
PAUSED = "paused"
"""The status the catalog publishes for a creative its campaign's team paused: not servable."""


class ReviewStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"


class ReviewPolicy(StrEnum):
    """Setting ``CREATIVE_REVIEW``: which creatives that non-admins add wait for review."""

    OFF = "off"
    THIRD_PARTY = "third_party"
    ALL = "all"


def initial_review(policy: ReviewPolicy, *, third_party: bool, maker: Role) -> ReviewStatus:
    """The review state of a creative ``maker`` just added (``third_party``: a VAST tag)."""
    if maker is Role.ADMIN or policy is ReviewPolicy.OFF:
        return ReviewStatus.APPROVED
    if policy is ReviewPolicy.THIRD_PARTY and not third_party:
        return ReviewStatus.APPROVED
    return ReviewStatus.PENDING


def catalog_status(status: str, review: ReviewStatus | str, *, paused: bool = False) -> str:
    """The status the serving catalog gets: the creative's own once approved and not paused,
    otherwise one no replica serves (so review and pauses cost the decision path nothing)."""
    if review != ReviewStatus.APPROVED:
        return NOT_REVIEWED
    return PAUSED if paused else status


def _note(raw: str | None) -> str | None:
    note = (raw or "").strip()
    if not note:
        return None
    if len(note) > MAX_NOTE_LENGTH:
        raise ValueError(f"the note is longer than {MAX_NOTE_LENGTH} characters")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in note):
        raise ValueError("the note must not contain control characters")
    return note


class ReviewDecision(BaseModel):
    """Body of ``POST /creatives/{id}/review``: approve, or reject with a note saying why."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    note: Annotated[str | None, AfterValidator(_note)] = None


def reviewed(current: ReviewStatus | str, decision: ReviewDecision) -> ReviewStatus:
    """The review state after ``decision``; :class:`InvalidInput` for a rejection without a
    note, :class:`Conflict` when the creative is already in that state."""
    after = ReviewStatus.APPROVED if decision.decision == "approve" else ReviewStatus.REJECTED
    if after is ReviewStatus.REJECTED and decision.note is None:
        raise InvalidInput(
            "say why the creative is rejected",
            details=[{"field": "note", "message": "a rejection needs a note"}],
        )
    if current == after:
        raise Conflict(f"the creative is already {after.value}")
    return after


class ReviewItem(BaseModel):
    """One creative of ``GET /creatives/reviews``, with what a reviewer needs beside it."""

    creative: CreativeOut
    campaign_name: str
    advertiser: str | None


class ReviewQueue(BaseModel):
    creatives: list[ReviewItem]
