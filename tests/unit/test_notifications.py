"""Campaign news: which history entries are notified, what they say, and their signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ads.history import AD_SERVER, FLIGHT_ENDED, completion_changes, processed_changes
from ads.notifications import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    ChangeEntry,
    body,
    headers,
    notified,
    ping_body,
    text,
)

CAMPAIGN = uuid.uuid4()


def entry(action: str, changes: dict[str, list[Any]], **extra: Any) -> ChangeEntry:
    values: dict[str, Any] = {
        "id": 41,
        "at": datetime(2026, 12, 7, 5, tzinfo=UTC),
        "actor": "ana@team.example.com",
        "action": action,
        "campaign_id": CAMPAIGN,
        "campaign": 'Spring <Sale> & "more"',
        "changes": changes,
        **extra,
    }
    return ChangeEntry(**values)


@pytest.mark.parametrize(
    ("action", "changes", "says"),
    [
        ("status", {"status": ["draft", "active"]}, "draft → active, by ana@team.example.com"),
        (
            "reviewed",
            {"creative": ["Spot"] * 2, "review": ["pending", "rejected"], "note": [None, "loud"]},
            "creative “Spot” rejected: loud, by ana@team.example.com",
        ),
        (
            "reviewed",
            {"creative": ["Spot", "Spot"], "review": ["pending", "approved"]},
            "creative “Spot” approved, by ana@team.example.com",
        ),
        ("deleted", {"name": ["Spring", None]}, "deleted, by ana@team.example.com"),
    ],
)
def test_news_says_what_happened_and_who_did_it(
    action: str, changes: dict[str, list[Any]], says: str
) -> None:
    change = entry(action, changes)
    assert notified(change)
    assert text(change) == f'Campaign “Spring <Sale> & "more"”: {says}'


def test_the_ad_servers_own_completion_says_why_and_what_it_spent() -> None:
    changes = completion_changes(
        "active", flight_ended=True, spent=Decimal("2400"), budget=Decimal("2500.00")
    )
    assert text(entry("status", changes, actor=AD_SERVER)) == (
        'Campaign “Spring <Sale> & "more"”: active → completed (the flight ended; 2400.00 of'
        " 2500.00 spent (96%)), by ad server (automatic)"
    )
    older: dict[str, list[Any]] = {
        "status": ["active", "completed"],
        "reason": [None, FLIGHT_ENDED],
    }
    assert text(entry("status", older, actor=AD_SERVER)) == (
        'Campaign “Spring <Sale> & "more"”: active → completed (the flight ended), '
        "by ad server (automatic)"
    )


def test_edits_and_creations_are_not_news() -> None:
    assert not notified(entry("updated", {"budget_total": ["1000.00", "1500.00"]}))
    assert not notified(entry("created", {}))
    assert not notified(entry("creative_updated", {"paused": [False, True]}))


def test_a_campaign_gone_is_named_by_its_deletion_or_its_id() -> None:
    gone = entry("deleted", {"name": ["Spring", None]}, campaign=None)
    assert text(gone).startswith("Campaign “Spring”: deleted")
    unnamed = entry("status", {"status": ["active", "paused"]}, campaign=None)
    assert text(unnamed).startswith(f"Campaign {CAMPAIGN}: active → paused")


def test_the_body_is_json_a_receiver_can_verify() -> None:
    change = entry("status", {"status": ["active", "paused"]})
    payload = body(change)
    parsed = json.loads(payload)
    assert parsed == {
        "id": 41,
        "event": "campaign.status",
        "at": "2026-12-07T05:00:00+00:00",
        "actor": "ana@team.example.com",
        "campaign_id": str(CAMPAIGN),
        "campaign": 'Spring <Sale> & "more"',
        "changes": {"status": ["active", "paused"]},
        "text": text(change),
    }
    sent = headers(str(change.id), payload, "s3cret-webhook-key")
    expected = hmac.new(b"s3cret-webhook-key", payload, hashlib.sha256).hexdigest()
    assert sent[SIGNATURE_HEADER] == f"sha256={expected}"
    assert sent[DELIVERY_HEADER] == "41" and sent["Content-Type"] == "application/json"
    assert SIGNATURE_HEADER not in headers(str(change.id), payload, None)


def test_a_creative_added_is_news_while_it_awaits_review() -> None:
    waiting = entry("creative_added", {"creative": [None, "Spot"], "review": [None, "pending"]})
    assert notified(waiting)
    assert text(waiting) == (
        'Campaign “Spring <Sale> & "more"”: creative “Spot” added, awaiting review, '
        "by ana@team.example.com"
    )
    assert not notified(
        entry("creative_added", {"creative": [None, "Spot"], "review": [None, "approved"]})
    )


def test_delivery_alerts_are_news_with_the_spend_against_the_plan() -> None:
    behind = entry(
        "delivery",
        {
            "delivery": ["on plan", "behind plan"],
            "spent": [None, "12.00"],
            "planned": [None, "30.00"],
        },
        actor=AD_SERVER,
    )
    assert notified(behind)
    assert text(behind) == (
        'Campaign “Spring <Sale> & "more"”: delivery behind plan: 12.00 spent of 30.00 planned'
        f" (40%), by {AD_SERVER}"
    )


def test_an_upload_that_could_not_be_processed_is_news_and_a_ready_one_is_not() -> None:
    failed = entry(
        "creative_processed",
        processed_changes("Spot", renditions=0, error="The file is missing."),
        actor=AD_SERVER,
    )
    ready = entry("creative_processed", processed_changes("Spot", renditions=4, error=None))
    assert notified(failed) and not notified(ready)
    assert text(failed) == (
        'Campaign “Spring <Sale> & "more"”: creative “Spot” could not be processed: The file is'
        f" missing., by {AD_SERVER}"
    )


def test_a_ping_names_who_sent_it() -> None:
    at = datetime(2026, 12, 7, 8, tzinfo=UTC)
    sent = json.loads(ping_body(actor="ana@team.example.com", at=at, delivery="test-1"))
    assert (sent["id"], sent["event"], sent["at"]) == ("test-1", "test", at.isoformat())
    assert sent["text"].startswith("Test notification from the CTV ad server, sent by ana@")
