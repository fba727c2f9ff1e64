"""Streamlit dashboard entry point (the full marketer UI has its own issue)."""

from __future__ import annotations

import httpx
import streamlit as st

from config.settings import get_settings

API = get_settings().admin_api_url

st.set_page_config(page_title="CTV Ad Server", page_icon="📺", layout="wide")
st.title("CTV Ad Server")

if "token" not in st.session_state:
    with st.form("login"):
        email = st.text_input("Email")
        password = st.text_input("Password", type="password")
        if st.form_submit_button("Log in"):
            answer = httpx.post(
                f"{API}/auth/login", json={"email": email, "password": password}, timeout=10
            )
            if answer.status_code == 200:
                st.session_state["token"] = answer.json()["access_token"]
                st.rerun()
            else:
                st.error(answer.json().get("error", {}).get("message", "login failed"))
else:
    headers = {"Authorization": f"Bearer {st.session_state['token']}"}
    page = httpx.get(f"{API}/campaigns", headers=headers, timeout=10)
    if page.status_code == 401:
        del st.session_state["token"]
        st.rerun()
    data = page.json()
    st.metric("Campaigns", data["total"])
    st.dataframe(
        [
            {
                k: c[k]
                for k in (
                    "name",
                    "status",
                    "budget_total",
                    "budget_spent",
                    "start_date",
                    "end_date",
                )
            }
            for c in data["campaigns"]
        ],
        use_container_width=True,
    )
    if st.button("Log out"):
        del st.session_state["token"]
        st.rerun()
