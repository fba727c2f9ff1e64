"""What the creative routes do: validate and store an upload, delete a creative with its files.

Each step that changes the object store undoes itself if a later step fails, so a refused or
failed upload leaves nothing behind. Sessions are opened only around their queries, never
across an upload.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actors.creative_processor import submit_processing
from ads.creative_review import (
    ReviewDecision,
    ReviewPolicy,
    ReviewStatus,
    initial_review,
    reviewed,
)
from ads.creatives import (
    SCHEDULE_FIELDS,
    CreativeStatus,
    CreativeUpdate,
    VastTagCreate,
    check_schedule,
    check_universal_ad_id,
    skip_offset_ms,
)
from ads.errors import InvalidInput, NotFound
from ads.history import Action, field_changes
from ads.loudness import Loudness
from config.settings import Settings
from deployments.management.deps import Principal
from deployments.management.state import ManagementState, write_through
from media.loudness import measure_loudness
from media.probe import MediaInfo, probe_video
from storage import campaign_history
from storage import campaigns as campaign_repo
from storage import creatives as repo
from storage.models import Creative
from storage.object_store import ObjectStore, key_for_copy, new_object_key

logger = logging.getLogger(__name__)


async def existing_creative(
    session: AsyncSession, creative_id: uuid.UUID, *, for_update: bool = False
) -> Creative:
    """The creative (its row locked until the transaction ends when ``for_update``);
    :class:`NotFound` if there is none."""
    read = repo.get_for_update if for_update else repo.get
    creative = await read(session, creative_id)
    if creative is None:
        raise NotFound(f"creative {str(creative_id)!r} not found")
    return creative


async def require_campaign(state: ManagementState, campaign_id: uuid.UUID) -> None:
    """:class:`NotFound` unless the campaign exists."""
    async with state.sessions() as session:
        if await campaign_repo.get(session, campaign_id) is None:
            raise NotFound(f"campaign {str(campaign_id)!r} not found")


async def add_creative(
    state: ManagementState, *, campaign_id: uuid.UUID, name: str, upload: Path, maker: Principal
) -> Creative:
    """Probe ``upload``, store it as the original and record a ``processing`` creative.

    Raises :class:`media.errors.MediaRejected` for a file that is not a usable MP4 and
    :class:`NotFound` if the campaign is gone. Then writes the campaign through to Redis and
    hands the creative to the processor for its renditions.
    """
    info, loudness = await asyncio.to_thread(examine_upload, upload, state.settings)
    creative = await store_creative(
        sessions=state.sessions,
        store=state.store,
        campaign_id=campaign_id,
        name=name,
        upload=upload,
        info=info,
        loudness=loudness,
        created_by=maker.email,
        review_status=_initial_review(state, maker, third_party=False),
    )
    await write_through(state, campaign_id)
    await _submit(creative.id)
    return creative


async def add_vast_tag(
    state: ManagementState, *, campaign_id: uuid.UUID, tag: VastTagCreate, maker: Principal
) -> Creative:
    """Record a third-party VAST tag creative (active at once; served once approved, see
    ads/creative_review.py) and write the campaign through;
    :class:`InvalidInput` for a duration over the creative limit, :class:`NotFound` if the
    campaign is gone."""
    limit = state.settings.max_creative_duration_s
    if tag.duration_s > limit:
        raise InvalidInput(
            f"duration_s is over the {limit:g} s creatives may run",
            details=[{"field": "duration_s", "message": f"at most {limit:g}"}],
        )
    try:
        async with state.sessions() as session:
            creative = await repo.create_vast_tag(
                session,
                campaign_id=campaign_id,
                name=tag.name,
                vast_tag_url=tag.vast_tag_url,
                duration_ms=round(tag.duration_s * 1000),
                created_by=maker.email,
                review_status=_initial_review(state, maker, third_party=True),
            )
            await _record_added(session, creative)
            await session.commit()
    except IntegrityError as exc:  # the only constraint it can break: the campaign is gone
        raise NotFound(f"campaign {str(campaign_id)!r} not found") from exc
    await write_through(state, campaign_id)
    return creative


def examine_upload(upload: Path, settings: Settings) -> tuple[MediaInfo, Loudness]:
    """Probe ``upload`` (:func:`media.probe.probe_video`, within the settings' limits) and measure
    its loudness; :class:`media.errors.MediaRejected` if it is not a usable MP4."""
    info = probe_video(
        upload,
        max_bytes=settings.max_upload_bytes,
        max_duration_s=settings.max_creative_duration_s,
    )
    return info, measure_loudness(upload)


async def store_creative(
    *,
    sessions: async_sessionmaker[AsyncSession],
    store: ObjectStore,
    campaign_id: uuid.UUID,
    name: str,
    upload: Path,
    info: MediaInfo,
    loudness: Loudness,
    created_by: str,
    review_status: ReviewStatus,
) -> Creative:
    """Store ``upload`` (probed as ``info``, measured as ``loudness``) under a new key and
    record it ``processing``.

    If the row cannot be written the stored file is removed again; :class:`NotFound` if the
    campaign does not exist (any more).
    """
    creative_id = uuid.uuid4()
    key = new_object_key("creatives", str(creative_id), suffix="source.mp4")
    await asyncio.to_thread(store.put_file, key, upload, content_type=info.mime)
    media = {k: v for k, v in asdict(info).items() if k != "container"}
    media |= {"loudness_lufs": loudness.integrated_lufs, "true_peak_dbtp": loudness.true_peak_dbtp}
    try:
        async with sessions() as session:
            creative = await repo.create(
                session,
                creative_id=creative_id,
                campaign_id=campaign_id,
                name=name,
                file_key=key,
                media=media,
                created_by=created_by,
                review_status=review_status,
            )
            await _record_added(session, creative)
            await session.commit()
    except BaseException as exc:
        await asyncio.to_thread(store.delete, key)
        if isinstance(exc, IntegrityError):
            # The only constraint an upload can break: its campaign is gone.
            raise NotFound(f"campaign {str(campaign_id)!r} not found") from exc
        raise
    return creative


async def _record_added(session: AsyncSession, creative: Creative) -> None:
    """The campaign's history entry of a new creative (a pending one is news for the admins:
    ads/notifications.py)."""
    await campaign_history.record(
        session,
        campaign_id=creative.campaign_id,
        actor=creative.created_by or "",
        action=Action.CREATIVE_ADDED,
        changes={"creative": [None, creative.name], "review": [None, creative.review_status]},
    )


def _initial_review(state: ManagementState, maker: Principal, *, third_party: bool) -> ReviewStatus:
    policy = ReviewPolicy(state.settings.creative_review)
    return initial_review(policy, third_party=third_party, maker=maker.role)


async def review_creative(
    state: ManagementState, creative_id: uuid.UUID, decision: ReviewDecision, reviewer: Principal
) -> Creative:
    """Approve or reject the creative, record it in its campaign's history, then write the
    campaign through (a rejected creative leaves every replica within the catalog's reach)."""
    async with state.sessions() as session:
        creative = await existing_creative(session, creative_id, for_update=True)
        before = {"review": creative.review_status, "note": creative.review_note}
        creative.review_status = reviewed(creative.review_status, decision).value
        creative.review_note = decision.note
        creative.reviewed_by = reviewer.email
        creative.reviewed_at = datetime.now(UTC)
        after = {"review": creative.review_status, "note": creative.review_note}
        await campaign_history.record(
            session,
            campaign_id=creative.campaign_id,
            actor=reviewer.email,
            action=Action.REVIEWED,
            changes={
                "creative": [creative.name, creative.name],
                **field_changes(before, after, ("review", "note")),
            },
        )
        await session.refresh(creative)  # updated_at is set by the database
        await session.commit()
    await write_through(state, creative.campaign_id)
    return creative


async def update_creative(
    state: ManagementState, creative_id: uuid.UUID, update: CreativeUpdate, editor: Principal
) -> Creative:
    """Rename, pause, resume, reweight, schedule the creative, make it skippable or name its
    industry id, record what changed in its campaign's history, then write the campaign through
    (a pause reaches every replica as a review does). :class:`InvalidInput` for a schedule that
    ends before it starts, a skip offset past the ad's end or an industry id on a VAST tag."""
    fields = sorted(update.model_fields_set)
    async with state.sessions() as session:
        creative = await existing_creative(session, creative_id, for_update=True)
        after = {  # the schedule as it will be: each side as sent, else as stored
            f: getattr(update if f in update.model_fields_set else creative, f)
            for f in SCHEDULE_FIELDS
        }
        check_schedule(after["starts_at"], after["ends_at"])
        check_universal_ad_id(update.universal_ad_id, vast_tag=creative.vast_tag_url is not None)
        named = creative.name
        before = {field: getattr(creative, field) for field in fields}
        for field in fields:
            if field == "skip_offset_s":
                creative.skip_offset_ms = skip_offset_ms(
                    update.skip_offset_s,
                    duration_ms=creative.duration_ms,
                    vast_tag=creative.vast_tag_url is not None,
                )
            else:
                setattr(creative, field, getattr(update, field))
        changes = field_changes(before, {f: getattr(creative, f) for f in fields}, fields)
        if not changes:
            return creative  # as it was: no history entry, nothing to publish
        changes.pop("name", None)
        await campaign_history.record(
            session,
            campaign_id=creative.campaign_id,
            actor=editor.email,
            action=Action.CREATIVE_UPDATED,
            changes={"creative": [named, creative.name], **changes},
        )
        await session.refresh(creative)  # updated_at is set by the database
        await session.commit()
    await write_through(state, creative.campaign_id)
    return creative


async def delete_creative(state: ManagementState, creative_id: uuid.UUID) -> None:
    """Delete the row, then its original and renditions, then update the catalog."""
    async with state.sessions() as session:
        creative = await existing_creative(session, creative_id)
        keys = stored_keys(creative)
        await repo.delete(session, creative)
        await session.commit()
    await delete_objects(state, keys)
    await write_through(state, creative.campaign_id)


async def copy_creatives(
    state: ManagementState, *, source: uuid.UUID, target: uuid.UUID, maker: Principal
) -> tuple[list[Creative], int]:
    """Copy the ready creatives of campaign ``source`` to campaign ``target`` (a duplicate):
    files copied to keys of their own (deleting one campaign's creative leaves the other's
    files), review state carried over (the same content keeps its verdict). Returns the copies
    and how many were left out (still processing, or failed). :class:`NotFound` for a missing
    campaign, :class:`InvalidInput` for a campaign copied onto itself."""
    if source == target:
        raise InvalidInput("a campaign's creatives cannot be copied onto itself")
    await require_campaign(state, target)
    await require_campaign(state, source)
    async with state.sessions() as session:
        originals = await repo.list_for_campaign(session, source)
    ready = [c for c in originals if c.status == CreativeStatus.ACTIVE.value]
    copies: list[Creative] = []
    try:
        for creative in ready:
            copies.append(await _copy(state, creative, target, maker))
    finally:  # the copies made before a failure are kept, and published
        if copies:
            await write_through(state, target)
    return copies, len(originals) - len(ready)


async def _copy(
    state: ManagementState, creative: Creative, campaign_id: uuid.UUID, maker: Principal
) -> Creative:
    """One creative copied: its files first, removed again if the row cannot be written."""
    creative_id = uuid.uuid4()
    moved = {key: key_for_copy(key, str(creative_id)) for key in stored_keys(creative)}
    try:
        for key, copy in moved.items():
            await asyncio.to_thread(state.store.copy, key, copy)
        async with state.sessions() as session:
            made = await repo.create_copy(
                session,
                creative,
                creative_id=creative_id,
                campaign_id=campaign_id,
                file_key=None if creative.file_key is None else moved[creative.file_key],
                renditions=[{**r, "key": moved[str(r["key"])]} for r in creative.renditions],
                captions=[{**c, "key": moved[str(c["key"])]} for c in creative.captions],
                created_by=maker.email,
            )
            await _record_added(session, made)
            await session.commit()
    except BaseException as exc:
        await delete_objects(state, list(moved.values()))
        if isinstance(exc, IntegrityError):  # the campaign went away meanwhile
            raise NotFound(f"campaign {str(campaign_id)!r} not found") from exc
        raise
    return made


def stored_keys(creative: Creative) -> list[str]:
    """Every object a creative owns in the store: the original, each rendition and each caption
    file (none for a VAST tag)."""
    original = [] if creative.file_key is None else [creative.file_key]
    records = [*creative.renditions, *creative.captions]
    return [*original, *(str(r["key"]) for r in records)]


async def delete_objects(state: ManagementState, keys: list[str]) -> None:
    for key in keys:
        await asyncio.to_thread(state.store.delete, key)


async def _submit(creative_id: uuid.UUID) -> None:
    try:
        await asyncio.to_thread(submit_processing, creative_id)
    except Exception:
        logger.exception(
            "could not reach the creative processor; its sweep will pick up %s", creative_id
        )
