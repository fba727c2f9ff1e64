"""``/campaigns``: CRUD, status changes and change history. Each write records who made it and
what it changed in the same transaction, commits, then writes through to Redis."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ads.campaigns import (
    BulkStatusChange,
    BulkStatusResult,
    CampaignCreate,
    CampaignOut,
    CampaignStatus,
    CampaignUpdate,
    StatusChange,
    StatusOutcome,
    StatusResult,
    check_transition,
    merge_update,
)
from ads.errors import Conflict, InvalidInput, NotFound
from ads.history import Action, CampaignChange, field_changes
from ads.inventory import HOUR, hour_of
from ads.pacing import planned_by
from ads.player_errors import player_error_report
from ads.serving_check import Published, ServingCheck, published_state, serving_check
from config.settings import get_settings
from deployments.management.creative_service import delete_objects, stored_keys
from deployments.management.deps import CurrentUser, EditorUser, SessionDep, StateDep, path_id
from deployments.management.state import ManagementState, write_through
from storage import campaign_history, stats
from storage import campaigns as repo
from storage import creatives as creative_repo
from storage.catalog_records import campaign_record, creative_record
from storage.models import Campaign

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
logger = logging.getLogger(__name__)


class CampaignEnvelope(BaseModel):
    campaign: CampaignOut


class CampaignHistory(BaseModel):
    changes: list[CampaignChange]


class CampaignPage(BaseModel):
    campaigns: list[CampaignOut]
    total: int
    limit: int
    offset: int


def _view(campaign: Campaign, now: datetime, state: ManagementState) -> CampaignOut:
    """The campaign as the API shows it, with what its plan has released by ``now`` and the
    link of its ads' "why this ad" page."""
    planned = planned_by(campaign_record(campaign), now)
    page = None if state.ad_info is None else state.ad_info.page_url(str(campaign.id))
    return CampaignOut.model_validate(campaign).model_copy(
        update={"budget_planned": planned, "ad_info_url": page}
    )


def _out(campaign: Campaign, state: ManagementState) -> CampaignEnvelope:
    return CampaignEnvelope(campaign=_view(campaign, datetime.now(UTC), state))


async def _load(session: AsyncSession, campaign_id: str, *, for_update: bool = False) -> Campaign:
    campaign = await repo.get(session, path_id(campaign_id, "campaign"), for_update=for_update)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id!r} not found")
    return campaign


