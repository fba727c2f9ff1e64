"""The Team page's API keys: make one for an integration (shown once), see which are in use,
revoke them."""

from __future__ import annotations

import streamlit as st

from ads.api_keys import KEY_ROLES
from ads.roles import Role
from dashboard import components as ui
from dashboard import formatting, session
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import ApiKey

_NEW_KEY = "api-key-made"
"""Session-state key of the key just made, shown once and then forgotten."""
_LABELS = {"name": "Key name", "role": "Key role"}


def _table(keys: list[ApiKey]) -> None:
    st.dataframe(
        [
            {
                "Name": k.name,
                "Role": formatting.ROLE[k.role].label,
                "Key": f"{k.shown}…",
                "Made by": k.created_by,
                "Last used": formatting.moment(k.last_used_at) if k.last_used_at else "never",
                "Status": "Revoked" if k.revoked_at else "Active",
            }
            for k in keys
        ],
        hide_index=True,
        width="stretch",
    )


def _create_form(api: AdminApi) -> None:
    with st.form("api-key-form", clear_on_submit=True, border=True):
        st.markdown("**Make an API key**")
        name = st.text_input("Key name", placeholder="Nightly BI export", key="api-key-name")
        role: Role | None = st.selectbox(
            "Key role",
            list(KEY_ROLES),
            index=1,
            format_func=lambda r: f"{formatting.ROLE[r].label}: {formatting.ROLE_HELP[r]}",
            key="api-key-role",
        )
        sent = st.form_submit_button("Make key", icon=":material/key:", key="api-key-send")
    if not sent or role is None:
        return
    try:
        made = api.create_api_key(name=name, role=role)
    except ApiError as exc:
        ui.report_api_error(exc, action="make the key", labels=_LABELS)
        return
    st.session_state[_NEW_KEY] = (made.api_key.name, made.key)
    st.rerun()


def _revoke(api: AdminApi, keys: list[ApiKey]) -> None:
    active = [k for k in keys if k.revoked_at is None]
    if not active:
        return
    with st.popover("Revoke a key", icon=":material/key_off:"):
        chosen = st.selectbox(
            "Key", active, format_func=lambda k: f"{k.name} ({k.shown}…)", key="api-key-pick"
        )
        if chosen is not None and st.button("Revoke", type="primary", key="api-key-revoke"):
            api.revoke_api_key(chosen.id)
            session.notify(f"API key {formatting.quoted(chosen.name)} revoked.")
            st.rerun()


def render(api: AdminApi) -> None:
    st.subheader("API keys")
    st.caption(
        "For integrations (reporting exports, trafficking scripts): send the key as "
        "`Authorization: Bearer <key>`. It acts with its role until revoked."
    )
    made = st.session_state.pop(_NEW_KEY, None)
    if made is not None:
        name, secret = made
        st.success(
            f"Key {formatting.quoted(name)} made. Copy it now: it is not shown again.",
            icon=":material/key:",
        )
        st.code(secret, language=None)
    keys = api.list_api_keys()
    if keys:
        _table(keys)
    with st.container(horizontal=True, vertical_alignment="top"):
        _create_form(api)
        _revoke(api, keys)
