"""Delivery alerts: the catalog sync's check flags an active campaign behind its pacing plan and
says when it is back on plan, in the campaign's history and on the webhook."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from actors.catalog_sync import ACTOR_NAME, NAMESPACE
from ads.delivery_alerts import BEHIND, ON_PLAN
from ads.history import AD_SERVER
from tests.integration.factories import behind_plan_campaign
from tests.integration.test_notifications import news
from tests.stack_fixtures import Stack, wait_until


def deliveries(api: httpx.Client, cid: str) -> list[dict[str, Any]]:
    """The campaign's delivery entries, oldest first."""
    changes = api.get(f"/campaigns/{cid}/history").json()["changes"]
    return [c for c in reversed(changes) if c["action"] == "delivery"]


def since(api: httpx.Client, cid: str) -> str | None:
    """The campaign's ``behind_plan_since`` as the API shows it."""
    flagged: str | None = api.get(f"/campaigns/{cid}").json()["campaign"]["behind_plan_since"]
    return flagged


def test_a_campaign_behind_plan_is_flagged_once_and_unflagged_when_back_on_plan(
    stack: Stack, api: httpx.Client, ray_client: Any
) -> None:
    assert stack.webhook is not None
    name = f"Behind {uuid.uuid4().hex[:6]}"
    cid = behind_plan_campaign(stack, api, name=name)
    sync = ray_client.get_actor(ACTOR_NAME, namespace=NAMESPACE)

    def check() -> None:
        ray_client.get(sync.check_delivery.remote(), timeout=30)

    check()
    check()  # still behind: not news again
    (behind,) = deliveries(api, cid)
    assert behind["actor"] == AD_SERVER
    assert behind["changes"]["delivery"] == [ON_PLAN, BEHIND]
    assert behind["changes"]["spent"] == [None, "0.00"]
    assert Decimal("49") < Decimal(behind["changes"]["planned"][1]) <= Decimal("50.01")
    assert since(api, cid) is not None

    # Paused, it is not behind (its status change is the news); resumed, it is again.
    assert api.put(f"/campaigns/{cid}/status", json={"status": "paused"}).is_success
    check()
    assert len(deliveries(api, cid)) == 1
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).is_success
    check()
    assert [d["changes"]["delivery"] for d in deliveries(api, cid)] == [[ON_PLAN, BEHIND]] * 2

    # A flight that starts now has planned next to nothing: back on plan.
    moved = api.patch(f"/campaigns/{cid}", json={"start_date": datetime.now(UTC).isoformat()})
    assert moved.is_success, moved.text
    check()
    assert deliveries(api, cid)[-1]["changes"]["delivery"] == [BEHIND, ON_PLAN]
    assert since(api, cid) is None

    wait_until(
        lambda: sum(n["event"] == "campaign.delivery" for n in news(stack.webhook, cid)) >= 3,
        timeout=15,
        interval=0.2,
    )
    texts = [n["text"] for n in news(stack.webhook, cid) if n["event"] == "campaign.delivery"]
    planned = behind["changes"]["planned"][1]
    assert texts[0] == (
        f"Campaign “{name}”: delivery behind plan: 0.00 spent of {planned} planned (0%),"
        f" by {AD_SERVER}"
    )
    assert texts[-1].startswith(f"Campaign “{name}”: delivery back on plan: 0.00 spent of 0.")
