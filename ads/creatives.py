"""Creative rules and API schemas: what a display name may be and how a creative is shown."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from ads.errors import InvalidInput

MAX_NAME_LENGTH = 255


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


class RenditionOut(BaseModel):
    """One transcoded file of a creative."""

    name: str
    url: str
    width: int
    height: int
    bitrate_kbps: int
    mime: str
    codec: str


class CreativeOut(BaseModel):
    """A creative as the management API returns it; ``url`` is the uploaded original."""

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
    url: str
    renditions: list[RenditionOut]
    created_at: datetime
    updated_at: datetime
