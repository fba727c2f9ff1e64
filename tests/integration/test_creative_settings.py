"""Creative settings through the management API and Ray Serve: a paused creative leaves every
replica and comes back when resumed, weights share the campaign's breaks, names change, and
each change is in the campaign's history."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import httpx

from tests.integration.factories import active_campaign, add_creative, wait_served
from tests.stack_fixtures import ADMIN_EMAIL, Stack, wait_until

VAST = {"v": "http://www.iab.com/VAST"}


def creatives_served(serving: httpx.Client, campaign_id: str, times: int) -> Counter[str]:
    """Which of the campaign's creatives ``times`` VAST requests for it get (``""``: none)."""
    seen: Counter[str] = Counter()
    for _ in range(times):
        answer = serving.get("/api/v1/vast", params={"campaign_id": campaign_id})
        creative = ElementTree.fromstring(answer.content).find(".//v:Creative", VAST)
        seen["" if creative is None else str(creative.get("id"))] += 1
    return seen


def test_a_paused_creative_leaves_serving_until_resumed(
    stack: Stack,
    api: httpx.Client,
    editor: httpx.Client,
    viewer: httpx.Client,
    serving: httpx.Client,
) -> None:
    cid = active_campaign(stack, api, budget_total=5_000, duration_ms=15_000)
    first = next(c["id"] for c in api.get(f"/campaigns/{cid}/creatives").json()["creatives"])
    second = add_creative(stack, cid, duration_ms=20_000)
    assert editor.patch(f"/creatives/{second}", json={"weight": 1}).status_code == 200
    wait_served(serving, cid)
    wait_until(lambda: set(creatives_served(serving, cid, 20)) == {first, second}, timeout=8)

    paused = editor.patch(f"/creatives/{first}", json={"paused": True})
    assert paused.status_code == 200, paused.text
    assert (paused.json()["creative"]["paused"], paused.json()["creative"]["weight"]) == (True, 1)
    # Every replica hears of it on the change channel within a second or so.
    wait_until(lambda: first not in creatives_served(serving, cid, 10), timeout=5)
    assert set(creatives_served(serving, cid, 30)) <= {second, ""}
    assert editor.patch(f"/creatives/{second}", json={"paused": True}).status_code == 200
    wait_until(lambda: set(creatives_served(serving, cid, 10)) == {""}, timeout=5)  # no fill

    for creative in (first, second):
        assert editor.patch(f"/creatives/{creative}", json={"paused": False}).status_code == 200
    assert editor.patch(f"/creatives/{first}", json={"weight": 9, "name": "Spot <A>"}).is_success
    wait_until(lambda: creatives_served(serving, cid, 40)[first] > 30, timeout=5)
    shares = creatives_served(serving, cid, 300)
    assert set(shares) <= {first, second, ""}
    assert shares[first] > 3 * shares[second] > 0, shares  # 9:1 expected

    assert viewer.patch(f"/creatives/{first}", json={"paused": True}).status_code == 403
    refused = editor.patch(f"/creatives/{first}", json={"weight": 101})
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "weight"
    assert editor.patch(f"/creatives/{uuid.uuid4()}", json={"paused": True}).status_code == 404
    assert editor.patch(f"/creatives/{first}", json={"weight": 9}).status_code == 200  # as it is

    history = [
        c["changes"]
        for c in api.get(f"/campaigns/{cid}/history").json()["changes"]
        if c["action"] == "creative_updated"
    ]
    me = editor.get("/auth/profile").json()["email"]
    assert me != ADMIN_EMAIL
    assert history[0] == {"creative": ["spot <1>", "Spot <A>"], "weight": [1, 9]}
    assert {"creative": ["spot <1>", "spot <1>"], "paused": [False, True]} in history
    assert len(history) == 5  # the unchanged weights (twice) left no entry


def test_a_scheduled_creative_serves_only_within_its_schedule(
    stack: Stack, api: httpx.Client, editor: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, budget_total=5_000, duration_ms=15_000)
    always = next(c["id"] for c in api.get(f"/campaigns/{cid}/creatives").json()["creatives"])
    seasonal = add_creative(stack, cid, duration_ms=20_000)
    wait_served(serving, cid)
    wait_until(lambda: set(creatives_served(serving, cid, 20)) == {always, seasonal}, timeout=8)

    now = datetime.now(UTC)
    later = {"starts_at": (now + timedelta(days=1)).isoformat()}
    answer = editor.patch(f"/creatives/{seasonal}", json=later)
    assert answer.status_code == 200, answer.text
    wait_until(lambda: seasonal not in creatives_served(serving, cid, 10), timeout=5)
    assert set(creatives_served(serving, cid, 30)) == {always}
    check = api.get(f"/campaigns/{cid}/serving-check").json()
    (creatives,) = [c for c in check["checks"] if c["key"] == "creatives"]
    assert creatives["detail"].endswith("Not serving: 1 scheduled to start later.")

    # Its schedule began a minute ago and runs a week: it is back in the rotation.
    window = {
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(days=7)).isoformat(),
    }
    assert editor.patch(f"/creatives/{seasonal}", json=window).status_code == 200
    wait_until(lambda: seasonal in creatives_served(serving, cid, 20), timeout=5)

    # An end before the start, sent alone against the stored start, is refused.
    backwards = {"ends_at": (now - timedelta(hours=1)).isoformat()}
    refused = editor.patch(f"/creatives/{seasonal}", json=backwards)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"][0]["field"] == "ends_at"
    stored = api.get(f"/creatives/{seasonal}").json()["creative"]
    assert datetime.fromisoformat(stored["ends_at"]) == datetime.fromisoformat(window["ends_at"])

    # The schedule ended a second ago: out again, the other creative alone.
    over = {"starts_at": None, "ends_at": (now - timedelta(seconds=1)).isoformat()}
    assert editor.patch(f"/creatives/{seasonal}", json=over).status_code == 200
    wait_until(lambda: set(creatives_served(serving, cid, 20)) == {always}, timeout=5)


