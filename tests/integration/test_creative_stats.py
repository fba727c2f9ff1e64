"""Delivery per creative: beacons of each spot land in the creatives' daily rollup in the same
flush as the campaign's, and the API reads them with names, shares, VCR and CTR."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.integration.factories import (
    ad_urls,
    add_creative,
    draft_campaign,
    fire,
    wait_served,
)
from tests.stack_fixtures import Stack, wait_until


def test_each_creatives_beacons_are_reported_under_it(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = draft_campaign(api, budget_total=10_000, cpm=20)
    add_creative(stack, cid, duration_ms=15_000)
    second = add_creative(stack, cid, duration_ms=15_000)
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).status_code == 200
    wait_served(serving, cid)

    served: dict[str, int] = defaultdict(int)
    completed: dict[str, int] = defaultdict(int)
    clicked: dict[str, int] = defaultdict(int)
    skipped: dict[str, int] = defaultdict(int)
    for number in range(12):
        urls = ad_urls(serving, cid)
        creative = dict(parse_qsl(urlsplit(urls["impression"]).query))["k"]
        assert fire(serving, urls["impression"]).status_code == 200
        served[creative] += 1
        if number % 2 == 0:
            assert fire(serving, urls["complete"]).status_code == 200
            completed[creative] += 1
        if number % 3 == 0:
            assert fire(serving, urls["click"]).status_code in (204, 302)
            clicked[creative] += 1
        elif number % 4 == 1:
            assert fire(serving, urls["skip"]).status_code == 200
            skipped[creative] += 1

    def report() -> dict[str, dict[str, object]]:
        answer = api.get(f"/campaigns/{cid}/creatives/stats")
        assert answer.status_code == 200, answer.text
        return {row["creative_id"]: row for row in answer.json()["creatives"]}

    wait_until(
        lambda: sum(int(str(r["impressions"])) for r in report().values()) == 12,
        timeout=20,
        interval=0.3,
    )
    rows = report()
    assert second in rows and len(rows) == 2  # both listed, served or not
    for creative, row in rows.items():
        impressions = served.get(creative, 0)
        assert (row["impressions"], row["completes"], row["clicks"]) == (
            impressions,
            completed.get(creative, 0),
            clicked.get(creative, 0),
        )
        assert row["name"] == "spot <1>" and row["share"] == round(impressions / 12, 4)
        assert row["spend"] == impressions * 20 / 1000
        assert row["vcr"] == (completed.get(creative, 0) / impressions if impressions else 0)
        assert row["skips"] == skipped.get(creative, 0)
        assert row["skip_rate"] == (skipped.get(creative, 0) / impressions if impressions else 0)

    assert api.delete(f"/creatives/{second}").status_code == 204
    after = report()
    if served.get(second):
        assert after[second]["name"] is None  # deleted, its delivery kept
        assert after[second]["impressions"] == served[second]
    else:
        assert second not in after


def test_creative_stats_of_unknown_campaigns_and_bad_ranges(api: httpx.Client) -> None:
    missing = api.get("/campaigns/00000000-0000-0000-0000-000000000000/creatives/stats")
    assert missing.status_code == 404, missing.text
    cid = draft_campaign(api)
    backwards = api.get(
        f"/campaigns/{cid}/creatives/stats", params={"from": "2026-02-01", "to": "2026-01-01"}
    )
    assert backwards.status_code == 422 and "error" in backwards.json()
