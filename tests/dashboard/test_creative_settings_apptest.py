"""Creative settings on the campaign page, through Streamlit's AppTest against the real
management API: an editor pauses, resumes, renames and reweights a creative; the page shows it
and the history says so."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.helpers import create_campaign, goto, log_in, new_app, texts
from tests.integration.factories import PASSWORD, add_creative, new_user
from tests.stack_fixtures import Stack

pytestmark = pytest.mark.integration

DETAIL = "views/campaign_detail.py"


def add_tags(api: httpx.Client, campaign_id: str, *names: str) -> list[str]:
    made = []
    for name in names:
        answer = api.post(
            f"/campaigns/{campaign_id}/vast-tags",
            json={"name": name, "vast_tag_url": "https://ssp.example/v?cb=1", "duration_s": 15},
        )
        assert answer.status_code == 201, answer.text
        made.append(answer.json()["creative"]["id"])
    return made


def settings(api: httpx.Client, creative_id: str) -> tuple[str, bool, int]:
    creative = api.get(f"/creatives/{creative_id}").json()["creative"]
    return creative["name"], creative["paused"], creative["weight"]


def test_an_editor_pauses_resumes_and_reweights_a_creative(api: httpx.Client, stack: Stack) -> None:
    campaign = create_campaign(api, name="Rotation")
    spot, other = add_tags(api, campaign["id"], "Spot A", "Spot B")
    editor = new_user(api, "editor")["email"]
    app: AppTest = goto(
        log_in(new_app(), email=editor, password=PASSWORD), DETAIL, id=campaign["id"]
    )
    assert "Weight" not in texts(app)  # equal weights: nothing to show
    app = app.button(key=f"pause-{spot}").click().run()
    assert settings(api, spot) == ("Spot A", True, 1)
    assert ":gray-badge[:material/pause_circle: Paused]" in texts(app)
    assert any("paused" in str(t.value) for t in app.toast)

    app = app.button(key=f"resume-{spot}").click().run()
    assert settings(api, spot)[1] is False
    app.text_input(key=f"name-{spot}").input("Spot A <30s>")
    app.number_input(key=f"weight-{spot}").set_value(3)
    app = app.button(key=f"save-creative-{spot}").click().run()
    assert settings(api, spot) == ("Spot A <30s>", False, 3)
    shown = texts(app)
    assert ":blue-badge[:material/balance: Weight 3]" in shown
    assert ":blue-badge[:material/balance: Weight 1]" in shown  # the other one, for comparison
    assert "changed creative “Spot A \\<30s\\>”: renamed from “Spot A”; weight 1 → 3" in shown
    assert "changed creative “Spot A”: paused" in shown
    assert settings(api, other) == ("Spot B", False, 1)


def test_an_editor_schedules_a_creative_and_clears_its_end(api: httpx.Client, stack: Stack) -> None:
    campaign = create_campaign(api, name="Seasonal")
    (spot,) = add_tags(api, campaign["id"], "Holiday spot")
    editor = new_user(api, "editor")["email"]
    app: AppTest = goto(
        log_in(new_app(), email=editor, password=PASSWORD), DETAIL, id=campaign["id"]
    )
    assert not app.checkbox(key=f"scheduled-{spot}").value  # no schedule of its own
    app = app.checkbox(key=f"scheduled-{spot}").check().run()
    app.datetime_input(key=f"starts-{spot}").set_value(datetime(2026, 12, 20))
    app = app.button(key=f"save-creative-{spot}").click().run()
    assert not app.exception, app.exception
    creative = api.get(f"/creatives/{spot}").json()["creative"]
    assert (creative["starts_at"], creative["ends_at"]) == ("2026-12-20T00:00:00Z", None)
    assert "Runs from Dec 20, 2026 00:00 UTC" in texts(app)

    app.datetime_input(key=f"ends-{spot}").set_value(datetime(2026, 12, 27, 6))
    app = app.button(key=f"save-creative-{spot}").click().run()
    creative = api.get(f"/creatives/{spot}").json()["creative"]
    assert creative["ends_at"] == "2026-12-27T06:00:00Z"
    shown = texts(app)
    assert "Runs Dec 20, 2026 00:00 UTC to Dec 27, 2026 06:00 UTC" in shown
    assert "runs until Dec 27, 2026 06:00 UTC" in shown  # the history entry

    # An end before the start is refused with the reason, and nothing changes.
    app.datetime_input(key=f"ends-{spot}").set_value(datetime(2026, 12, 19))
    app = app.button(key=f"save-creative-{spot}").click().run()
    assert "ends_at must be after starts_at" in texts(app)
    assert api.get(f"/creatives/{spot}").json()["creative"]["ends_at"] == "2026-12-27T06:00:00Z"

    app = app.checkbox(key=f"scheduled-{spot}").uncheck().run()
    app = app.button(key=f"save-creative-{spot}").click().run()
    creative = api.get(f"/creatives/{spot}").json()["creative"]
    assert (creative["starts_at"], creative["ends_at"]) == (None, None)
    assert "runs from the campaign's start; runs until the campaign's end" in texts(app)


def test_an_editor_makes_a_creative_skippable(api: httpx.Client, stack: Stack) -> None:
    campaign = create_campaign(api, name="Skippable")
    spot = add_creative(stack, campaign["id"], duration_ms=15_000)
    editor = new_user(api, "editor")["email"]
    app: AppTest = goto(
        log_in(new_app(), email=editor, password=PASSWORD), DETAIL, id=campaign["id"]
    )
    assert not app.checkbox(key=f"skippable-{spot}").value  # not skippable
    app = app.checkbox(key=f"skippable-{spot}").check().run()
    assert app.number_input(key=f"skip-{spot}").value == 5.0  # the usual offset to start from
    app.number_input(key=f"skip-{spot}").set_value(6.5)
    app = app.button(key=f"save-creative-{spot}").click().run()
    assert not app.exception, app.exception
    assert api.get(f"/creatives/{spot}").json()["creative"]["skip_offset_s"] == 6.5
    shown = texts(app)
    assert ":orange-badge[:material/skip_next: Skippable after 6.5 s]" in shown
    assert "changed creative “spot \\<1\\>”: skippable after 6.5 s" in shown

    app = app.checkbox(key=f"skippable-{spot}").uncheck().run()
    app = app.button(key=f"save-creative-{spot}").click().run()
    assert api.get(f"/creatives/{spot}").json()["creative"]["skip_offset_s"] is None
    assert "changed creative “spot \\<1\\>”: not skippable" in texts(app)


def test_an_editor_names_a_creatives_industry_id(api: httpx.Client, stack: Stack) -> None:
    campaign = create_campaign(api, name="Industry ID")
    spot = add_creative(stack, campaign["id"], duration_ms=15_000)
    editor = new_user(api, "editor")["email"]
    app: AppTest = goto(
        log_in(new_app(), email=editor, password=PASSWORD), DETAIL, id=campaign["id"]
    )
    registry = app.selectbox(key=f"registry-{spot}")
    assert registry.value == "ad-id.org" and registry.options == ["ad-id.org", "clearcast.co.uk"]
    assert app.text_input(key=f"industry-id-{spot}").value == ""
    app.text_input(key=f"industry-id-{spot}").input("ABC")  # not an Ad-ID code
    app = app.button(key=f"save-creative-{spot}").click().run()
    assert any("an Ad-ID code is 11 letters or digits" in e.value for e in app.error), app.error
    assert api.get(f"/creatives/{spot}").json()["creative"]["universal_ad_id"] is None

    app.text_input(key=f"industry-id-{spot}").input("abcd0123456h")
    app = app.button(key=f"save-creative-{spot}").click().run()
    assert not app.exception, app.exception
    saved = api.get(f"/creatives/{spot}").json()["creative"]["universal_ad_id"]
    assert saved == {"registry": "ad-id.org", "value": "ABCD0123456H"}
    shown = texts(app)
    assert ":gray-badge[:material/tag: ad\\-id\\.org ABCD0123456H]" in shown, shown
    assert "changed creative “spot \\<1\\>”: industry ID ad\\-id\\.org ABCD0123456H" in shown

    app.text_input(key=f"industry-id-{spot}").input("")
    app = app.button(key=f"save-creative-{spot}").click().run()
    assert api.get(f"/creatives/{spot}").json()["creative"]["universal_ad_id"] is None
    assert "changed creative “spot \\<1\\>”: industry ID none" in texts(app)
