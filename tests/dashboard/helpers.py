"""Helpers of the dashboard tests: the app under test, logging in, test campaigns."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from streamlit.testing.v1 import AppTest

from tests.stack_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD

TAG_MACROS = (
    "ifa=[IFA]&app_bundle=[APPBUNDLE]&ua=[DEVICEUA]"
    "&lmt=[LIMITADTRACKING]&regs=[REGULATIONS]&gdpr_consent=[GDPRCONSENT]"
    "&vast_versions=[VASTVERSIONS]"
)
"""How every VAST tag the dashboard makes ends: the IAB macros players fill."""

W = TypeVar("W")
REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboard" / "app.py"


def new_app() -> AppTest:
    """The dashboard as a fresh browser session sees it (signed out), already run once."""
    return AppTest.from_file(str(APP), default_timeout=60).run()


def log_in(at: AppTest, *, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> AppTest:
    """Fill and send the login form."""
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def create_campaign(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    """A draft campaign made through the API, named uniquely unless ``name`` is given."""
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "name": f"Dash {uuid.uuid4().hex[:8]}",
        "budget_total": 1500,
        "cpm": 18,
        "start_date": (now - timedelta(days=1)).isoformat(),
        "end_date": (now + timedelta(days=20)).isoformat(),
    }
    body.update(overrides)
    answer = api.post("/campaigns", json=body)
    assert answer.status_code == 201, answer.text
    campaign: dict[str, Any] = answer.json()["campaign"]
    return campaign


def goto(at: AppTest, page: str, **query: str) -> AppTest:
    """Open ``page`` (``views/....py``) with exactly ``query`` as its URL query, as a link does."""
    at.query_params.clear()
    at.query_params.update(query)
    return at.switch_page(page).run()


def texts(at: AppTest) -> str:
    """Everything the page says in markdown, captions, titles, alerts and toasts, as one string."""
    parts = [
        *(e.value for e in at.markdown),
        *(e.value for e in at.caption),
        *(e.value for e in at.title),
        *(e.value for e in at.subheader),
        *(e.value for e in at.error),
        *(e.value for e in at.info),
        *(e.value for e in at.toast),
    ]
    return "\n".join(str(p) for p in parts)


def labelled(widgets: Iterable[W], label: str) -> W:
    """The one widget whose label starts with ``label`` (the form adds "(optional)" etc.)."""
    found = [w for w in widgets if str(getattr(w, "label", "")).startswith(label)]
    assert len(found) == 1, [getattr(w, "label", None) for w in widgets]
    return found[0]
