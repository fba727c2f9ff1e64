"""Creative review on the dashboard, through Streamlit's AppTest against the real management
API: admins approve from the Review page, reject from the campaign page; editors see why."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import formatting, session
from tests.dashboard.helpers import create_campaign, goto, log_in, new_app, texts
from tests.integration.factories import PASSWORD, client_of, new_user
from tests.stack_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, Stack

pytestmark = pytest.mark.integration

REVIEWS = "views/reviews.py"
DETAIL = "views/campaign_detail.py"


def signed_in(email: str, password: str) -> AppTest:
    at = log_in(new_app(), email=email, password=password)
    assert session.TOKEN_KEY in at.session_state, texts(at)
    return at


def editors_tag(stack: Stack, api: httpx.Client, name: str) -> tuple[str, dict[str, Any]]:
    """An editor's email and the VAST tag they added to a new campaign (waiting for review)."""
    email = new_user(api, "editor")["email"]
    campaign = create_campaign(api, name=f"Review {name}")
    with client_of(stack, email) as editor:
        answer = editor.post(
            f"/campaigns/{campaign['id']}/vast-tags",
            json={"name": name, "vast_tag_url": "https://ssp.example/v?cb=1", "duration_s": 30},
        )
    assert answer.status_code == 201, answer.text
    tag: dict[str, Any] = answer.json()["creative"]
    assert tag["review_status"] == "pending"
    return email, tag


def review_state(api: httpx.Client, creative_id: str) -> tuple[str, str | None]:
    creative = api.get(f"/creatives/{creative_id}").json()["creative"]
    return creative["review_status"], creative["review_note"]


def test_an_admin_approves_a_waiting_tag_from_the_review_page(
    stack: Stack, api: httpx.Client
) -> None:
    editor, tag = editors_tag(stack, api, "SSP <b>bold</b> & tag")
    home = signed_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert any(
        "for your review" in str(getattr(link, "label", "")) for link in home.get("page_link")
    )
    app = goto(home, REVIEWS)
    assert app.title[0].value == "Creative review"
    shown = texts(app)
    assert "SSP \\<b\\>bold\\</b\\> & tag" in shown  # escaped, shown as typed
    assert formatting.md("Review SSP <b>bold</b> & tag") in shown
    assert f"by {formatting.md(editor)}" in shown
    app = app.button(key=f"approve-{tag['id']}").click().run()
    assert review_state(api, tag["id"]) == ("approved", None)
    assert f"review-{tag['id']}" not in str(app.main)  # left the queue
    assert any("approved" in str(t.value) for t in app.toast)


def test_an_admin_rejects_on_the_campaign_page_and_the_editor_reads_why(
    stack: Stack, api: httpx.Client
) -> None:
    editor, tag = editors_tag(stack, api, "Autoplay tag")
    campaign = tag["campaign_id"]
    admin = goto(signed_in(ADMIN_EMAIL, ADMIN_PASSWORD), DETAIL, id=campaign)
    assert ":orange-badge[:material/pending: Awaiting review]" in texts(admin)
    assert "An admin approves" not in texts(admin)  # what an admin adds is approved at once
    admin = admin.button(key=f"reject-{tag['id']}").click().run()  # no reason given
    assert review_state(api, tag["id"]) == ("pending", None)
    assert "a rejection needs a note" in texts(admin)
    admin.text_area(key=f"reject-note-{tag['id']}").input("Plays sound at full volume")
    admin = admin.button(key=f"reject-{tag['id']}").click().run()
    assert review_state(api, tag["id"]) == ("rejected", "Plays sound at full volume")

    seen = goto(signed_in(editor, PASSWORD), DETAIL, id=campaign)
    assert "An admin approves third-party tags before players get them." in texts(seen)
    assert "An admin approves uploads" not in texts(seen)  # CREATIVE_REVIEW=third_party
    assert ":red-badge[:material/block: Rejected]" in texts(seen)
    rejected_by = f"Rejected by {formatting.md(ADMIN_EMAIL)}: Plays sound at full volume"
    assert rejected_by in [w.value for w in seen.warning]
    assert not [b for b in seen.button if str(b.key).startswith("approve-")]  # admins only
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        goto(seen, REVIEWS)  # the review page is not an editor's
    history = goto(signed_in(ADMIN_EMAIL, ADMIN_PASSWORD), DETAIL, id=campaign)
    assert "rejected creative “Autoplay tag”: Plays sound at full volume" in texts(history)
