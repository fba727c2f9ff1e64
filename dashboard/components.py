"""Pieces every page uses: where pages live, status badges, error messages, status changes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import NoReturn

import streamlit as st
from pydantic import ValidationError

from ads.campaigns import ALLOWED_TRANSITIONS, CampaignStatus
from ads.creative_review import ReviewStatus
from ads.priority import Priority
from ads.roles import Role
from ads.vast import VastVersion
from dashboard import formatting, session
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import Campaign, CreativeStatus

# Page scripts, relative to dashboard/app.py (st.navigation registers them under these paths).
LOGIN = "views/login.py"
HOME = "views/home.py"
CAMPAIGNS = "views/campaigns.py"
CAMPAIGN_FORM = "views/campaign_form.py"
CAMPAIGN = "views/campaign_detail.py"
ANALYTICS = "views/analytics.py"
TEAM = "views/team.py"
REVIEWS = "views/reviews.py"
ACCOUNT = "views/account.py"

# What the button that moves a campaign to a status says.
STATUS_ACTIONS: dict[CampaignStatus, tuple[str, str]] = {
    CampaignStatus.ACTIVE: ("Activate", ":material/play_arrow:"),
    CampaignStatus.PAUSED: ("Pause", ":material/pause:"),
    CampaignStatus.COMPLETED: ("Complete", ":material/flag:"),
}


AUTO_VERSION = "Newest the player takes"


def vast_version_picker(*, key: str) -> VastVersion | None:
    """The VAST version a tag asks for; None: the newest the player lists in
    ``[VASTVERSIONS]`` (4.2 when it lists none)."""
    choice = st.selectbox(
        "VAST version",
        [AUTO_VERSION, *reversed(VastVersion)],
        key=key,
        width=240,
        help="Players that fill [VASTVERSIONS] get the newest version they take. For one that "
        "takes a single version and does not say so, pick it here.",
    )
    return None if choice == AUTO_VERSION else VastVersion(choice)


def tag_box(url: str, *, key: str, caption: str | None = None) -> None:
    """A VAST tag to copy (the code block's copy button) and a link that opens it."""
    with st.container(key=key):
        if caption:
            st.caption(caption)
        st.code(url, language=None, wrap_lines=True)
        st.link_button("Test tag", url, icon=":material/open_in_new:")


def campaign_badge(status: CampaignStatus) -> None:
    style = formatting.CAMPAIGN_STATUS[status]
    st.badge(style.label, color=style.color, icon=style.icon)


def priority_badge(priority: Priority) -> None:
    style = formatting.PRIORITY[priority]
    st.badge(style.label, color=style.color, icon=style.icon)


def role_badge(role: Role) -> None:
    style = formatting.ROLE[role]
    st.badge(style.label, color=style.color, icon=style.icon)


def creative_badge(status: CreativeStatus) -> None:
    style = formatting.CREATIVE_STATUS[status]
    st.badge(style.label, color=style.color, icon=style.icon)


def review_badge(status: ReviewStatus) -> None:
    style = formatting.REVIEW_STATUS[status]
    st.badge(style.label, color=style.color, icon=style.icon)


def action_label(current: CampaignStatus, target: CampaignStatus) -> tuple[str, str]:
    """Label and icon of the button taking a campaign from ``current`` to ``target``."""
    if current is CampaignStatus.PAUSED and target is CampaignStatus.ACTIVE:
        return "Resume", ":material/play_arrow:"
    return STATUS_ACTIONS[target]


def next_statuses(current: CampaignStatus) -> list[CampaignStatus]:
    """Statuses reachable from ``current``, in the order the buttons show them."""
    return [s for s in STATUS_ACTIONS if s in ALLOWED_TRANSITIONS[current]]


def change_status(api: AdminApi, campaign: Campaign, target: CampaignStatus) -> NoReturn:
    """Apply a status change, tell the user how it went and rerun the page."""
    try:
        api.set_status(campaign.id, target)
        label = formatting.CAMPAIGN_STATUS[target].label.lower()
        session.notify(f"{formatting.quoted(campaign.name)} is now {label}.")
    except ApiError as exc:
        if exc.status == 401:
            raise
        session.notify(
            f"Could not change {formatting.quoted(campaign.name)}: {exc.message}",
            icon=":material/error:",
        )
    st.rerun()


def report_api_error(
    exc: ApiError, *, action: str, labels: Mapping[str, str] | None = None
) -> None:
    """What any view does with an API failure it does not handle: a 401 ends the session (the
    API says why: expired, deactivated, password changed elsewhere)."""
    if exc.status == 401:
        reason = exc.message.removesuffix(": log in again")
        session.sign_out(f"Your session has ended ({reason}). Please log in again.")
        st.rerun()
    show_api_error(exc, action=action, labels=labels)


def show_api_error(exc: ApiError, *, action: str, labels: Mapping[str, str] | None = None) -> None:
    """An error box saying what failed and why, listing invalid fields by their form labels."""
    lines = [f"Could not {action}: {exc.message}."]
    for field, message in exc.field_errors:
        lines.append(f"- **{(labels or {}).get(field, field)}**: {message}")
    st.error("\n".join(lines), icon=":material/error:")


def validation_messages(exc: ValidationError, labels: Mapping[str, str]) -> list[str]:
    """One line per problem, naming the field as the form labels it."""
    messages = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        text = error["msg"].removeprefix("Value error, ")
        messages.append(f"**{labels[field]}**: {text}" if field in labels else text)
    return messages


def campaign_id_param(name: str = "id") -> uuid.UUID | None:
    """The ``?id=`` (or ``name``) of the page's URL as a campaign id, if it is one."""
    raw = st.query_params.get(name)
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None
