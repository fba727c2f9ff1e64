"""Campaign news reaches the operator's webhook: signed, in order, once, and not lost while the
webhook is down."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx

from actors import catalog_sync
from actors.creative_processor import ACTOR_NAME, NAMESPACE
from ads.history import AD_SERVER
from ads.notifications import DELIVERY_HEADER, SIGNATURE_HEADER, signature
from tests.integration.factories import (
    add_creative,
    behind_plan_campaign,
    client_of,
    draft_campaign,
    new_user,
)
from tests.stack_fixtures import ADMIN_EMAIL, Stack, execute_sql, wait_until
from tests.webhook_receiver import WebhookReceiver

TAG = "https://ssp.example.com/vast?pub=9&cb=[CACHEBUSTING]"


def news(receiver: WebhookReceiver, campaign_id: str) -> list[dict[str, Any]]:
    """The notifications of one campaign received so far, oldest first."""
    bodies = [json.loads(r.body) for r in receiver.received]
    return [body for body in bodies if body.get("campaign_id") == campaign_id]


def test_status_changes_are_notified_signed_in_order_and_edits_are_not(
    stack: Stack, api: httpx.Client
) -> None:
    assert stack.webhook is not None
    name = f"News {uuid.uuid4().hex[:6]}"
    cid = draft_campaign(api, name=name)
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).is_success
    assert api.patch(f"/campaigns/{cid}", json={"budget_total": 2000}).is_success
    assert api.put(f"/campaigns/{cid}/status", json={"status": "paused"}).is_success
    wait_until(lambda: len(news(stack.webhook, cid)) >= 2, timeout=15, interval=0.2)
    received = news(stack.webhook, cid)
    assert [n["changes"]["status"] for n in received] == [["draft", "active"], ["active", "paused"]]
    assert received[0]["event"] == "campaign.status" and received[0]["actor"] == ADMIN_EMAIL
    assert received[1]["text"] == (f"Campaign “{name}”: active → paused, by {ADMIN_EMAIL}")
    for raw in stack.webhook.received:
        assert raw.headers[SIGNATURE_HEADER] == signature(stack.webhook_secret, raw.body)
        assert raw.headers[DELIVERY_HEADER] == str(json.loads(raw.body)["id"])


def test_news_waits_out_a_webhook_that_is_down(stack: Stack, api: httpx.Client) -> None:
    assert stack.webhook is not None
    receiver = stack.webhook
    name = f"News {uuid.uuid4().hex[:6]}"
    cid = draft_campaign(api, name=name)
    receiver.refusing = True
    try:
        refused = receiver.refusals
        assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).is_success
        assert api.delete(f"/campaigns/{cid}").status_code == 204
        wait_until(lambda: receiver.refusals > refused, timeout=15, interval=0.2)
        assert news(receiver, cid) == []
    finally:
        receiver.refusing = False
    wait_until(lambda: len(news(receiver, cid)) >= 2, timeout=90, interval=0.5)
    delivered = news(receiver, cid)
    assert [n["event"] for n in delivered] == ["campaign.status", "campaign.deleted"]
    # Gone by the time its news went out: the deletion still names it.
    assert delivered[1]["text"] == f"Campaign “{name}”: deleted, by {ADMIN_EMAIL}"
    ids = [n["id"] for n in delivered]
    assert len(ids) == len(set(ids)), "an entry was delivered twice"


def test_a_creative_awaiting_review_is_news_and_in_the_history(
    stack: Stack, api: httpx.Client
) -> None:
    assert stack.webhook is not None
    editor = new_user(api, "editor")
    name = f"Tagged {uuid.uuid4().hex[:6]}"
    cid = draft_campaign(api, name=name)
    with client_of(stack, editor["email"]) as client:
        added = client.post(
            f"/campaigns/{cid}/vast-tags",
            json={"name": "SSP <tag>", "vast_tag_url": TAG, "duration_s": 15},
        )
        assert added.status_code == 201, added.text
    latest = api.get(f"/campaigns/{cid}/history").json()["changes"][0]
    assert (latest["action"], latest["actor"]) == ("creative_added", editor["email"])
    assert latest["changes"] == {"creative": [None, "SSP <tag>"], "review": [None, "pending"]}
    wait_until(lambda: len(news(stack.webhook, cid)) >= 1, timeout=15, interval=0.2)
    (waiting,) = news(stack.webhook, cid)
    assert waiting["event"] == "campaign.creative_added"
    assert waiting["text"] == (
        f"Campaign “{name}”: creative “SSP <tag>” added, awaiting review, by {editor['email']}"
    )


def test_an_upload_that_cannot_be_processed_is_news(
    stack: Stack, api: httpx.Client, ray_client: Any
) -> None:
    assert stack.webhook is not None
    name = f"Broken {uuid.uuid4().hex[:6]}"
    cid = draft_campaign(api, name=name)
    creative_id = add_creative(stack, cid, duration_ms=15_000, status="processing")
    processor = ray_client.get_actor(ACTOR_NAME, namespace=NAMESPACE)
    ray_client.get(processor.submit.remote(creative_id), timeout=30)

    def state() -> dict[str, Any]:
        found: dict[str, Any] = api.get(f"/creatives/{creative_id}").json()["creative"]
        return found

    wait_until(lambda: state()["status"] == "failed", timeout=60, interval=0.25)
    error = state()["error"]  # the original is not in the store
    assert error.startswith("The video could not be transcoded")
    latest = api.get(f"/campaigns/{cid}/history").json()["changes"][0]
    assert (latest["actor"], latest["action"]) == (AD_SERVER, "creative_processed")
    assert latest["changes"] == {
        "creative": [None, "spot <1>"],
        "processing": [None, "failed"],
        "error": [None, error],
    }
    wait_until(lambda: len(news(stack.webhook, cid)) >= 1, timeout=15, interval=0.2)
    (failed,) = news(stack.webhook, cid)
    assert failed["text"] == (
        f"Campaign “{name}”: creative “spot <1>” could not be processed: {error}, by {AD_SERVER}"
    )


def test_the_daily_digest_sums_a_day_and_names_what_needs_attention(
    stack: Stack, api: httpx.Client, ray_client: Any
) -> None:
    receiver = stack.webhook
    assert receiver is not None
    now = datetime.now(UTC)
    # No other test delivers that day, and its raw events are within EVENT_RETENTION_DAYS.
    day = (now - timedelta(days=333)).date()
    name = f"Digest {uuid.uuid4().hex[:6]}"
    cid = behind_plan_campaign(stack, api, name=name)  # and ending tomorrow
    short = f"Short {uuid.uuid4().hex[:6]}"  # two days in, nothing spent: 0% by the end
    started = now - timedelta(days=2)
    short_id = draft_campaign(api, name=short, start_date=started.isoformat())
    assert api.put(f"/campaigns/{short_id}/status", json={"status": "active"}).is_success
    execute_sql(
        stack,
        "INSERT INTO campaign_daily_stats (campaign_id, day, impressions, completes, clicks, spend)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        [(uuid.UUID(cid), day, 1000, 900, 5, Decimal("12.50"))],
    )
    served = datetime.combine(day, time(12), tzinfo=UTC)
    execute_sql(  # two ads of the short campaign failed before they played, one after
        stack,
        "INSERT INTO ad_events (event_id, served_at, received_at, event_type, ad_serving_id,"
        " campaign_id, error_code) VALUES ($1, $2, $2, $3, $4, $5, $6)",
        [
            (f"{ad}:{event}", served, event, ad, uuid.UUID(short_id), code)
            for event, code, ad in [
                ("error", 403, f"{short_id}-lost-1"),
                ("error", 403, f"{short_id}-lost-2"),
                ("impression", None, f"{short_id}-played"),
                ("error", 405, f"{short_id}-played"),
            ]
        ],
    )
    sync = ray_client.get_actor(catalog_sync.ACTOR_NAME, namespace=catalog_sync.NAMESPACE)
    assert ray_client.get(sync.send_digest.remote(day.isoformat()), timeout=60) == day.isoformat()

    def digests() -> list[tuple[dict[str, str], dict[str, Any]]]:
        bodies = [(r.headers, json.loads(r.body)) for r in receiver.received]
        return [(h, b) for h, b in bodies if b.get("id") == f"digest-{day}"]

    wait_until(lambda: len(digests()) >= 1, timeout=10, interval=0.2)
    raw_headers, sent = digests()[-1]
    assert raw_headers[DELIVERY_HEADER] == f"digest-{day}"
    assert sent["event"] == "digest.daily" and sent["day"] == day.isoformat()
    delivery = {"impressions": 1000, "completes": 900, "clicks": 5, "spend": "12.50"}
    assert sent["delivery"] == delivery
    assert [b["pace"] for b in sent["behind_plan"] if b["name"] == name] == [0.0]
    assert name in [e["name"] for e in sent["ending"]]
    listed = [(s["name"], s["share_of_budget"]) for s in sent["falling_short"]]
    assert (short, 0) in listed and name not in [n for n, _ in listed]  # a day old: no rate yet
    # The text names the first few of each list (other tests' campaigns are behind too).
    assert "\nBehind plan: “" in sent["text"] and "\nEnding within 3 days: “" in sent["text"]
    assert "1,000 impressions, 12.50 spent, completion rate 90.0%" in sent["text"]
    # Its day counted no impression of the short campaign: both ads tried were lost.
    assert sent["player_errors"] == [
        {"id": short_id, "name": short, "failure_rate": 1.0, "top_code": 403}
    ]
    assert f"\nPlayers failing to play the ads: “{short}” (100.0%, mostly 403)." in sent["text"]


def test_an_admin_checks_the_webhook_with_a_signed_test_notification(
    stack: Stack, api: httpx.Client, editor: httpx.Client
) -> None:
    receiver = stack.webhook
    assert receiver is not None
    settings = api.get("/notifications").json()
    assert settings == {"webhook": True, "signed": True, "digest_hour": 7}
    answer = api.post("/notifications/test")
    assert answer.status_code == 200, answer.text
    delivery = answer.json()["delivery"]
    assert answer.json()["status_code"] == 204
    (raw,) = [r for r in receiver.received if r.headers.get(DELIVERY_HEADER) == delivery]
    assert raw.headers[SIGNATURE_HEADER] == signature(stack.webhook_secret, raw.body)
    sent = json.loads(raw.body)
    assert (sent["event"], sent["actor"], sent["id"]) == ("test", ADMIN_EMAIL, delivery)
    assert editor.post("/notifications/test").status_code == 403
    receiver.refusing = True
    try:
        refused = api.post("/notifications/test")
    finally:
        receiver.refusing = False
    assert refused.status_code == 502
    assert refused.json()["error"] == {
        "code": "upstream_failed",
        "message": "the webhook answered 503",
    }
