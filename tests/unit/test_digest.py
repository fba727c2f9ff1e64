"""The daily digest: when it is due, what it says and the JSON it carries."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from ads.digest import Digest, Ending, body, delivery_id, due, text
from ads.inventory import InventoryCounts
from ads.player_errors import FailingCampaign
from ads.projection import FallingShort
from ads.reporting import BehindPlan, Counters

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
YESTERDAY = date(2026, 12, 6)


def behind(name: str, pace: float) -> BehindPlan:
    return BehindPlan(
        id=uuid.uuid4(),
        name=name,
        budget_spent=Decimal(pace * 100),
        budget_planned=Decimal(100),
        pace=pace,
    )


SHORT = FallingShort(
    id=uuid.UUID(int=7),
    name="Winter & co",
    budget_total=Decimal(2000),
    spend_at_end=Decimal("1250.5"),
    share_of_budget=0.61,
)


def digest(**changes: object) -> Digest:
    values: dict[str, object] = {
        "day": YESTERDAY,
        "delivery": Counters(impressions=2000, completes=1800, clicks=8, spend=Decimal("25.5")),
        "requests": InventoryCounts(requests=4000, filled=3000),
        "active_campaigns": 3,
        "behind": [behind('Spring <"sale">', 0.41)],
        "short": [SHORT],
        "ending": [Ending("Black Friday", datetime(2026, 12, 8, 23, 59, tzinfo=UTC))],
        "awaiting_review": 2,
        "failing": [FailingCampaign(uuid.UUID(int=9), "Spot & co", 0.0512, 402)],
        **changes,
    }
    return Digest(**values)  # type: ignore[arg-type]


def test_yesterdays_digest_is_due_from_the_hour_until_sent() -> None:
    assert due(NOW, hour=7, last_sent=None) == YESTERDAY
    assert due(NOW, hour=7, last_sent=date(2026, 12, 1)) == YESTERDAY  # days missed: the latest
    assert due(NOW, hour=7, last_sent=YESTERDAY) is None
    assert due(NOW, hour=10, last_sent=None) is None  # not yet: 09:30


def test_the_text_gives_the_day_in_figures_and_what_needs_attention() -> None:
    assert text(digest()).split("\n") == [
        "Daily digest for Sun 06 Dec 2026 (UTC): 2,000 impressions, 25.50 spent, completion rate"
        " 90.0%, click-through rate 0.4%; 4,000 ad requests, 75.0% filled. 3 campaigns active.",
        'Behind plan: “Spring <"sale">” (41% of plan).',
        "Projected to fall short at the last day's rate: “Winter & co” (61% of budget).",
        "Ending within 3 days: “Black Friday” (Tue 08 Dec 23:59).",
        "Players failing to play the ads: “Spot & co” (5.1%, mostly 402).",
        "Creatives awaiting review: 2.",
    ]


def test_a_quiet_day_says_so_and_long_lists_are_cut() -> None:
    quiet = digest(
        delivery=Counters(),
        requests=InventoryCounts(),
        behind=[behind(f"C{n}", 0.5) for n in range(7)],
        short=[],
        ending=[],
        awaiting_review=0,
        failing=[],
    )
    first, second = text(quiet).split("\n")
    assert "0 impressions, 0.00 spent, completion rate 0.0%" in first
    assert "0 ad requests, — filled" in first
    assert second.endswith("“C4” (50% of plan) and 2 more.")


def test_the_body_carries_the_figures_and_the_text() -> None:
    sent = json.loads(body(digest()))
    assert sent["id"] == delivery_id(YESTERDAY) == "digest-2026-12-06"
    assert sent["event"] == "digest.daily" and sent["day"] == "2026-12-06"
    delivery = {"impressions": 2000, "completes": 1800, "clicks": 8, "spend": "25.50"}
    assert sent["delivery"] == delivery
    assert sent["ad_requests"] == {"requests": 4000, "filled": 3000}
    assert [b["name"] for b in sent["behind_plan"]] == ['Spring <"sale">']
    assert sent["falling_short"] == [
        {
            "id": "00000000-0000-0000-0000-000000000007",
            "name": "Winter & co",
            "spend_at_end": "1250.50",
            "share_of_budget": 0.61,
        }
    ]
    assert sent["ending"] == [{"name": "Black Friday", "end": "2026-12-08T23:59:00+00:00"}]
    assert sent["player_errors"] == [
        {
            "id": "00000000-0000-0000-0000-000000000009",
            "name": "Spot & co",
            "failure_rate": 0.0512,
            "top_code": 402,
        }
    ]
    assert sent["awaiting_review"] == 2 and sent["text"] == text(digest())
