"""Creatives: upload an MP4 to a campaign or add a third-party VAST tag, list, read, review,
delete.

The upload streams to a temporary file and is validated by its bytes; the creative comes back
``processing`` and the CreativeProcessor actor makes its renditions off the request path.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from ads.captions import CAPTION_MIME, MAX_CAPTION_BYTES
from ads.creative_review import ReviewDecision, ReviewItem, ReviewQueue
from ads.creatives import (
    MAX_NAME_LENGTH,
    CaptionOut,
    CreativeCopy,
    CreativeOut,
    CreativeUpdate,
    RenditionOut,
    VastTagCreate,
    clean_creative_name,
)
from ads.errors import NotFound
from deployments.management import caption_service
from deployments.management import creative_service as service
from deployments.management.deps import (
    AdminUser,
    CurrentUser,
    EditorUser,
    SessionDep,
    StateDep,
    path_id,
)
from deployments.management.state import ManagementState
from deployments.management.uploads import receive_form
from storage import campaigns as campaign_repo
from storage import creatives as repo
from storage.models import Creative

router = APIRouter(tags=["creatives"])

_UPLOAD_FORM: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["name", "video"],
                    "properties": {
                        "name": {"type": "string", "maxLength": MAX_NAME_LENGTH},
                        "video": {
                            "type": "string",
                            "format": "binary",
                            "description": "MP4 (H.264), within the size and duration limits",
                        },
                    },
                }
            }
        },
    }
}


_CAPTIONS_FORM: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["language", "file"],
                    "properties": {
                        "language": {"type": "string", "example": "en"},
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "WebVTT or SubRip (.srt), UTF-8, at most"
                            f" {MAX_CAPTION_BYTES // 1024} KiB",
                        },
                    },
                }
            }
        },
    }
}


class CreativeEnvelope(BaseModel):
    creative: CreativeOut


class CreativeList(BaseModel):
    creatives: list[CreativeOut]


def creative_out(creative: Creative, state: ManagementState) -> CreativeOut:
    """``creative`` as the API shows it, with absolute URLs from the state's object store and
    its loudness against the settings' target."""
    store = state.store
    return CreativeOut(
        id=creative.id,
        campaign_id=creative.campaign_id,
        name=creative.name,
        status=creative.status,
        progress=creative.progress,
        error=creative.error,
        mime=creative.mime,
        duration_ms=creative.duration_ms,
        size_bytes=creative.size_bytes,
        width=creative.width,
        height=creative.height,
        video_codec=creative.video_codec,
        audio_codec=creative.audio_codec,
        bitrate_kbps=creative.bitrate_kbps,
        url=None if creative.file_key is None else store.public_url(creative.file_key),
        vast_tag_url=creative.vast_tag_url,
        renditions=[
            RenditionOut.model_validate({**r, "url": store.public_url(str(r["key"]))})
            for r in creative.renditions
        ],
        captions=[
            CaptionOut.model_validate(
                {**c, "url": store.public_url(str(c["key"])), "mime": CAPTION_MIME}
            )
            for c in creative.captions
        ],
        loudness=repo.loudness_of(creative, state.settings.loudness_policy()),
        review_status=creative.review_status,
        review_note=creative.review_note,
        reviewed_by=creative.reviewed_by,
        reviewed_at=creative.reviewed_at,
        created_by=creative.created_by,
        paused=creative.paused,
        weight=creative.weight,
        starts_at=creative.starts_at,
        ends_at=creative.ends_at,
        skip_offset_s=creative.skip_offset_s,
        universal_ad_id=creative.universal_ad_id,
        created_at=creative.created_at,
        updated_at=creative.updated_at,
    )


@router.post(
    "/campaigns/{campaign_id}/creatives",
    status_code=201,
    response_model=CreativeEnvelope,
    openapi_extra=_UPLOAD_FORM,
)
async def upload_creative(
    campaign_id: str, request: Request, user: EditorUser, state: StateDep
) -> CreativeEnvelope:
    """Multipart ``name`` + ``video``; 201 with the creative ``processing`` (and, from an
    editor under ``CREATIVE_REVIEW=all``, awaiting review)."""
    campaign = path_id(campaign_id, "campaign")
    await service.require_campaign(state, campaign)
    async with receive_form(
        request.stream(),
        content_type=request.headers.get("content-type", ""),
        file_field="video",
        text_fields=("name",),
        max_file_bytes=state.settings.max_upload_bytes,
    ) as form:
        name = clean_creative_name(form.fields["name"])
        creative = await service.add_creative(
            state, campaign_id=campaign, name=name, upload=form.file, maker=user
        )
    return CreativeEnvelope(creative=creative_out(creative, state))


@router.post("/campaigns/{campaign_id}/vast-tags", status_code=201, response_model=CreativeEnvelope)
async def add_vast_tag(
    campaign_id: str, tag: VastTagCreate, user: EditorUser, state: StateDep
) -> CreativeEnvelope:
    """A third-party VAST tag as a creative of the campaign, served as a VAST ``<Wrapper>``
    (JSON: ``vast_tag_url``) with our impression and tracking beacons: at once when an admin
    adds it, after an admin's approval when an editor does (``CREATIVE_REVIEW``)."""
    campaign = path_id(campaign_id, "campaign")
    creative = await service.add_vast_tag(state, campaign_id=campaign, tag=tag, maker=user)
    return CreativeEnvelope(creative=creative_out(creative, state))


