"""The log-level export: a campaign's beacons of served days as CSV, counted ones first."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ads.event_log import COLUMNS
from tests.integration.factories import active_campaign, ad_urls, wait_served
from tests.stack_fixtures import Stack, wait_until

ROKU = "Roku/DVP-12.5 (12.5.0.4142-AE)"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def exported(api: httpx.Client, cid: str, day: str, to: str | None = None) -> list[dict[str, Any]]:
    params = {"day": day} if to is None else {"day": day, "to": to}
    answer = api.get(f"/campaigns/{cid}/events", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    span = day if to in (None, day) else f"{day}_to_{to}"
    disposition = f'attachment; filename="events_{cid}_{span}.csv"'
    assert answer.headers["content-disposition"] == disposition
    assert answer.text.splitlines()[0] == ",".join(COLUMNS)
    return list(csv.DictReader(io.StringIO(answer.text)))


def test_a_days_log_lists_counted_beacons_then_invalid_ones_and_adds_up_to_the_report(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, name="Event log test", cpm=40)
    wait_served(serving, cid)
    urls = ad_urls(serving, cid)
    day = datetime.now(UTC).date().isoformat()  # the ad's served day
    assert serving.get(urls["impression"], headers={"User-Agent": GOOGLEBOT}).status_code == 200
    for event in ("impression", "start", "complete"):
        assert serving.get(urls[event], headers={"User-Agent": ROKU}).status_code == 200
    wait_until(lambda: len(exported(api, cid, day)) == 4, timeout=10, interval=0.2)
    rows = exported(api, cid, day)
    counted, invalid = rows[:3], rows[3:]
    assert [(r["event"], r["cost"], r["counted"]) for r in counted] == [
        ("impression", "0.04", "true"),
        ("start", "0.00", "true"),
        ("complete", "0.00", "true"),
    ]
    assert {(r["platform"], r["user_agent"], r["invalid_reason"]) for r in counted} == {
        ("roku", ROKU, "")
    }
    (robot,) = invalid
    assert (robot["event"], robot["counted"], robot["invalid_reason"]) == (
        "impression",
        "false",
        "robot",
    )
    assert robot["user_agent"] == GOOGLEBOT
    assert len({r["ad_serving_id"] for r in rows}) == 1 and len(rows[0]["ad_serving_id"]) == 32
    assert {r["creative_id"] for r in rows} == {
        api.get(f"/campaigns/{cid}/creatives").json()["creatives"][0]["id"]
    }
    assert all(r["served_at"].startswith(day) for r in rows)
    totals = api.get(f"/campaigns/{cid}/stats").json()["totals"]
    assert (totals["impressions"], totals["starts"], totals["completes"]) == (1, 1, 1)
    assert totals["spend"] == sum(float(r["cost"]) for r in counted)
    # A week up to today holds the same rows: the other days served nothing.
    week_ago = (datetime.now(UTC).date() - timedelta(days=6)).isoformat()
    assert exported(api, cid, week_ago, day) == rows


def test_the_export_refuses_what_it_cannot_answer(
    stack: Stack, api: httpx.Client, anon: httpx.Client
) -> None:
    cid = active_campaign(stack, api, name="Event log errors")
    today = datetime.now(UTC).date()
    assert exported(api, cid, (today - timedelta(days=1)).isoformat()) == []  # nothing served
    future = api.get(f"/campaigns/{cid}/events", params={"day": str(today + timedelta(days=1))})
    assert future.status_code == 422 and future.json()["error"]["code"] == "invalid_input"
    for bad in ({"day": "yesterday"}, {"day": "2026-02-30"}, {"day": ""}):
        answer = api.get(f"/campaigns/{cid}/events", params=bad)
        assert answer.status_code == 422, (bad, answer.text)
        assert "day" in answer.text
    for span, field in [
        ({"day": str(today), "to": str(today - timedelta(days=1))}, "to"),  # backwards
        ({"day": str(today - timedelta(days=31)), "to": str(today)}, "to"),  # 32 days
        ({"day": str(today), "to": str(today + timedelta(days=1))}, "to"),  # into the future
    ]:
        answer = api.get(f"/campaigns/{cid}/events", params=span)
        assert answer.status_code == 422, (span, answer.text)
        assert answer.json()["error"]["details"][0]["field"] == field
    month = {"day": str(today - timedelta(days=30)), "to": str(today)}  # 31 days: the most
    assert api.get(f"/campaigns/{cid}/events", params=month).status_code == 200
    default = api.get(f"/campaigns/{cid}/events")  # today's
    assert default.status_code == 200 and f"_{today}.csv" in default.headers["content-disposition"]
    missing = api.get(f"/campaigns/{uuid.uuid4()}/events", params={"day": str(today)})
    assert missing.status_code == 404
    assert api.get("/campaigns/..%2F..%2Fetc/events", params={"day": str(today)}).status_code == 404
    assert anon.get(f"/campaigns/{cid}/events", params={"day": str(today)}).status_code == 401
