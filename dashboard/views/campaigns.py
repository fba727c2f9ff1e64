"""Campaigns: search, filter by status, quick pause/resume, pause or activate the selected
rows together, and the way to create one."""

from __future__ import annotations

import uuid

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ads.campaigns import BulkStatusResult, CampaignStatus, StatusOutcome
from ads.delivery_alerts import BEHIND_PLAN_PACE
from ads.priority import Priority
from dashboard import components as ui
from dashboard import formatting, metrics, session
from dashboard.api_client import ApiError
from dashboard.models import Campaign

PAGE_SIZE = 20
_PAGE = "campaigns-page"
_PICK_PAGE = "pick-page"
_COLUMNS = [2.3, 1.2, 1.1, 1.0, 1.2, 1.2, 1.2]
_HEADERS = ["Name", "Status", "Budget", "Spent", "Start", "End", "Impressions"]
# Editors get a box to select each row by, and the row's actions.
_EDITOR_COLUMNS = [0.35, *_COLUMNS, 2.0]
_EDITOR_HEADERS = ["", *_HEADERS, "Actions"]
# What the selected campaigns can be given at once (completing is one by one: it is final).
_BULK = (CampaignStatus.PAUSED, CampaignStatus.ACTIVE)
# The one-click action of the list for each status (completed campaigns have none).
_QUICK: dict[CampaignStatus, CampaignStatus] = {
    CampaignStatus.DRAFT: CampaignStatus.ACTIVE,
    CampaignStatus.ACTIVE: CampaignStatus.PAUSED,
    CampaignStatus.PAUSED: CampaignStatus.ACTIVE,
}


def _first_page() -> None:
    st.session_state[_PAGE] = 0


def _filters() -> tuple[str, CampaignStatus | None]:
    with st.container(horizontal=True, vertical_alignment="bottom", key="campaign-filters"):
        search = st.text_input(
            "Search",
            placeholder="Search by name or advertiser",
            icon=":material/search:",
            key="campaigns-search",
            on_change=_first_page,
        )
        status = st.segmented_control(
            "Status",
            [None, *CampaignStatus],
            format_func=lambda s: "All" if s is None else formatting.CAMPAIGN_STATUS[s].label,
            default=None,
            key="campaigns-status",
            on_change=_first_page,
        )
    return search or "", status


def _pick_key(campaign_id: uuid.UUID) -> str:
    return f"pick-{campaign_id}"


def _row(c: Campaign, impressions: dict[uuid.UUID, int] | None, *, editable: bool) -> None:
    cells = st.columns(_EDITOR_COLUMNS if editable else _COLUMNS, vertical_alignment="center")
    if editable:
        cells[0].checkbox(f"Select {c.name}", key=_pick_key(c.id), label_visibility="collapsed")
        cells = cells[1:]
    cells[0].page_link(
        ui.CAMPAIGN, label=formatting.md(c.name), query_params={"id": str(c.id)}, width="stretch"
    )
    with cells[1]:
        ui.campaign_badge(c.status)
        if c.priority is not Priority.STANDARD:
            ui.priority_badge(c.priority)
    cells[2].text(formatting.money(c.budget_total))
    cells[3].markdown(_spent(c))
    cells[4].text(formatting.day(c.start_date))
    cells[5].text(formatting.day(c.end_date))
    cells[6].text("—" if impressions is None else formatting.count(impressions.get(c.id, 0)))
    if not editable:
        return
    with cells[7], st.container(horizontal=True, gap="small", wrap=False):
        target = _QUICK.get(c.status)
        if target is not None:
            label, icon = ui.action_label(c.status, target)
            if st.button(label, icon=icon, key=f"quick-{c.id}", type="tertiary"):
                ui.change_status(session.api(), c, target)
        st.page_link(
            ui.CAMPAIGN_FORM, label="Edit", icon=":material/edit:", query_params={"id": str(c.id)}
        )


def _bulk_actions(campaigns: list[Campaign]) -> None:
    """For the rows selected on this page: the status changes they can take together."""
    picked = [c for c in campaigns if st.session_state.get(_pick_key(c.id))]
    if not picked:
        return
    with st.container(horizontal=True, vertical_alignment="center", key="bulk-actions"):
        st.markdown(f"**{len(picked)} selected**")
        for target in _BULK:
            label, icon = ui.STATUS_ACTIONS[target]
            st.button(
                label, icon=icon, key=f"bulk-{target.value}", on_click=_apply, args=(picked, target)
            )
        st.button("Clear selection", type="tertiary", on_click=_unpick, args=(picked,))