class CopiedCreatives(CreativeList):
    skipped: int
    """Creatives of the source left out: still processing, or failed."""


@router.post(
    "/campaigns/{campaign_id}/creatives/copy", status_code=201, response_model=CopiedCreatives
)
async def copy_creatives(
    campaign_id: str, body: CreativeCopy, user: EditorUser, state: StateDep
) -> CopiedCreatives:
    """Copy another campaign's ready creatives here (after duplicating it): files copied, review
    state kept; 201 with the copies and how many were left out."""
    copies, skipped = await service.copy_creatives(
        state, source=body.from_campaign_id, target=path_id(campaign_id, "campaign"), maker=user
    )
    return CopiedCreatives(creatives=[creative_out(c, state) for c in copies], skipped=skipped)


@router.get("/campaigns/{campaign_id}/creatives", response_model=CreativeList)
async def list_creatives(
    campaign_id: str, _: CurrentUser, session: SessionDep, state: StateDep
) -> CreativeList:
    campaign = path_id(campaign_id, "campaign")
    if await campaign_repo.get(session, campaign) is None:
        raise NotFound(f"campaign {campaign_id!r} not found")
    rows = await repo.list_for_campaign(session, campaign)
    return CreativeList(creatives=[creative_out(c, state) for c in rows])


@router.get("/creatives/reviews", response_model=ReviewQueue)
async def review_queue(_: CurrentUser, session: SessionDep, state: StateDep) -> ReviewQueue:
    """Creatives waiting for an admin's approval, oldest first, with their campaigns."""
    rows = await repo.awaiting_review(session)
    return ReviewQueue(
        creatives=[
            ReviewItem(
                creative=creative_out(creative, state),
                campaign_name=campaign.name,
                advertiser=campaign.advertiser,
            )
            for creative, campaign in rows
        ]
    )


@router.post("/creatives/{creative_id}/review", response_model=CreativeEnvelope)
async def review_creative(
    creative_id: str, decision: ReviewDecision, user: AdminUser, state: StateDep
) -> CreativeEnvelope:
    """Approve the creative (served from then on) or reject it with a note (served no more,
    whether it was waiting or approved); admins only. 409 if it is already in that state."""
    creative = await service.review_creative(
        state, path_id(creative_id, "creative"), decision, user
    )
    return CreativeEnvelope(creative=creative_out(creative, state))


@router.get("/creatives/{creative_id}", response_model=CreativeEnvelope)
async def get_creative(
    creative_id: str, _: CurrentUser, session: SessionDep, state: StateDep
) -> CreativeEnvelope:
    creative = await repo.get(session, path_id(creative_id, "creative"))
    if creative is None:
        raise NotFound(f"creative {creative_id!r} not found")
    return CreativeEnvelope(creative=creative_out(creative, state))


@router.patch("/creatives/{creative_id}", response_model=CreativeEnvelope)
async def update_creative(
    creative_id: str, update: CreativeUpdate, user: EditorUser, state: StateDep
) -> CreativeEnvelope:
    """Rename the creative, pause or resume it (a paused creative is not served; its delivery
    stays reported), set its rotation weight within the campaign (1-100), schedule it within
    its campaign's flight (``starts_at``/``ends_at``; null clears a side), or let viewers skip
    it after ``skip_offset_s`` seconds (null: not skippable)."""
    creative = await service.update_creative(state, path_id(creative_id, "creative"), update, user)
    return CreativeEnvelope(creative=creative_out(creative, state))


@router.post(
    "/creatives/{creative_id}/captions",
    status_code=201,
    response_model=CreativeEnvelope,
    openapi_extra=_CAPTIONS_FORM,
)
async def upload_captions(
    creative_id: str, request: Request, user: EditorUser, state: StateDep
) -> CreativeEnvelope:
    """Multipart ``language`` (``en``, ``es-MX``) + ``file`` (WebVTT, or SubRip converted to
    WebVTT): the creative's closed captions in that language, replacing any it had in it;
    served with the ad from the next catalog snapshot on. 422 ``captions_invalid`` saying what
    is wrong and on which line."""
    creative = path_id(creative_id, "creative")
    async with receive_form(
        request.stream(),
        content_type=request.headers.get("content-type", ""),
        file_field="file",
        text_fields=("language",),
        max_file_bytes=MAX_CAPTION_BYTES,
    ) as form:
        made = await caption_service.add_captions(
            state, creative, language=form.fields["language"], upload=form.file, editor=user
        )
    return CreativeEnvelope(creative=creative_out(made, state))


@router.delete("/creatives/{creative_id}/captions/{language}", response_model=CreativeEnvelope)
async def delete_captions(
    creative_id: str, language: str, user: EditorUser, state: StateDep
) -> CreativeEnvelope:
    """Remove the creative's captions in ``language``; 404 if it has none in it."""
    creative = await caption_service.remove_captions(
        state, path_id(creative_id, "creative"), language=language, editor=user
    )
    return CreativeEnvelope(creative=creative_out(creative, state))


@router.delete("/creatives/{creative_id}", status_code=204)
async def delete_creative(creative_id: str, _: EditorUser, state: StateDep) -> Response:
    """Deletes the creative, its stored original and renditions."""
    await service.delete_creative(state, path_id(creative_id, "creative"))
    return Response(status_code=204)
