"""A creative's captions on the campaign page, through Streamlit's AppTest against the real
management API: the languages show as a badge and a table, an editor removes one, the history
says what changed, a viewer sees them without the tools. (The upload form needs a file: the
browser test sends one.)"""

from __future__ import annotations

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.helpers import create_campaign, goto, log_in, new_app, texts
from tests.integration.factories import PASSWORD, add_creative, new_user, send_captions
from tests.stack_fixtures import Stack

pytestmark = pytest.mark.integration

DETAIL = "views/campaign_detail.py"
VTT = b"WEBVTT\n\n00:01.000 --> 00:03.000\nHello <b>there</b>.\n"


def test_an_editor_sees_and_removes_a_creatives_captions(api: httpx.Client, stack: Stack) -> None:
    campaign = create_campaign(api, name="Captioned")
    spot = add_creative(stack, campaign["id"], duration_ms=15_000)
    for language in ("en", "es-MX"):
        assert send_captions(api, spot, language, VTT).status_code == 201
    editor = new_user(api, "editor")["email"]
    app: AppTest = goto(
        log_in(new_app(), email=editor, password=PASSWORD), DETAIL, id=campaign["id"]
    )
    assert not app.exception, app.exception
    assert ":green-badge[:material/closed_caption: CC en, es-MX]" in texts(app)
    (table,) = [d.value for d in app.dataframe if "Language" in d.value.columns]
    assert list(table["Language"]) == ["en", "es-MX"] and list(table["Cues"]) == [1, 1]
    assert list(table["Uploaded as"]) == ["WebVTT", "WebVTT"]

    app = app.button(key=f"captions-remove-{spot}-es-MX").click().run()
    creative = api.get(f"/creatives/{spot}").json()["creative"]
    assert [c["language"] for c in creative["captions"]] == ["en"]
    shown = texts(app)
    assert ":green-badge[:material/closed_caption: CC en]" in shown
    assert "changed creative “spot \\<1\\>”: captions removed in es\\-MX" in shown
    assert "changed creative “spot \\<1\\>”: captions added in es\\-MX" in shown
    assert any("Captions in es-MX removed" in str(t.value) for t in app.toast)


def test_a_viewer_sees_captions_without_the_tools(api: httpx.Client, stack: Stack) -> None:
    campaign = create_campaign(api, name="Captioned, read only")
    spot = add_creative(stack, campaign["id"], duration_ms=15_000)
    assert send_captions(api, spot, "fr-CA", VTT).status_code == 201
    viewer = new_user(api, "viewer")["email"]
    app: AppTest = goto(
        log_in(new_app(), email=viewer, password=PASSWORD), DETAIL, id=campaign["id"]
    )
    assert ":green-badge[:material/closed_caption: CC fr-CA]" in texts(app)
    keys = {getattr(b, "key", None) for b in app.button}
    assert f"captions-remove-{spot}-fr-CA" not in keys
    assert not [t for t in app.text_input if t.key == f"captions-language-{spot}"]
