"""Campaigns: search, filter by status, quick pause/resume, and the way to create one."""

from __future__ import annotations

import uuid

import streamlit as st

from ads.campaigns import CampaignStatus
from ads.delivery_alerts import BEHIND_PLAN_PACE
from ads.priority import Priority
from dashboard import components as ui
from dashboard import formatting, metrics, session
from dashboard.models import Campaign

PAGE_SIZE = 20
_PAGE = "campaigns-page"
_COLUMNS = [2.3, 1.2, 1.1, 1.0, 1.2, 1.2, 1.2, 2.0]
_HEADERS = ["Name", "Status", "Budget", "Spent", "Start", "End", "Impressions", "Actions"]
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


def _row(c: Campaign, impressions: dict[uuid.UUID, int] | None, *, editable: bool) -> None:
    cells = st.columns(_COLUMNS if editable else _COLUMNS[:-1], vertical_alignment="center")
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
        shown = len(_COLUMNS) if editable else len(_COLUMNS) - 1  # viewers get no actions
        header = st.columns(_COLUMNS[:shown])
        for cell, title in zip(header, _HEADERS[:shown], strict=True):
            cell.markdown(f"**{title}**")
        for campaign in listing.campaigns:
            _row(campaign, impressions, editable=editable)
    _pager(listing.total, page)
    if impressions is None:
        st.caption("Impressions appear once ad serving and beacon tracking are live.")


if __name__ == "__main__":
    render()
