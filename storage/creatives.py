"""Creatives repository: all creative SQL lives here. Callers own the transaction.

Processing updates (progress, activation, failure) only touch a creative that is still
``processing``; they return whether a row changed, so a creative deleted (or finished) in the
meantime is left alone.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ads.creative_review import ReviewStatus
from ads.creatives import VAST_TAG_MIME, CreativeStatus
from ads.loudness import Loudness, LoudnessPolicy, LoudnessReport, Normalization, loudness_report
from storage.models import Campaign, Creative


async def create(
    session: AsyncSession,
    *,
    creative_id: uuid.UUID,
    campaign_id: uuid.UUID,
    name: str,
    file_key: str,
    media: dict[str, Any],
    created_by: str,
    review_status: ReviewStatus,
) -> Creative:
    """Insert a ``processing`` creative; ``media`` holds the probed columns (mime, sizes, ...)."""
    creative = Creative(
        id=creative_id,
        campaign_id=campaign_id,
        name=name,
        file_key=file_key,
        created_by=created_by,
        review_status=review_status.value,
        **media,
    )
    return await _inserted(session, creative)


async def create_vast_tag(
    session: AsyncSession,
    *,
    campaign_id: uuid.UUID,
    name: str,
    vast_tag_url: str,
    duration_ms: int,
    created_by: str,
    review_status: ReviewStatus,
) -> Creative:
    """Insert a third-party VAST tag creative, active at once (it has nothing to encode)."""
    creative = Creative(
        campaign_id=campaign_id,
        created_by=created_by,
        review_status=review_status.value,
        name=name,
        vast_tag_url=vast_tag_url,
        status=CreativeStatus.ACTIVE.value,
        mime=VAST_TAG_MIME,
        duration_ms=duration_ms,
        size_bytes=0,
        width=0,
        height=0,
        progress=1.0,
    )
    return await _inserted(session, creative)


_COPIED_COLUMNS = (
    "name",
    "status",
    "vast_tag_url",
    "mime",
    "duration_ms",
    "size_bytes",
    "width",
    "height",
    "video_codec",
    "audio_codec",
    "bitrate_kbps",
    "loudness_lufs",
    "true_peak_dbtp",
    "progress",
    "review_status",
    "review_note",
    "reviewed_by",
    "reviewed_at",
    "paused",
    "weight",
    "skip_offset_ms",
    "universal_ad_registry",
    "universal_ad_value",
)
"""What a copy keeps of its source: the content, the verdict on it and its settings, not who
made it nor its schedule (a copy usually runs in another flight, where the dates would keep it
off the air)."""


async def create_copy(
    session: AsyncSession,
    source: Creative,
    *,
    creative_id: uuid.UUID,
    campaign_id: uuid.UUID,
    file_key: str | None,
    renditions: list[dict[str, Any]],
    captions: list[dict[str, Any]],
    created_by: str,
) -> Creative:
    """Insert a copy of ``source`` under ``campaign_id`` with its files at the keys given."""
    creative = Creative(
        id=creative_id,
        campaign_id=campaign_id,
        file_key=file_key,
        renditions=renditions,
        captions=captions,
        created_by=created_by,
        **{column: getattr(source, column) for column in _COPIED_COLUMNS},
    )
    return await _inserted(session, creative)


async def _inserted(session: AsyncSession, creative: Creative) -> Creative:
    """``creative`` written, with what the database fills in (times, defaults) read back."""
    session.add(creative)
    await session.flush()
    await session.refresh(creative)
    return creative


async def get(session: AsyncSession, creative_id: uuid.UUID) -> Creative | None:
    result = await session.execute(select(Creative).where(Creative.id == creative_id))
    return result.scalar_one_or_none()


async def get_for_update(session: AsyncSession, creative_id: uuid.UUID) -> Creative | None:
    """The creative, its row locked until the transaction ends (two reviewers take turns)."""
    result = await session.execute(
        select(Creative).where(Creative.id == creative_id).with_for_update()
    )
    return result.scalar_one_or_none()


async def awaiting_review(session: AsyncSession) -> list[tuple[Creative, Campaign]]:
    """Creatives waiting for review, oldest first, each with its campaign."""
    result = await session.execute(
        select(Creative, Campaign)
        .join(Campaign, Campaign.id == Creative.campaign_id)
        .where(Creative.review_status == ReviewStatus.PENDING.value)
        .order_by(Creative.created_at, Creative.id)
    )
    return [(creative, campaign) for creative, campaign in result.tuples()]


async def list_for_campaign(session: AsyncSession, campaign_id: uuid.UUID) -> list[Creative]:
    """The campaign's creatives, oldest first."""
    result = await session.execute(
        select(Creative)
        .where(Creative.campaign_id == campaign_id)
        .order_by(Creative.created_at, Creative.id)
    )
    return list(result.scalars().all())


async def delete(session: AsyncSession, creative: Creative) -> None:
    await session.delete(creative)
    await session.flush()


async def processing_ids(session: AsyncSession) -> list[uuid.UUID]:
    """Creatives still waiting for their renditions, oldest first."""
    result = await session.execute(
        select(Creative.id)
        .where(Creative.status == CreativeStatus.PROCESSING.value)
        .order_by(Creative.created_at)
    )
    return list(result.scalars().all())


async def set_progress(session: AsyncSession, creative_id: uuid.UUID, progress: float) -> bool:
    """Raise the progress of a processing creative (it never goes back)."""
    return await _update_processing(
        session, creative_id, progress=func.greatest(Creative.progress, progress)
    )


async def activate(
    session: AsyncSession, creative_id: uuid.UUID, *, renditions: list[dict[str, Any]]
) -> bool:
    """Record the renditions and make the creative servable."""
    return await _update_processing(
        session,
        creative_id,
        status=CreativeStatus.ACTIVE.value,
        renditions=renditions,
        progress=1.0,
        error=None,
    )


async def fail(session: AsyncSession, creative_id: uuid.UUID, *, error: str) -> bool:
    return await _update_processing(
        session, creative_id, status=CreativeStatus.FAILED.value, error=error
    )


async def _update_processing(session: AsyncSession, creative_id: uuid.UUID, **values: Any) -> bool:
    result = await session.execute(
        update(Creative)
        .where(Creative.id == creative_id, Creative.status == CreativeStatus.PROCESSING.value)
        .values(**values)
        .returning(Creative.id)
    )
    return result.scalar_one_or_none() is not None


def upload_loudness(creative: Creative) -> Loudness | None:
    """The upload's loudness as measured when it arrived; None if it never was."""
    if creative.loudness_lufs is None:
        return None
    return Loudness(creative.loudness_lufs, creative.true_peak_dbtp)


def loudness_of(creative: Creative, policy: LoudnessPolicy) -> LoudnessReport | None:
    """The creative's loudness report (ads/loudness.py) from its upload's and its renditions'
    measurements."""
    measured = [r for r in creative.renditions if r.get("loudness_lufs") is not None]
    served = [Loudness(float(r["loudness_lufs"]), r.get("true_peak_dbtp")) for r in measured]
    applied = (
        Normalization(float(measured[0].get("gain_db") or 0.0), measured[0].get("gain_limited_by"))
        if measured
        else None
    )
    return loudness_report(upload_loudness(creative), served, policy, applied=applied)
