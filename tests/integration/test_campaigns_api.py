"""Campaign management through Ray Serve: persisted in PostgreSQL, mirrored into Redis."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
import redis

from storage.db import asyncpg_dsn
from tests.integration.factories import (
    active_campaign,
    ad_urls,
    draft_campaign,
    fire,
    served,
    wait_served,
)
from tests.stack_fixtures import ADMIN_EMAIL, Stack, wait_until


def campaign_body(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "name": f"Spring launch {uuid.uuid4().hex[:6]}",
        "description": "CTV awareness",
        "budget_total": 1000,
        "cpm": 12.5,
        "start_date": (now - timedelta(days=1)).isoformat(),
        "end_date": (now + timedelta(days=30)).isoformat(),
        "click_through_url": "https://example.com/landing?a=1&b=2",
        "pacing": "even",
    }
    body.update(overrides)
    return body


def db_row(stack: Stack, campaign_id: str) -> asyncpg.Record | None:
    async def fetch() -> asyncpg.Record | None:
        conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
        try:
            return await conn.fetchrow(
                "SELECT * FROM campaigns WHERE id = $1", uuid.UUID(campaign_id)
            )
        finally:
            await conn.close()

    return asyncio.run(fetch())


def create(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    answer = api.post("/campaigns", json=campaign_body(**overrides))
    assert answer.status_code == 201, answer.text
    campaign: dict[str, Any] = answer.json()["campaign"]
    return campaign


def test_create_is_in_postgres_and_redis_within_a_second(
    stack: Stack, api: httpx.Client, rds: redis.Redis
) -> None:
    campaign = create(api)
    key = f"{stack.redis_prefix}campaign:{campaign['id']}"
    elapsed = wait_until(lambda: rds.exists(key), timeout=1.0)
    assert elapsed < 1.0
    row = db_row(stack, campaign["id"])
    assert row is not None and row["name"] == campaign["name"] and row["status"] == "draft"
    cached = rds.hgetall(key)
    assert cached["name"] == campaign["name"]
    assert cached["status"] == "draft"
    assert 0 < rds.ttl(key) <= 3600
    assert campaign["id"] in rds.smembers(f"{stack.redis_prefix}campaigns:all")


def test_crud_round_trip(stack: Stack, api: httpx.Client, rds: redis.Redis) -> None:
    campaign = create(api)
    cid = campaign["id"]
    fetched = api.get(f"/campaigns/{cid}").json()["campaign"]
    assert 0 < fetched.pop("budget_planned") < 50  # a day of 31 of $1,000: moves with the clock
    campaign.pop("budget_planned")
    assert fetched == campaign

    patched = api.patch(f"/campaigns/{cid}", json={"name": "Renamed", "cpm": 30, "daily_cap": 50})
    assert patched.status_code == 200, patched.text
    assert patched.json()["campaign"]["name"] == "Renamed"
    assert patched.json()["campaign"]["daily_cap"] == 50.0
    assert rds.hget(f"{stack.redis_prefix}campaign:{cid}", "cpm") == "30.00"
    assert db_row(stack, cid)["name"] == "Renamed"  # type: ignore[index]

    assert api.delete(f"/campaigns/{cid}").status_code == 204
    assert api.get(f"/campaigns/{cid}").status_code == 404
    assert db_row(stack, cid) is None
    assert not rds.exists(f"{stack.redis_prefix}campaign:{cid}")
    assert cid not in rds.smembers(f"{stack.redis_prefix}campaigns:all")


def test_list_filters_searches_and_paginates(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    ids = [create(api, name=f"{tag} item {i}")["id"] for i in range(3)]
    api.put(f"/campaigns/{ids[0]}/status", json={"status": "active"})
    page = api.get("/campaigns", params={"search": tag, "limit": 2}).json()
    assert page["total"] == 3 and len(page["campaigns"]) == 2
    rest = api.get("/campaigns", params={"search": tag, "limit": 2, "offset": 2}).json()
    assert len(rest["campaigns"]) == 1
    seen = {c["id"] for c in page["campaigns"] + rest["campaigns"]}
    assert seen == set(ids)
    active = api.get("/campaigns", params={"search": tag, "status": "active"}).json()
    assert [c["id"] for c in active["campaigns"]] == [ids[0]]
    assert api.get("/campaigns", params={"status": "bogus"}).status_code == 422
    assert api.get("/campaigns", params={"limit": 0}).status_code == 422
    by_advertiser = create(api, advertiser=f"Brand {tag}_x%")["id"]
    found = api.get("/campaigns", params={"search": f"BRAND {tag}_x%"}).json()
    assert [c["id"] for c in found["campaigns"]] == [by_advertiser]


@pytest.mark.parametrize(
    ("path", "target", "expected"),
    [
        (["active"], "paused", 200),
        (["active", "paused"], "active", 200),
        (["active"], "completed", 200),
        (["active", "paused"], "completed", 200),
        ([], "paused", 409),
        ([], "completed", 409),
        ([], "draft", 409),
        (["active"], "draft", 409),
        (["active"], "active", 409),
        (["active", "completed"], "active", 409),
        (["active", "completed"], "paused", 409),
    ],
)
def test_status_transitions(
    stack: Stack, api: httpx.Client, rds: redis.Redis, path: list[str], target: str, expected: int
) -> None:
    cid = create(api)["id"]
    for step in path:
        assert api.put(f"/campaigns/{cid}/status", json={"status": step}).status_code == 200
    answer = api.put(f"/campaigns/{cid}/status", json={"status": target})
    assert answer.status_code == expected, answer.text
    if expected == 409:
        assert answer.json()["error"]["code"] == "conflict"
        assert "allowed" in answer.json()["error"]["details"]
    else:
        active_key = f"{stack.redis_prefix}campaigns:active"
        assert (cid in rds.smembers(active_key)) == (target == "active")
        assert rds.hget(f"{stack.redis_prefix}campaign:{cid}", "status") == target


def test_a_bulk_status_change_changes_each_campaign_it_can_and_says_why_not_the_others(
    stack: Stack,
    api: httpx.Client,
    rds: redis.Redis,
    serving: httpx.Client,
) -> None:
    running = active_campaign(stack, api, name="Bulk pause")
    wait_served(serving, running)
    paused, done = create(api)["id"], create(api)["id"]
    for cid, steps in ((paused, ["active", "paused"]), (done, ["active", "completed"])):
        for step in steps:
            assert api.put(f"/campaigns/{cid}/status", json={"status": step}).status_code == 200
    missing = str(uuid.uuid4())
    named = [running, paused, done, missing, running]  # named twice: changed once
    answer = api.post("/campaigns/status", json={"campaign_ids": named, "status": "paused"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["changed"] == 1
    assert [(r["campaign_id"], r["outcome"], r["status"]) for r in body["results"]] == [
        (running, "changed", "paused"),
        (paused, "unchanged", "paused"),
        (done, "refused", "completed"),
        (missing, "not_found", None),
    ]
    assert body["results"][2]["message"] == "cannot change status from completed to paused"
    assert rds.hget(f"{stack.redis_prefix}campaign:{running}", "status") == "paused"
    wait_until(lambda: not served(serving, running), timeout=2)  # every replica within 1 s
    (latest, *_) = api.get(f"/campaigns/{running}/history").json()["changes"]
    assert (latest["actor"], latest["changes"]) == (ADMIN_EMAIL, {"status": ["active", "paused"]})
    resumed = api.post("/campaigns/status", json={"campaign_ids": [running], "status": "active"})
    assert resumed.json()["changed"] == 1
    wait_served(serving, running)


@pytest.mark.parametrize(
    "body",
    [
        {"campaign_ids": [], "status": "paused"},
        {"campaign_ids": [str(uuid.uuid4()) for _ in range(101)], "status": "paused"},
        {"campaign_ids": ["../etc/passwd"], "status": "paused"},
        {"campaign_ids": [str(uuid.uuid4())], "status": "deleted"},
        {"campaign_ids": str(uuid.uuid4()), "status": "paused"},
        {"campaign_ids": [str(uuid.uuid4())], "status": "paused", "extra": 1},
    ],
)
def test_a_bulk_status_change_refuses_a_bad_body(api: httpx.Client, body: dict[str, Any]) -> None:
    answer = api.post("/campaigns/status", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_input"


def test_viewers_and_strangers_cannot_change_statuses(
    api: httpx.Client, viewer: httpx.Client, anon: httpx.Client
) -> None:
    cid = create(api)["id"]
    body = {"campaign_ids": [cid], "status": "active"}
    assert viewer.post("/campaigns/status", json=body).status_code == 403
    assert anon.post("/campaigns/status", json=body).status_code == 401
    assert api.get(f"/campaigns/{cid}").json()["campaign"]["status"] == "draft"


def test_cannot_activate_after_end_date(api: httpx.Client) -> None:
    past = datetime.now(UTC) - timedelta(days=10)
    cid = create(api, start_date=(past - timedelta(days=5)).isoformat(), end_date=past.isoformat())[
        "id"
    ]
    answer = api.put(f"/campaigns/{cid}/status", json={"status": "active"})
    assert answer.status_code == 409
    assert "end date" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget_total": -5}, "budget_total"),
        ({"budget_total": 0}, "budget_total"),
        ({"budget_total": "lots"}, "budget_total"),
        ({"cpm": -1}, "cpm"),
        ({"cpm": [1]}, "cpm"),
        ({"name": ""}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "bell\x07"}, "name"),
        ({"pacing": "fast"}, "pacing"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"click_through_url": "javascript:alert(1)"}, "click_through_url"),
        ({"click_through_url": "https://ex ample.com"}, "click_through_url"),
        ({"status": "active"}, "status"),
        ({"budget_total": 10.001}, "budget_total"),
        ({"advertiser": ""}, "advertiser"),
        ({"advertiser": "x" * 256}, "advertiser"),
        ({"categories": ["alcohol"]}, "categories.0"),
        ({"categories": "IAB2"}, "categories"),
        ({"categories": [f"IAB{n}" for n in range(1, 12)]}, "categories"),
        ({"frequency_cap_ads": 0, "frequency_cap_hours": 24}, "frequency_cap_ads"),
        ({"frequency_cap_ads": 2.5, "frequency_cap_hours": 24}, "frequency_cap_ads"),
        ({"frequency_cap_ads": 3, "frequency_cap_hours": 721}, "frequency_cap_hours"),
    ],
)
def test_bad_campaign_input_is_422_naming_the_field(
    api: httpx.Client, overrides: dict[str, Any], field: str
) -> None:
    answer = api.post("/campaigns", json=campaign_body(**overrides))
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert any(d["field"] == field for d in error["details"]), error


def test_end_before_start_is_422(api: httpx.Client) -> None:
    now = datetime.now(UTC)
    answer = api.post(
        "/campaigns",
        json=campaign_body(
            start_date=now.isoformat(), end_date=(now - timedelta(days=1)).isoformat()
        ),
    )
    assert answer.status_code == 422
    assert "end_date must be after start_date" in answer.text
    cid = create(api)["id"]
    patched = api.patch(f"/campaigns/{cid}", json={"end_date": "2000-01-01"})
    assert patched.status_code == 422
    assert "end_date must be after start_date" in patched.json()["error"]["message"]


def test_budget_cannot_drop_below_spent_or_be_nulled(api: httpx.Client) -> None:
    cid = create(api)["id"]
    assert api.patch(f"/campaigns/{cid}", json={"budget_total": None}).status_code == 422
    assert api.patch(f"/campaigns/{cid}", json={"unknown": 1}).status_code == 422


def test_malformed_json_and_wrong_content(api: httpx.Client) -> None:
    answer = api.post(
        "/campaigns", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "malformed_json"
    assert api.post("/campaigns", json=[1, 2]).status_code == 422
    assert api.put("/campaigns/x/status", json={"status": "flying"}).status_code in (404, 422)


def test_huge_body_is_413(api: httpx.Client) -> None:
    payload = b'{"name": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    answer = api.post("/campaigns", content=payload, headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


def test_markup_and_sql_metacharacters_are_stored_verbatim(stack: Stack, api: httpx.Client) -> None:
    name = """<script>alert("x")</script> & ]]> '; DROP TABLE campaigns; -- %_\\"""
    campaign = create(api, name=name, description="<b>bold</b> & <i>it</i>")
    assert campaign["name"] == name
    assert db_row(stack, campaign["id"])["name"] == name  # type: ignore[index]
    answer = api.get(f"/campaigns/{campaign['id']}")
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.json()["campaign"]["description"] == "<b>bold</b> & <i>it</i>"
    found = api.get("/campaigns", params={"search": "'; DROP TABLE"}).json()
    assert [c["id"] for c in found["campaigns"]] == [campaign["id"]]
    wildcard = api.get("/campaigns", params={"search": "%_\\"}).json()
    assert [c["id"] for c in wildcard["campaigns"]] == [campaign["id"]]


