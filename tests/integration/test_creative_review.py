"""Creative review through the management API and Ray Serve: a VAST tag an editor adds waits for
an admin; approval serves it, rejection (with a note) stops it; every decision is in the
campaign's history."""

from __future__ import annotations

import time
import uuid

import httpx

from tests.integration.factories import draft_campaign
from tests.stack_fixtures import ADMIN_EMAIL, Stack, wait_until

TAG = "https://ssp.example.com/vast?pub=9&cb=[CACHEBUSTING]"


def add_tag(client: httpx.Client, campaign_id: str) -> dict[str, object]:
    answer = client.post(
        f"/campaigns/{campaign_id}/vast-tags",
        json={"name": "Unknown <SSP> tag", "vast_tag_url": TAG, "duration_s": 15},
    )
    assert answer.status_code == 201, answer.text
    made: dict[str, object] = answer.json()["creative"]
    return made


def wrapped(serving: httpx.Client, campaign_id: str) -> bool:
    answer = serving.get("/api/v1/vast", params={"campaign_id": campaign_id})
    assert answer.status_code == 200, answer.text
    return b"<Wrapper" in answer.content


def test_an_editors_tag_is_served_only_while_approved(
    stack: Stack, api: httpx.Client, editor: httpx.Client, viewer: httpx.Client
) -> None:
    cid = draft_campaign(editor, name="Review <me> & co", advertiser="Acme & Sons")
    assert editor.put(f"/campaigns/{cid}/status", json={"status": "active"}).status_code == 200
    tag = add_tag(editor, cid)
    me = editor.get("/auth/profile").json()["email"]
    assert (tag["review_status"], tag["created_by"], tag["status"]) == ("pending", me, "active")

    queue = viewer.get("/creatives/reviews")
    assert queue.status_code == 200, queue.text
    waiting = {item["creative"]["id"]: item for item in queue.json()["creatives"]}
    assert waiting[str(tag["id"])]["campaign_name"] == "Review <me> & co"
    assert waiting[str(tag["id"])]["advertiser"] == "Acme & Sons"

    with httpx.Client(base_url=stack.base_url, timeout=30) as serving:
        # Written through before the 201: any replica that has the campaign has it unapproved.
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            assert not wrapped(serving, cid)

        review = f"/creatives/{tag['id']}/review"
        for client in (editor, viewer):
            refused = client.post(review, json={"decision": "approve"})
            assert refused.status_code == 403, refused.text
        silent = api.post(review, json={"decision": "reject"})
        assert silent.status_code == 422 and silent.json()["error"]["details"][0]["field"] == "note"

        approved = api.post(review, json={"decision": "approve"})
        assert approved.status_code == 200, approved.text
        creative = approved.json()["creative"]
        assert (creative["review_status"], creative["reviewed_by"]) == ("approved", ADMIN_EMAIL)
        assert creative["reviewed_at"] is not None
        wait_until(lambda: all(wrapped(serving, cid) for _ in range(6)), timeout=5)
        assert str(tag["id"]) not in api.get("/creatives/reviews").text

        note = "Redirects to a <script> page & autoplays sound"
        rejected = api.post(review, json={"decision": "reject", "note": note})
        assert rejected.status_code == 200, rejected.text
        assert rejected.json()["creative"]["review_note"] == note
        wait_until(lambda: not any(wrapped(serving, cid) for _ in range(6)), timeout=5)
        again = api.post(review, json={"decision": "reject", "note": note})
        assert again.status_code == 409, again.text

    listed = editor.get(f"/campaigns/{cid}/creatives").json()["creatives"]
    assert [(c["review_status"], c["review_note"]) for c in listed] == [("rejected", note)]
    reviews = [
        (c["actor"], c["changes"])
        for c in api.get(f"/campaigns/{cid}/history").json()["changes"]
        if c["action"] == "reviewed"
    ]
    assert reviews == [
        (
            ADMIN_EMAIL,
            {
                "creative": ["Unknown <SSP> tag", "Unknown <SSP> tag"],
                "review": ["approved", "rejected"],
                "note": [None, note],
            },
        ),
        (
            ADMIN_EMAIL,
            {
                "creative": ["Unknown <SSP> tag", "Unknown <SSP> tag"],
                "review": ["pending", "approved"],
            },
        ),
    ]


def test_what_an_admin_adds_is_approved_at_once(stack: Stack, api: httpx.Client) -> None:
    cid = draft_campaign(api, name="Admin's own")
    tag = add_tag(api, cid)
    assert (tag["review_status"], tag["created_by"]) == ("approved", ADMIN_EMAIL)
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).status_code == 200
    with httpx.Client(base_url=stack.base_url, timeout=30) as serving:
        wait_until(lambda: all(wrapped(serving, cid) for _ in range(6)), timeout=8)


def test_reviews_of_unknown_creatives_are_refused(api: httpx.Client, anon: httpx.Client) -> None:
    missing = api.post(f"/creatives/{uuid.uuid4()}/review", json={"decision": "approve"})
    assert missing.status_code == 404, missing.text
    malformed = api.post("/creatives/not-an-id/review", json={"decision": "approve"})
    assert malformed.status_code in (404, 422) and "error" in malformed.json()
    anonymous = anon.post(f"/creatives/{uuid.uuid4()}/review", json={"decision": "approve"})
    assert anonymous.status_code == 401
    assert anon.get("/creatives/reviews").status_code == 401
