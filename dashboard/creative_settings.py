"""A creative's settings on the campaign page: pause and resume, its rotation weight and its
name (``PATCH /creatives/{id}``)."""

from __future__ import annotations

import streamlit as st

from ads.creatives import MAX_NAME_LENGTH, MAX_WEIGHT
from dashboard import components as ui
from dashboard import formatting, session
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import Creative

WEIGHT_HELP = (
    "How often it plays against the campaign's other creatives that fit a break: weight 3 "
    "plays three times as often as weight 1. All equal: an even rotation."
)


def state(creative: Creative, *, weighted: bool) -> None:
    """Paused, and its weight where the campaign's creatives do not all have the same one."""
    if creative.paused:
        st.badge("Paused", color="gray", icon=":material/pause_circle:")
    if weighted:
        st.badge(f"Weight {creative.weight}", color="blue", icon=":material/balance:")


def controls(api: AdminApi, creative: Creative) -> None:
    """Pause or resume at once; rename and reweight in a popover."""
    if creative.paused:
        if st.button("Resume", icon=":material/play_circle:", key=f"resume-{creative.id}"):
            _save(api, creative, "resumed: players get it again", paused=False)
    elif st.button("Pause", icon=":material/pause_circle:", key=f"pause-{creative.id}"):
        _save(api, creative, "paused: players no longer get it", paused=True)
    with st.popover("Settings", icon=":material/tune:"):
        name = st.text_input(
            "Name", value=creative.name, max_chars=MAX_NAME_LENGTH, key=f"name-{creative.id}"
        )
        weight = st.number_input(
            "Rotation weight",
            min_value=1,
            max_value=MAX_WEIGHT,
            value=creative.weight,
            help=WEIGHT_HELP,
            key=f"weight-{creative.id}",
        )
        if st.button("Save", type="primary", key=f"save-creative-{creative.id}"):
            _save(api, creative, "saved", name=name, weight=int(weight))


def _save(api: AdminApi, creative: Creative, done: str, **changes: object) -> None:
    try:
        saved = api.update_creative(creative.id, **changes)
    except ApiError as exc:
        ui.report_api_error(exc, action="change the creative")
        return
    session.notify(f"Creative {formatting.quoted(saved.name)} {done}.")
    st.rerun()