def test_advertiser_and_categories_are_stored_normalized(stack: Stack, api: httpx.Client) -> None:
    campaign = create(api, advertiser="<Acme> & Sons", categories=["iab2-3", "IAB2-3 ", "IAB19"])
    assert (campaign["advertiser"], campaign["categories"]) == (
        "<Acme> & Sons",
        ["IAB2-3", "IAB19"],
    )
    row = db_row(stack, campaign["id"])
    assert row is not None and (row["advertiser"], row["categories"]) == (
        "<Acme> & Sons",
        ["IAB2-3", "IAB19"],
    )
    cleared = api.patch(f"/campaigns/{campaign['id']}", json={"advertiser": None, "categories": []})
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["campaign"]["advertiser"], cleared.json()["campaign"]["categories"]) == (
        None,
        [],
    )
    assert api.patch(f"/campaigns/{campaign['id']}", json={"categories": None}).status_code == 422
    plain = create(api)
    assert (plain["advertiser"], plain["categories"]) == (None, [])


def test_a_frequency_cap_is_both_halves_or_none(api: httpx.Client) -> None:
    half = api.post("/campaigns", json=campaign_body(frequency_cap_ads=3))
    assert half.status_code == 422
    assert "frequency_cap_ads and frequency_cap_hours" in half.text
    capped = create(api, frequency_cap_ads=3, frequency_cap_hours=24)
    assert (capped["frequency_cap_ads"], capped["frequency_cap_hours"]) == (3, 24)
    path = f"/campaigns/{capped['id']}"
    assert api.patch(path, json={"frequency_cap_hours": None}).status_code == 422
    assert (
        api.patch(path, json={"frequency_cap_hours": 168}).json()["campaign"]["frequency_cap_hours"]
        == 168
    )
    cleared = api.patch(path, json={"frequency_cap_ads": None, "frequency_cap_hours": None})
    assert cleared.status_code == 200
    assert cleared.json()["campaign"]["frequency_cap_ads"] is None


