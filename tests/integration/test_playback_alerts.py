"""Playback alerts: the catalog sync's check flags an active campaign whose ads players fail to
play and says when they play them again, in the campaign's history, on its page's API and on the
webhook."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from actors.catalog_sync import ACTOR_NAME, NAMESPACE
from ads.history import AD_SERVER
from ads.playback_alerts import FAILING, PLAYING
from tests.integration.factories import active_campaign
from tests.integration.test_notifications import news
from tests.stack_fixtures import Stack, execute_sql, wait_until


def playbacks(api: httpx.Client, cid: str) -> list[dict[str, Any]]:
    """The campaign's playback entries, oldest first."""
    changes = api.get(f"/campaigns/{cid}/history").json()["changes"]
    return [c for c in reversed(changes) if c["action"] == "playback"]


def failing_since(api: httpx.Client, cid: str) -> str | None:
    since: str | None = api.get(f"/campaigns/{cid}").json()["campaign"]["failing_since"]
    return since


def add_impressions(stack: Stack, cid: str, count: int) -> None:
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    execute_sql(
        stack,
        "INSERT INTO campaign_hourly_stats (campaign_id, hour, impressions) VALUES ($1, $2, $3)"
        " ON CONFLICT (campaign_id, hour) DO UPDATE"
        " SET impressions = campaign_hourly_stats.impressions + EXCLUDED.impressions",
        [(uuid.UUID(cid), hour, count)],
    )


def add_errors(stack: Stack, cid: str, count: int, code: int) -> None:
    """``count`` ads of the campaign served now whose players reported ``code`` before they
    played them (no impression)."""
    now = datetime.now(UTC)
    execute_sql(
        stack,
        "INSERT INTO ad_events (event_id, served_at, received_at, event_type, ad_serving_id,"
        " campaign_id, error_code) VALUES ($1, $2, $2, 'error', $3, $4, $5)",
        [
            (f"{ad}:error", now, ad, uuid.UUID(cid), code)
            for ad in (f"{cid}-lost-{uuid.uuid4().hex}" for _ in range(count))
        ],
    )


def test_a_campaign_whose_ads_fail_to_play_is_flagged_once_and_unflagged_when_they_play(
    stack: Stack, api: httpx.Client, ray_client: Any
) -> None:
    assert stack.webhook is not None
    name = f"Failing {uuid.uuid4().hex[:6]}"
    cid = active_campaign(stack, api, name=name)
    sync = ray_client.get_actor(ACTOR_NAME, namespace=NAMESPACE)

    def check() -> None:
        ray_client.get(sync.check_playback.remote(), timeout=30)

    add_impressions(stack, cid, 40)
    add_errors(stack, cid, 9, 403)  # too few tries yet: 49
    check()
    assert playbacks(api, cid) == [] and failing_since(api, cid) is None
    add_errors(stack, cid, 1, 405)  # 10 of 50 tries lost
    check()
    check()  # still failing: not news again
    (failing,) = playbacks(api, cid)
    assert failing["actor"] == AD_SERVER
    assert failing["changes"]["playback"] == [PLAYING, FAILING]
    assert failing["changes"]["failure_rate"] == [None, 0.2]
    assert failing["changes"]["tries"] == [None, 50]
    assert failing["changes"]["error_code"] == [None, 403]
    assert failing_since(api, cid) is not None

    # Paused, it is unflagged without news (its status change is the news).
    assert api.put(f"/campaigns/{cid}/status", json={"status": "paused"}).is_success
    check()
    assert failing_since(api, cid) is None and len(playbacks(api, cid)) == 1
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).is_success
    check()
    assert len(playbacks(api, cid)) == 2 and failing_since(api, cid) is not None

    add_impressions(stack, cid, 1_960)  # 10 of 2,010 tries: under 1%
    check()
    assert playbacks(api, cid)[-1]["changes"]["playback"] == [FAILING, PLAYING]
    assert failing_since(api, cid) is None

    wait_until(
        lambda: sum(n["event"] == "campaign.playback" for n in news(stack.webhook, cid)) >= 3,
        timeout=15,
        interval=0.2,
    )
    texts = [n["text"] for n in news(stack.webhook, cid) if n["event"] == "campaign.playback"]
    assert texts[0].startswith(
        f"Campaign “{name}”: players failing to play its ads: 20.0% of 50 tries failed in the"
        " last hour, mostly 403 ("
    )
    assert texts[-1] == (
        f"Campaign “{name}”: players play its ads again: 0.5% of 2,010 tries failed in the last"
        f" hour, by {AD_SERVER}"
    )
