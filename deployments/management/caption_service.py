"""What the caption routes do: check an uploaded caption file against its creative, store it as
WebVTT, list it on the creative, remove it.

A creative has one caption file per language: a second upload in a language replaces the
first. The file is stored before the row names it and removed again if the row cannot be
written; a replaced or removed file goes once the row no longer names it.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ads.captions import (
    CAPTION_MIME,
    MAX_CAPTION_LANGUAGES,
    Captions,
    CaptionsRejected,
    caption_language,
    read_captions,
)
from ads.errors import NotFound
from ads.history import Action
from deployments.management.creative_service import delete_objects, existing_creative
from deployments.management.deps import Principal
from deployments.management.state import ManagementState, write_through
from storage import campaign_history
from storage.models import Creative
from storage.object_store import ObjectStore, new_object_key


async def add_captions(
    state: ManagementState,
    creative_id: uuid.UUID,
    *,
    language: str,
    upload: Path,
    editor: Principal,
) -> Creative:
    """Store ``upload`` as the creative's captions in ``language`` (replacing any it had in that
    language), record it in the campaign's history and write the campaign through.
    :class:`CaptionsRejected` for a file or language players could not use,
    :class:`NotFound` for a creative that is not there."""
    tag = caption_language(language)
    async with state.sessions() as session:
        creative = await existing_creative(session, creative_id)
        _check_room(creative, tag)
        duration_ms = creative.duration_ms
    data = await asyncio.to_thread(upload.read_bytes)
    captions = await asyncio.to_thread(read_captions, data, duration_ms=duration_ms)
    entry = await asyncio.to_thread(
        store_captions, state.store, creative_id, tag, captions, uploaded_by=editor.email
    )
    key = str(entry["key"])
    try:
        async with state.sessions() as session:
            creative = await existing_creative(session, creative_id, for_update=True)
            _check_room(creative, tag)
            replaced = [c for c in creative.captions if c["language"] == tag]
            kept = [c for c in creative.captions if c["language"] != tag]
            await _record(session, creative, sorted([*kept, entry], key=_language), editor)
            await session.commit()
    except BaseException:
        await delete_objects(state, [key])
        raise
    await delete_objects(state, [str(c["key"]) for c in replaced])
    await write_through(state, creative.campaign_id)
    return creative


async def remove_captions(
    state: ManagementState, creative_id: uuid.UUID, *, language: str, editor: Principal
) -> Creative:
    """Remove the creative's captions in ``language``; :class:`NotFound` if it has none."""
    tag = caption_language(language)
    async with state.sessions() as session:
        creative = await existing_creative(session, creative_id, for_update=True)
        removed = [c for c in creative.captions if c["language"] == tag]
        if not removed:
            raise NotFound(f"the creative has no captions in {tag!r}")
        kept = [c for c in creative.captions if c["language"] != tag]
        await _record(session, creative, kept, editor)
        await session.commit()
    await delete_objects(state, [str(c["key"]) for c in removed])
    await write_through(state, creative.campaign_id)
    return creative


def _check_room(creative: Creative, language: str) -> None:
    if creative.vast_tag_url is not None:
        raise CaptionsRejected(
            "a third-party VAST tag's captions come with its ads, from its own ad server"
        )
    languages = {str(c["language"]) for c in creative.captions}
    if language not in languages and len(languages) >= MAX_CAPTION_LANGUAGES:
        raise CaptionsRejected(
            f"a creative has captions in at most {MAX_CAPTION_LANGUAGES} languages",
            field="language",
        )


def store_captions(
    store: ObjectStore,
    creative_id: uuid.UUID,
    language: str,
    captions: Captions,
    *,
    uploaded_by: str,
) -> dict[str, Any]:
    """Write ``captions`` to a new object of the creative's; returns the record the creative's
    ``captions`` list keeps of it (the row is the caller's to write)."""
    key = new_object_key("captions", str(creative_id), suffix=f"{language.lower()}.vtt")
    with tempfile.TemporaryDirectory(prefix="ctv-captions-") as folder:
        path = Path(folder) / "captions.vtt"
        path.write_text(captions.text, encoding="utf-8")
        store.put_file(key, path, content_type=CAPTION_MIME)
    return {
        "language": language,
        "key": key,
        "cues": captions.cues,
        "source_format": captions.source_format,
        "uploaded_by": uploaded_by,
        "uploaded_at": datetime.now(UTC).isoformat(),
    }


def _language(entry: dict[str, Any]) -> str:
    return str(entry["language"])


async def _record(
    session: AsyncSession, creative: Creative, captions: list[dict[str, Any]], editor: Principal
) -> None:
    """Set the creative's captions and say so in its campaign's history (the languages before
    and after; a replaced file in the same language is a change too)."""
    before = [_language(c) for c in creative.captions]
    creative.captions = captions
    await campaign_history.record(
        session,
        campaign_id=creative.campaign_id,
        actor=editor.email,
        action=Action.CREATIVE_UPDATED,
        changes={
            "creative": [creative.name, creative.name],
            "captions": [before, [_language(c) for c in captions]],
        },
    )
    await session.flush()
    await session.refresh(creative)  # updated_at is set by the database