@pytest.mark.parametrize("cid", ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "1 OR 1=1"])
def test_unknown_campaign_is_404(api: httpx.Client, cid: str) -> None:
    for method, body in [("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)]:
        answer = api.request(method, f"/campaigns/{cid}", json=body)
        assert answer.status_code == 404, (method, answer.text)
        assert answer.json()["error"]["code"] == "not_found"


def test_every_change_is_in_the_history_with_who_made_it(
    api: httpx.Client, anon: httpx.Client
) -> None:
    cid = create(api, name="Launch")["id"]
    renamed = api.patch(f"/campaigns/{cid}", json={"budget_total": 1500, "name": "  Renamed "})
    assert renamed.is_success
    assert api.patch(f"/campaigns/{cid}", json={"budget_total": 1500}).is_success  # no change
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).is_success
    assert api.put(f"/campaigns/{cid}/status", json={"status": "paused"}).is_success
    refused = api.patch(f"/campaigns/{cid}", json={"budget_total": -1})
    assert refused.status_code == 422  # refused: not in the history

    changes = api.get(f"/campaigns/{cid}/history").json()["changes"]
    assert {c["actor"] for c in changes} == {ADMIN_EMAIL}
    assert [(c["action"], c["changes"]) for c in changes] == [
        ("status", {"status": ["active", "paused"]}),
        ("status", {"status": ["draft", "active"]}),
        ("updated", {"budget_total": ["1000.00", "1500.00"], "name": ["Launch", "Renamed"]}),
        ("created", {}),
    ]
    assert api.get(f"/campaigns/{cid}/history", params={"limit": 1}).json()["changes"] == [
        changes[0]
    ]

    assert api.delete(f"/campaigns/{cid}").status_code == 204
    after = api.get(f"/campaigns/{cid}/history").json()["changes"]
    assert after[0]["action"] == "deleted" and after[1:] == changes  # kept after the campaign
    assert api.get(f"/campaigns/{uuid.uuid4()}/history").status_code == 404
    assert anon.get(f"/campaigns/{cid}/history").status_code == 401


def test_the_serving_check_says_why_a_campaign_is_not_serving(
    stack: Stack, api: httpx.Client
) -> None:
    draft = draft_campaign(api, name="Serving check test", daily_cap=5)

    def check(cid: str) -> dict[str, Any]:
        answer = api.get(f"/campaigns/{cid}/serving-check")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    found = check(draft)
    verdicts = {c["key"]: c["verdict"] for c in found["checks"]}
    assert found["serving"] is False and found["campaign_id"] == draft
    assert found["summary"] == "Not serving: It is a draft: start it to serve."
    assert verdicts == {
        "status": "blocked",
        "flight": "ok",
        "budget": "ok",
        "daily_cap": "ok",
        "creatives": "blocked",
    }
    live = active_campaign(stack, api, frequency_cap_ads=2, frequency_cap_hours=1)
    serving = check(live)
    assert serving["serving"] is True
    assert serving["summary"].startswith(
        "Serving, limited: At most 2 ads per device in 1 h.; No impressions since "
    )
    creatives = next(c for c in serving["checks"] if c["key"] == "creatives")
    assert creatives["detail"].startswith("1 of 1 creatives serve (15 s)")
    with httpx.Client(base_url=stack.base_url, timeout=30) as players:
        wait_served(players, live)
        assert fire(players, ad_urls(players, live)["impression"]).status_code == 200

    def delivery() -> str:
        return str(next(c["detail"] for c in check(live)["checks"] if c["key"] == "delivery"))

    wait_until(lambda: delivery().startswith("1 impression since "), timeout=10, interval=0.2)
    assert api.put(f"/campaigns/{live}/status", json={"status": "paused"}).status_code == 200
    assert check(live)["summary"] == "Not serving: It is paused: resume it to serve."
    assert api.get(f"/campaigns/{uuid.uuid4()}/serving-check").status_code == 404
    assert api.get("/campaigns/not-an-id/serving-check").status_code == 404
    with httpx.Client(base_url=api.base_url) as anonymous:
        assert anonymous.get(f"/campaigns/{live}/serving-check").status_code == 401
