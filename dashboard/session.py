"""The browser session: the API token kept in ``st.session_state`` and one-shot notices."""

from __future__ import annotations

import httpx
import streamlit as st

from ads.roles import Role
from config.settings import get_settings
from dashboard.api_client import AdminApi

# Keys of st.session_state this module owns (tests read and overwrite the token).
TOKEN_KEY = "auth_token"  # noqa: S105 (a session-state key, not a secret)
EMAIL_KEY = "auth_email"
ROLE_KEY = "auth_role"
_NOTICES = "notices"


@st.cache_resource(show_spinner=False)
def _http(base_url: str) -> httpx.Client:
    """One pooled HTTP client per API address, shared by every browser session."""
    return httpx.Client(base_url=base_url, timeout=httpx.Timeout(15.0, connect=5.0))


def api(*, token: str | None = None) -> AdminApi:
    """A client of the management API carrying ``token``, by default this session's (if any)."""
    token = token or st.session_state.get(TOKEN_KEY)
    return AdminApi(_http(get_settings().admin_api_url), token=token)


def signed_in() -> bool:
    return bool(st.session_state.get(TOKEN_KEY))


def email() -> str:
    return str(st.session_state.get(EMAIL_KEY, ""))


def role() -> Role:
    """The signed-in user's role (viewer when unknown: pages then offer no changes)."""
    raw = st.session_state.get(ROLE_KEY)
    return Role(raw) if raw in {r.value for r in Role} else Role.VIEWER


def can_edit() -> bool:
    """Whether this user may change campaigns and creatives (the API checks it again)."""
    return role().can_edit


def sign_in(*, token: str, user_email: str, user_role: Role) -> None:
    st.session_state[TOKEN_KEY] = token
    st.session_state[EMAIL_KEY] = user_email
    set_role(user_role)


def set_role(user_role: Role) -> None:
    st.session_state[ROLE_KEY] = user_role.value


def replace_token(token: str) -> None:
    """Go on with a new token (after a password change ended the old one)."""
    st.session_state[TOKEN_KEY] = token


def sign_out(reason: str | None = None) -> None:
    """Forget everything about this session; ``reason`` is shown on the login page."""
    st.session_state.clear()
    if reason:
        notify(reason, icon=":material/lock:")


def notify(message: str, *, icon: str = ":material/check_circle:") -> None:
    """Queue a toast for the next page shown (survives ``st.rerun`` and ``st.switch_page``)."""
    st.session_state.setdefault(_NOTICES, []).append((message, icon))


def show_notices() -> None:
    for message, icon in st.session_state.pop(_NOTICES, []):
        st.toast(message, icon=icon)
