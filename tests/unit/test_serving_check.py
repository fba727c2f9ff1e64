"""Why a campaign is (not) serving: each condition's verdict and the summary."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ads.catalog import CatalogCampaign, CatalogCreative
from ads.dayparts import Daypart, weekly_hours
from ads.frequency import FrequencyCap
from ads.platforms import Platform
from ads.player_errors import ErrorCount, PlayerErrorReport, player_error_report
from ads.priority import Priority
from ads.serving_check import (
    Published,
    ServingCheck,
    Verdict,
    published_state,
    serving_check,
)
from tests.unit.catalog_factories import NOW, campaign, creative

ID = str(uuid.uuid4())


def check(
    *,
    creatives: list[CatalogCreative] | None = None,
    spent_today: str = "0",
    planned: str | None = None,
    published: Published = Published.CURRENT,
    recent: tuple[datetime, int] | None = None,
    player_errors: PlayerErrorReport | None = None,
    **fields: Any,
) -> ServingCheck:
    made: CatalogCampaign = campaign(1, id=ID, **fields)
    return serving_check(
        made,
        [creative(1, 15), creative(1, 30)] if creatives is None else creatives,
        now=NOW,
        spent_today=Decimal(spent_today),
        planned=None if planned is None else Decimal(planned),
        published=published,
        recent=recent,
        player_errors=player_errors,
    )


def verdicts(result: ServingCheck) -> dict[str, Verdict]:
    return {c.key: c.verdict for c in result.checks}


def detail(result: ServingCheck, key: str) -> str:
    (found,) = [c.detail for c in result.checks if c.key == key]
    return found


def test_an_active_campaign_in_flight_with_budget_and_creatives_serves() -> None:
    result = check()
    assert result.serving and result.campaign_id == uuid.UUID(ID)
    assert verdicts(result) == {
        "status": Verdict.OK,
        "catalog": Verdict.OK,
        "flight": Verdict.OK,
        "budget": Verdict.OK,
        "creatives": Verdict.OK,
    }
    assert result.summary.startswith("Serving: every ad request")
    assert detail(result, "creatives") == (
        "2 of 2 creatives serve (15 s, 30 s): a break shorter than 15 s gets none of them."
    )
    assert detail(result, "budget") == "$100.00 of $100.00 left."


@pytest.mark.parametrize(
    ("fields", "key", "says"),
    [
        ({"status": "draft"}, "status", "It is a draft: start it to serve."),
        ({"status": "paused"}, "status", "It is paused: resume it to serve."),
        ({"status": "completed"}, "status", "It is completed."),
        ({"start_date": NOW + timedelta(hours=2)}, "flight", "starts 2026-11-24 14:00 UTC"),
        ({"end_date": NOW}, "flight", "ended 2026-11-24 12:00 UTC"),
        ({"budget_spent": Decimal(100)}, "budget", "Its budget of $100.00 is spent."),
    ],
)
def test_each_blocker_stops_serving_and_says_why(
    fields: dict[str, Any], key: str, says: str
) -> None:
    result = check(**fields)
    assert not result.serving and verdicts(result)[key] is Verdict.BLOCKED
    assert says in detail(result, key) and says in result.summary


def test_a_reached_daily_cap_blocks_until_midnight_utc() -> None:
    capped = check(daily_cap=Decimal(20), spent_today="20")
    assert not capped.serving
    assert detail(capped, "daily_cap") == (
        "Today's cap of $20.00 is reached; it serves again from 2026-11-25 00:00 UTC."
    )
    under = check(daily_cap=Decimal(20), spent_today="7.5")
    assert under.serving and detail(under, "daily_cap") == "$7.50 of today's $20.00 cap spent."


def test_outside_its_daypart_it_says_when_it_is_next_on() -> None:
    evenings = Daypart(hours=weekly_hours(set(range(7)), 18, 23), zone="America/New_York")
    off = check(daypart=evenings)  # NOW is 07:00 in New York
    assert not off.serving
    assert detail(off, "daypart") == (
        "Outside its hours (Mon-Sun 18:00-23:00 (America/New_York)); "
        "next on at 2026-11-24 23:00 UTC."
    )
    mornings = Daypart(hours=weekly_hours(set(range(7)), 6, 10), zone="America/New_York")
    on = check(daypart=mornings)
    assert on.serving and verdicts(on)["daypart"] is Verdict.LIMITED


def test_creatives_that_cannot_serve_are_named_by_state() -> None:
    waiting = [
        replace(creative(1, 15), status="pending_review"),
        replace(creative(1, 20), status="pending_review"),
        replace(creative(1, 30), status="processing"),
        replace(creative(1, 45), status="failed"),
        replace(creative(1, 60), status="paused"),
    ]
    none = check(creatives=waiting)
    assert not none.serving
    assert detail(none, "creatives") == (
        "None of its creatives can serve (1 being transcoded; 1 failed to process; 1 paused; "
        "2 waiting for review)."
    )
    some = check(creatives=[*waiting, creative(1, 30)])
    assert some.serving and detail(some, "creatives").endswith(
        "Not serving: 1 being transcoded; 1 failed to process; 1 paused; 2 waiting for review."
    )
    empty = check(creatives=[])
    assert not empty.serving and "no creatives" in detail(empty, "creatives")


def test_pacing_ahead_of_plan_targeting_caps_and_house_tier_limit_it() -> None:
    result = check(
        budget_spent=Decimal(40),
        target_platforms=frozenset({Platform.ROKU}),
        target_geo=frozenset({"US"}),
        frequency_cap=FrequencyCap(max_ads=3, hours=24),
        priority=Priority.HOUSE,
        planned="30",
    )
    assert result.serving
    assert verdicts(result) == {
        "status": Verdict.OK,
        "catalog": Verdict.OK,
        "flight": Verdict.OK,
        "budget": Verdict.OK,
        "pacing": Verdict.LIMITED,
        "creatives": Verdict.OK,
        "targeting": Verdict.LIMITED,
        "frequency_cap": Verdict.LIMITED,
        "priority": Verdict.LIMITED,
    }
    assert detail(result, "targeting") == (
        "Targeted (platforms, places): only requests that match all of it."
    )
    assert result.summary.startswith("Serving, limited: Ahead of its even plan ($40.00 spent")
    behind = check(budget_spent=Decimal(10), planned="30", priority=Priority.SPONSORSHIP)
    assert verdicts(behind)["pacing"] is Verdict.OK and verdicts(behind)["priority"] is Verdict.OK
    assert "pacing" not in verdicts(check(pacing="asap", planned=None))


def test_a_first_in_break_campaign_is_named_as_targeted() -> None:
    result = check(first_in_break=True, exclude_child_directed=True)
    assert detail(result, "targeting") == (
        "Targeted (no child-directed apps, first ad of a break only): only requests that match "
        "all of it."
    )


def test_kids_apps_exclusion_and_vast_tags_are_named() -> None:
    tag = replace(creative(1, 30), url="", vast_tag_url="https://ssp.example/vast")
    result = check(exclude_child_directed=True, creatives=[creative(1, 15), tag])
    assert detail(result, "targeting") == (
        "Targeted (no child-directed apps): only requests that match all of it."
    )
    assert detail(result, "creatives").endswith(
        "1 of them is a third-party VAST tag, served only to players that follow wrappers "
        '(VAST, or JSON asking "vast_tags": true).'
    )


def test_the_ad_servers_copy_is_compared_spend_aside() -> None:
    record = campaign(1, id=ID, budget_spent=Decimal(5))
    assert published_state(record, None) is Published.MISSING
    assert published_state(record, replace(record, budget_spent=Decimal(2))) is Published.CURRENT
    assert published_state(record, replace(record, status="paused")) is Published.STALE
    missing = check(published=Published.MISSING)
    assert not missing.serving and "not in the ad servers' catalog" in missing.summary
    assert verdicts(check(published=Published.STALE))["catalog"] is Verdict.LIMITED
    assert verdicts(check(published=Published.UNKNOWN))["catalog"] is Verdict.LIMITED
    assert "catalog" not in verdicts(check(status="draft", published=Published.MISSING))


def test_recent_delivery_is_reported_unless_something_blocks() -> None:
    since = NOW - timedelta(hours=1)
    delivering = check(creatives=[creative(1)], recent=(since, 1234))
    assert delivering.summary.startswith("Serving: every ad request")
    assert detail(delivering, "delivery") == "1,234 impressions since 2026-11-24 11:00 UTC."
    idle = check(creatives=[creative(1)], recent=(since, 0))
    assert idle.serving and verdicts(idle)["delivery"] is Verdict.LIMITED
    assert idle.summary.startswith("Serving, limited: No impressions since 2026-11-24 11:00 UTC")
    paused = check(creatives=[creative(1)], recent=(since, 0), status="paused")
    assert "delivery" not in verdicts(paused)


def errors_since(since: datetime, *, impressions: int, lost: int) -> PlayerErrorReport:
    counts = [ErrorCount(uuid.uuid4(), 402, errors=lost + 1, after_impression=1)]
    return player_error_report(
        campaign_id=uuid.UUID(ID),
        start=since,
        end=NOW,
        impressions=impressions,
        read=(counts, []),
        creative_names={},
    )


def test_players_failing_to_play_many_of_its_ads_limit_it_and_say_what_helps() -> None:
    since = NOW - timedelta(hours=1)
    failing = check(player_errors=errors_since(since, impressions=95, lost=5))
    assert failing.serving and verdicts(failing)["player_errors"] is Verdict.LIMITED
    assert detail(failing, "player_errors") == (
        "Since 2026-11-24 11:00 UTC: 5.0% of the ads players tried to play failed before they "
        "played. Most errors are 402: The video file took too long to load. Serve media from a "
        "CDN near the viewers; lower-bitrate renditions load faster."
    )
    assert "5.0% of the ads players tried" in failing.summary
    few = check(player_errors=errors_since(since, impressions=990, lost=10))  # 1%
    assert "player_errors" not in verdicts(few)
    paused = check(player_errors=errors_since(since, impressions=0, lost=5), status="paused")
    assert "player_errors" not in verdicts(paused)


def test_the_first_blocker_leads_the_summary() -> None:
    result = check(status="paused", budget_spent=Decimal(100), creatives=[])
    blocked = [c.key for c in result.checks if c.verdict is Verdict.BLOCKED]
    assert blocked == ["status", "budget", "creatives"]
    assert result.summary == "Not serving: It is paused: resume it to serve."


def test_creatives_off_their_own_schedule_do_not_serve_and_say_when() -> None:
    later = replace(creative(1, 15), starts_at=NOW + timedelta(days=3))
    sooner = replace(creative(1, 20), starts_at=NOW + timedelta(hours=2))
    over = replace(creative(1, 30), starts_at=NOW - timedelta(days=2), ends_at=NOW)
    none = check(creatives=[later, sooner, over])
    assert not none.serving
    assert detail(none, "creatives") == (
        "None of its creatives can serve (1 past its schedule; 2 scheduled to start later:"
        " the first from 2026-11-24 14:00 UTC)."
    )
    running = replace(creative(1, 45), starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    some = check(creatives=[later, running])
    assert some.serving
    assert detail(some, "creatives") == (
        "1 of 2 creatives serve (45 s): a break shorter than 45 s gets none of them."
        " Not serving: 1 scheduled to start later."
    )