async def _commit(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise InvalidInput(
            "the campaign violates a database constraint", details=str(exc.orig)
        ) from exc


@router.post("", status_code=201, response_model=CampaignEnvelope)
async def create_campaign(
    body: CampaignCreate, user: EditorUser, session: SessionDep, state: StateDep
) -> CampaignEnvelope:
    campaign = await repo.create(session, body.model_dump())
    await campaign_history.record(
        session, campaign_id=campaign.id, actor=user.email, action=Action.CREATED
    )
    await _commit(session)
    await write_through(state, campaign.id)
    return _out(campaign, state)


@router.get("", response_model=CampaignPage)
async def list_campaigns(
    _: CurrentUser,
    session: SessionDep,
    state: StateDep,
    status: CampaignStatus | None = None,
    search: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CampaignPage:
    rows, total = await repo.list_page(
        session, status=status.value if status else None, search=search, limit=limit, offset=offset
    )
    now = datetime.now(UTC)
    return CampaignPage(
        campaigns=[_view(r, now, state) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{campaign_id}", response_model=CampaignEnvelope)
async def get_campaign(
    campaign_id: str, _: CurrentUser, session: SessionDep, state: StateDep
) -> CampaignEnvelope:
    return _out(await _load(session, campaign_id), state)


@router.patch("/{campaign_id}", response_model=CampaignEnvelope)
async def update_campaign(
    campaign_id: str, body: CampaignUpdate, user: EditorUser, session: SessionDep, state: StateDep
) -> CampaignEnvelope:
    campaign = await _load(session, campaign_id, for_update=True)
    current = {
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "frequency_cap_ads": campaign.frequency_cap_ads,
        "frequency_cap_hours": campaign.frequency_cap_hours,
    }
    changes = merge_update(current, body, budget_spent=campaign.budget_spent)
    before = {name: getattr(campaign, name) for name in changes}
    changed = field_changes(before, changes, changes)
    campaign = await repo.update(session, campaign, changes)
    if changed:
        await campaign_history.record(
            session,
            campaign_id=campaign.id,
            actor=user.email,
            action=Action.UPDATED,
            changes=changed,
        )
    await _commit(session)
    await write_through(state, campaign.id)
    return _out(campaign, state)


@router.put("/{campaign_id}/status", response_model=CampaignEnvelope)
async def change_status(
    campaign_id: str, body: StatusChange, user: EditorUser, session: SessionDep, state: StateDep
) -> CampaignEnvelope:
    campaign = await _load(session, campaign_id, for_update=True)
    campaign = await _set_status(session, campaign, body.status, actor=user.email)
    await _commit(session)
    await write_through(state, campaign.id)
    return _out(campaign, state)


@router.post("/status", response_model=BulkStatusResult)
async def change_statuses(
    body: BulkStatusChange, user: EditorUser, session: SessionDep, state: StateDep
) -> BulkStatusResult:
    """Give each campaign named the status, each in a transaction of its own: one that has it
    already is left as it is, one that cannot take it (or is gone) is reported and skipped."""
    results = []
    for campaign_id in body.campaign_ids:
        results.append(await _status_of_one(session, campaign_id, body.status, actor=user.email))
        if results[-1].outcome is StatusOutcome.CHANGED:
            await write_through(state, campaign_id)
    changed = sum(r.outcome is StatusOutcome.CHANGED for r in results)
    return BulkStatusResult(results=results, changed=changed)


async def _status_of_one(
    session: AsyncSession, campaign_id: uuid.UUID, target: CampaignStatus, *, actor: str
) -> StatusResult:
    campaign = await repo.get(session, campaign_id, for_update=True)
    if campaign is None:
        await session.rollback()
        return StatusResult(campaign_id=campaign_id, outcome=StatusOutcome.NOT_FOUND, status=None)
    current = CampaignStatus(campaign.status)
    if current is target:
        await session.rollback()
        return StatusResult(
            campaign_id=campaign_id, outcome=StatusOutcome.UNCHANGED, status=current
        )
    try:
        await _set_status(session, campaign, target, actor=actor)
    except Conflict as exc:
        await session.rollback()
        return StatusResult(
            campaign_id=campaign_id,
            outcome=StatusOutcome.REFUSED,
            status=current,
            message=exc.message,
        )
    await _commit(session)
    return StatusResult(campaign_id=campaign_id, outcome=StatusOutcome.CHANGED, status=target)


async def _set_status(
    session: AsyncSession, campaign: Campaign, target: CampaignStatus, *, actor: str
) -> Campaign:
    """Move ``campaign`` (locked) to ``target`` and record it; :class:`Conflict` if it may
    not. The caller commits."""
    check_transition(
        CampaignStatus(campaign.status), target, end_date=campaign.end_date, now=datetime.now(UTC)
    )
    before = campaign.status
    campaign = await repo.update(session, campaign, {"status": target.value})
    await campaign_history.record(
        session,
        campaign_id=campaign.id,
        actor=actor,
        action=Action.STATUS,
        changes={"status": [before, target.value]},
    )
    return campaign


@router.delete("/{campaign_id}", status_code=204)
async def delete_campaign(
    campaign_id: str, user: EditorUser, session: SessionDep, state: StateDep
) -> Response:
    campaign = await _load(session, campaign_id, for_update=True)
    creatives = await creative_repo.list_for_campaign(session, campaign.id)
    keys = [key for creative in creatives for key in stored_keys(creative)]
    await repo.delete(session, campaign)
    await campaign_history.record(
        session,
        campaign_id=campaign.id,
        actor=user.email,
        action=Action.DELETED,
        changes={"name": [campaign.name, None]},  # its news names it after it is gone
    )
    await session.commit()
    await delete_objects(state, keys)
    await write_through(state, campaign.id)
    return Response(status_code=204)


@router.get("/{campaign_id}/serving-check", response_model=ServingCheck)
async def campaign_serving_check(
    campaign_id: str, _: CurrentUser, session: SessionDep, state: StateDep
) -> ServingCheck:
    """Whether the campaign can serve right now and, if not, why (ads/serving_check.py)."""
    campaign = await _load(session, campaign_id)
    now = datetime.now(UTC)
    record = campaign_record(campaign)
    published = Published.UNKNOWN
    if record.status == CampaignStatus.ACTIVE:
        try:
            published = published_state(record, await state.catalog.get_campaign(record.id))
        except (RedisError, OSError, KeyError, ValueError) as exc:
            logger.warning("serving check could not read the catalog: %s", exc)
    creatives = await creative_repo.list_for_campaign(session, campaign.id)
    today = await stats.daily_counters(
        session, first=now.date(), last=now.date(), campaign_id=campaign.id
    )
    spent_today = today[now.date()].spend if now.date() in today else Decimal(0)
    since = hour_of(now) - HOUR
    hourly = await stats.hourly_counters(session, campaign_id=campaign.id, start=since, end=now)
    impressions = sum(c.impressions for c in hourly.values())
    errors = await stats.error_counts(  # no split by platform: the check names codes only
        session,
        campaign_id=campaign.id,
        start=since,
        end=now,
        timeout_seconds=get_settings().report_reach_timeout_seconds,
    )
    return serving_check(
        record,
        # Only the creatives' serving status and length are read: no media URL is needed.
        [creative_record(c, media_url=str) for c in creatives],
        now=now,
        spent_today=spent_today,
        planned=planned_by(record, now),
        published=published,
        recent=(since, impressions),
        player_errors=player_error_report(
            campaign_id=campaign.id,
            start=since,
            end=now,
            impressions=impressions,
            read=None if errors is None else (errors, []),
            creative_names={},
        ),
    )


@router.get("/{campaign_id}/history", response_model=CampaignHistory)
async def campaign_changes(
    campaign_id: str,
    _: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CampaignHistory:
    """Who changed the campaign and how, newest first; kept after the campaign is deleted."""
    parsed = path_id(campaign_id, "campaign")
    changes = await campaign_history.history(session, parsed, limit=limit)
    if not changes and await repo.get(session, parsed) is None:
        raise NotFound(f"campaign {campaign_id!r} not found")
    return CampaignHistory(changes=changes)