def _apply(picked: list[Campaign], target: CampaignStatus) -> None:
    """Give the selected campaigns ``target``; say what changed and why the rest did not."""
    try:
        result = session.api().set_statuses([c.id for c in picked], target)
    except ApiError as exc:
        session.notify(f"Could not change the campaigns: {exc.message}", icon=":material/error:")
        return
    for message, icon in bulk_outcome(result, {c.id: c.name for c in picked}, target):
        session.notify(message, icon=icon)
    _unpick(picked)


def bulk_outcome(
    result: BulkStatusResult, names: dict[uuid.UUID, str], target: CampaignStatus
) -> list[tuple[str, str]]:
    """Toasts for a bulk status change: how many changed (and had it already), then each
    campaign that could not take it, and why."""
    label = formatting.CAMPAIGN_STATUS[target].label.lower()
    unchanged = sum(r.outcome is StatusOutcome.UNCHANGED for r in result.results)
    noun = "campaign" if result.changed == 1 else "campaigns"
    summary = f"{result.changed} {noun} now {label}"
    if unchanged:
        summary += f"; {unchanged} {label} already"
    toasts = [(summary + ".", ":material/check_circle:")]
    for r in result.results:
        if r.outcome in (StatusOutcome.REFUSED, StatusOutcome.NOT_FOUND):
            why = r.message or "it no longer exists"
            name = formatting.quoted(names.get(r.campaign_id, str(r.campaign_id)))
            toasts.append((f"{name} not changed: {why}.", ":material/error:"))
    return toasts


def _page_box(cell: DeltaGenerator, campaigns: list[Campaign]) -> None:
    """The header's box: ticked while every row of the page is; ticking or clearing it does the
    same to every row."""
    st.session_state[_PICK_PAGE] = all(st.session_state.get(_pick_key(c.id)) for c in campaigns)
    cell.checkbox(
        "Select every campaign on this page",
        key=_PICK_PAGE,
        label_visibility="collapsed",
        on_change=_pick_page,
        args=(campaigns,),
    )


def _pick_page(campaigns: list[Campaign]) -> None:
    chosen = bool(st.session_state.get(_PICK_PAGE))
    for c in campaigns:
        st.session_state[_pick_key(c.id)] = chosen


def _unpick(picked: list[Campaign]) -> None:
    for c in picked:
        st.session_state[_pick_key(c.id)] = False


def _spent(c: Campaign) -> str:
    """What it spent, and for a running evenly paced campaign its pace against the plan so far
    (orange when under 90% of it)."""
    spent = formatting.md(formatting.money(c.budget_spent))
    if c.status is not CampaignStatus.ACTIVE or not c.budget_planned:
        return spent
    pace = float(c.budget_spent / c.budget_planned)
    color = "orange" if pace < BEHIND_PLAN_PACE else "gray"
    return f"{spent}  \n:{color}[{formatting.percent(pace)} of plan]"


def _pager(total: int, page: int) -> None:
    first = page * PAGE_SIZE + 1
    last = min(total, (page + 1) * PAGE_SIZE)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Showing {first} to {last} of {formatting.count(total)}")
        if st.button("Previous", icon=":material/chevron_left:", disabled=page == 0):
            st.session_state[_PAGE] = page - 1
            st.rerun()
        if st.button("Next", icon=":material/chevron_right:", disabled=last >= total):
            st.session_state[_PAGE] = page + 1
            st.rerun()


def render() -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.title("Campaigns")
        editable = session.can_edit()
        if editable and st.button(
            "New campaign", type="primary", icon=":material/add:", key="new-campaign"
        ):
            st.switch_page(ui.CAMPAIGN_FORM)
    search, status = _filters()
    page = int(st.session_state.get(_PAGE, 0))
    api = session.api()
    listing = api.list_campaigns(
        status=status, search=search.strip() or None, limit=PAGE_SIZE, offset=page * PAGE_SIZE
    )
    if not listing.campaigns and page > 0:  # the last page emptied (deletions): start over
        _first_page()
        st.rerun()
    if editable:  # above the rows: what was picked on the last run
        _bulk_actions(listing.campaigns)
    with st.container(key="campaign-table"):
        if not listing.campaigns:
            filtered = bool(search.strip()) or status is not None
            st.info(
                "No campaigns match these filters."
                if filtered
                else "No campaigns yet. Create one to get started."
            )
            return
        impressions = metrics.impressions_by_campaign(api, listing.campaigns)
        widths, titles = (_EDITOR_COLUMNS, _EDITOR_HEADERS) if editable else (_COLUMNS, _HEADERS)
        header = st.columns(widths)
        if editable:
            _page_box(header[0], listing.campaigns)
        for cell, title in zip(header, titles, strict=True):
            if title:
                cell.markdown(f"**{title}**")
        for campaign in listing.campaigns:
            _row(campaign, impressions, editable=editable)
    _pager(listing.total, page)
    if impressions is None:
        st.caption("Impressions appear once ad serving and beacon tracking are live.")


if __name__ == "__main__":
    render()