def test_a_skippable_creative_says_so_in_vast_and_json(
    stack: Stack, api: httpx.Client, editor: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, budget_total=5_000, duration_ms=15_000)
    spot = next(c["id"] for c in api.get(f"/campaigns/{cid}/creatives").json()["creatives"])
    wait_served(serving, cid)

    def skip_offset() -> str | None:
        answer = serving.get("/api/v1/vast", params={"campaign_id": cid})
        linear = ElementTree.fromstring(answer.content).find(".//v:Linear", VAST)
        return None if linear is None else linear.get("skipoffset", "")

    assert skip_offset() == ""  # served, not skippable
    made = editor.patch(f"/creatives/{spot}", json={"skip_offset_s": 5})
    assert made.status_code == 200, made.text
    assert made.json()["creative"]["skip_offset_s"] == 5.0
    wait_until(lambda: skip_offset() == "00:00:05.000", timeout=5)

    for offset in (15, 20.5, 0):
        refused = editor.patch(f"/creatives/{spot}", json={"skip_offset_s": offset})
        assert refused.status_code == 422, offset
        assert refused.json()["error"]["details"][0]["field"] == "skip_offset_s"
    tag = editor.post(
        f"/campaigns/{cid}/vast-tags",
        json={"name": "SSP", "vast_tag_url": "https://ssp.example/v", "duration_s": 30},
    ).json()["creative"]
    refused = editor.patch(f"/creatives/{tag['id']}", json={"skip_offset_s": 5})
    assert refused.status_code == 422 and "third-party VAST tag" in refused.text

    cleared = editor.patch(f"/creatives/{spot}", json={"skip_offset_s": None})
    assert cleared.status_code == 200 and cleared.json()["creative"]["skip_offset_s"] is None
    wait_until(lambda: skip_offset() == "", timeout=5)
    history = [
        c["changes"]["skip_offset_s"]
        for c in api.get(f"/campaigns/{cid}/history").json()["changes"]
        if "skip_offset_s" in c["changes"]
    ]
    assert history == [[5.0, None], [None, 5.0]]


def test_an_industry_id_reaches_players_beside_ours(
    stack: Stack, api: httpx.Client, editor: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, budget_total=5_000, duration_ms=15_000)
    spot = next(c["id"] for c in api.get(f"/campaigns/{cid}/creatives").json()["creatives"])
    wait_served(serving, cid)

    def ids(version: str = "4.2") -> list[tuple[str | None, str | None]]:
        answer = serving.get("/api/v1/vast", params={"campaign_id": cid, "vast_version": version})
        found = ElementTree.fromstring(answer.content).findall(".//v:UniversalAdId", VAST)
        return [(u.get("idRegistry"), u.text) for u in found]

    assert ids() == [("ctv-adserver", spot)]
    named = editor.patch(
        f"/creatives/{spot}",
        json={"universal_ad_id": {"registry": "AD-ID.org", "value": "abcd0123456h"}},
    )
    assert named.status_code == 200, named.text
    industry = {"registry": "ad-id.org", "value": "ABCD0123456H"}
    assert named.json()["creative"]["universal_ad_id"] == industry
    wait_until(lambda: len(ids()) == 2, timeout=5)
    assert ids() == [("ad-id.org", "ABCD0123456H"), ("ctv-adserver", spot)]
    assert ids("4.1") == [("ad-id.org", "ABCD0123456H")]  # 4.1 holds one

    for bad, says in (
        ({"registry": "ad-id.org", "value": "ABC123"}, "an Ad-ID code is 11 letters or digits"),
        ({"registry": "ctv-adserver", "value": "x"}, "own registry"),
        ({"registry": "ad-id.org"}, "Field required"),
        ("ABCD0123456H", "valid dictionary"),
    ):
        refused = editor.patch(f"/creatives/{spot}", json={"universal_ad_id": bad})
        assert refused.status_code == 422 and says in refused.text, (bad, refused.text)
    tag = editor.post(
        f"/campaigns/{cid}/vast-tags",
        json={"name": "SSP", "vast_tag_url": "https://ssp.example/v", "duration_s": 30},
    ).json()["creative"]
    refused = editor.patch(f"/creatives/{tag['id']}", json={"universal_ad_id": industry})
    assert refused.status_code == 422 and "third-party VAST tag" in refused.text

    cleared = editor.patch(f"/creatives/{spot}", json={"universal_ad_id": None})
    assert cleared.status_code == 200 and cleared.json()["creative"]["universal_ad_id"] is None
    wait_until(lambda: ids() == [("ctv-adserver", spot)], timeout=5)
    history = [
        c["changes"]["universal_ad_id"]
        for c in api.get(f"/campaigns/{cid}/history").json()["changes"]
        if "universal_ad_id" in c["changes"]
    ]
    assert history == [[industry, None], [None, industry]]
