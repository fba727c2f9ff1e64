"""Third-party VAST tag creatives through the management API and Ray Serve: a Wrapper around
our beacons, counted like any other ad."""

from __future__ import annotations

import uuid
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from tests.integration.factories import draft_campaign
from tests.stack_fixtures import Stack, wait_until

NS = {"v": "http://www.iab.com/VAST"}
TAG = "https://ssp.example.com/vast?pub=7&cb=[CACHEBUSTING]"


def draft(api: httpx.Client, **fields: Any) -> str:
    defaults: dict[str, Any] = {"name": "Backfill <SSP> & co", "budget_total": 100_000, "cpm": 4}
    return draft_campaign(api, **(defaults | fields))


def test_a_tag_is_served_as_a_wrapper_and_its_beacons_count(
    stack: Stack, api: httpx.Client, vast_schema: Any
) -> None:
    cid = draft(api)
    added = api.post(
        f"/campaigns/{cid}/vast-tags",
        json={"name": "SSP backfill", "vast_tag_url": TAG, "duration_s": 20},
    )
    assert added.status_code == 201, added.text
    tag = added.json()["creative"]
    assert (tag["status"], tag["url"], tag["vast_tag_url"], tag["duration_ms"]) == (
        "active",
        None,
        TAG,
        20_000,
    )
    listed = api.get(f"/campaigns/{cid}/creatives").json()["creatives"]
    assert [c["id"] for c in listed] == [tag["id"]]
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).status_code == 200

    with httpx.Client(base_url=stack.base_url, timeout=30) as serving:

        def vast() -> httpx.Response:
            answer = serving.get("/api/v1/vast", params={"campaign_id": cid})
            vast_schema.validate(answer.text)
            return answer

        wait_until(lambda: all(b"<Wrapper" in vast().content for _ in range(6)), timeout=8)
        wrapper = ElementTree.fromstring(vast().content).find("v:Ad/v:Wrapper", NS)
        assert wrapper is not None
        assert wrapper.findtext("v:VASTAdTagURI", namespaces=NS) == TAG
        impression = wrapper.findtext("v:Impression", namespaces=NS) or ""
        assert impression.startswith(stack.base_url) and f"c={cid}" in impression
        fired = serving.get(impression)
        assert fired.status_code in (200, 204), fired.text

        assert api.delete(f"/creatives/{tag['id']}").status_code == 204
        wait_until(lambda: b"<Ad " not in vast().content, timeout=5)  # nothing left to serve
    assert api.get(f"/creatives/{tag['id']}").status_code == 404


def test_json_players_get_tags_only_when_they_say_they_resolve_them(
    stack: Stack, api: httpx.Client
) -> None:
    app = f"com.example.tags{uuid.uuid4().hex[:6]}"
    cid = draft(api, budget_total=100_000_000, target_apps=[app])  # outweighs every other one
    answer = api.post(
        f"/campaigns/{cid}/vast-tags",
        json={"name": "SSP", "vast_tag_url": TAG, "duration_s": 20},
    )
    assert answer.status_code == 201, answer.text
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).status_code == 200

    with httpx.Client(base_url=stack.base_url, timeout=30) as serving:

        def ours(vast_tags: bool | None) -> list[dict[str, Any]]:
            found = []
            for number in range(10):
                body: dict[str, Any] = {
                    "request_id": f"tags-{number}",
                    "duration": 30,
                    "app": {"bundle": app},
                }
                if vast_tags is not None:
                    body["vast_tags"] = vast_tags
                answer = serving.post("/api/v1/ad-request", json=body)
                assert answer.status_code in (200, 204), answer.text
                if answer.status_code == 200 and answer.json()["campaign_id"] == cid:
                    found.append(answer.json())
            return found

        wait_until(lambda: len(ours(True)) >= 8, timeout=8)  # leases and catalog reached
        tagged = ours(True)[0]
        assert (tagged["video_url"], tagged["media_files"], tagged["vast_tag_url"]) == (
            None,
            [],
            TAG,
        )
        assert ours(None) == [] and ours(False) == []  # videos only: it has none
        refused = serving.post(
            "/api/v1/ad-request", json={"request_id": "t", "duration": 30, "vast_tags": "yes"}
        )
        assert refused.status_code == 422 and "vast_tags" in refused.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "vast_tag_url": "javascript:alert(1)", "duration_s": 20}, "vast_tag_url"),
        ({"name": "x", "vast_tag_url": TAG, "duration_s": -5}, "duration_s"),
        ({"name": "x", "vast_tag_url": TAG, "duration_s": 3600}, "duration_s"),  # over the limit
        ({"name": "", "vast_tag_url": TAG, "duration_s": 20}, "name"),
        ({"vast_tag_url": TAG, "duration_s": 20}, "name"),
    ],
)
def test_bad_tags_are_422_naming_the_field(
    api: httpx.Client, body: dict[str, Any], field: str
) -> None:
    cid = draft(api)
    answer = api.post(f"/campaigns/{cid}/vast-tags", json=body)
    assert answer.status_code == 422, answer.text
    assert field in answer.text
    assert api.get(f"/campaigns/{cid}/creatives").json()["creatives"] == []


def test_tags_need_a_campaign_and_a_login(stack: Stack, api: httpx.Client) -> None:
    body = {"name": "x", "vast_tag_url": TAG, "duration_s": 20}
    for missing in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        assert api.post(f"/campaigns/{missing}/vast-tags", json=body).status_code == 404
    malformed = api.post(
        f"/campaigns/{draft(api)}/vast-tags",
        content=b"{",
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 422
    with httpx.Client(base_url=stack.admin_url) as anonymous:
        assert anonymous.post(f"/campaigns/{draft(api)}/vast-tags", json=body).status_code == 401
