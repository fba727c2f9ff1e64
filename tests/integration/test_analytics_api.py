"""Analytics API through Ray Serve: campaign stats, dashboard and performance report, read from
stats rows written straight into PostgreSQL (as the impression sinks leave them).

Every test shares the run's database, so assertions look only at this module's campaigns, and
dashboard-wide figures are checked as lower bounds or against each other.
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import asyncpg
import httpx
import pytest

from config.settings import get_settings
from storage.db import asyncpg_dsn
from tests.stack_fixtures import Stack, execute_sql

INSERT_HOURLY = """INSERT INTO campaign_hourly_stats (campaign_id, hour, impressions, starts,
    first_quartiles, midpoints, third_quartiles, completes, clicks, errors, spend, skips)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"""
INSERT_DAILY = """INSERT INTO campaign_daily_stats (campaign_id, day, impressions, starts,
    first_quartiles, midpoints, third_quartiles, completes, clicks, errors, spend, skips)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"""
PERFORMANCE_COLUMNS = [
    "campaign_id",
    "name",
    "status",
    "impressions",
    "starts",
    "completes",
    "clicks",
    "errors",
    "vcr",
    "ctr",
    "spend",
    "ecpm",
    "budget_total",
    "budget_spent",
    "budget_remaining",
    "advertiser",
    "reach",
    "frequency",
    "priority",
    "invalid_impressions",
]


class Counts(NamedTuple):
    impressions: int
    starts: int = 0
    first_quartiles: int = 0
    midpoints: int = 0
    third_quartiles: int = 0
    completes: int = 0
    clicks: int = 0
    errors: int = 0
    spend: Decimal = Decimal(0)
    skips: int = 0

    def as_json(self) -> dict[str, Any]:
        return {**self._asdict(), "spend": float(self.spend)}


ZERO = Counts(0).as_json()


def insert_hourly(stack: Stack, campaign_id: str, rows: dict[datetime, Counts]) -> None:
    cid = uuid.UUID(campaign_id)
    execute_sql(stack, INSERT_HOURLY, [(cid, hour, *counts) for hour, counts in rows.items()])


def insert_daily(stack: Stack, campaign_id: str, rows: dict[date, Counts]) -> None:
    cid = uuid.UUID(campaign_id)
    execute_sql(stack, INSERT_DAILY, [(cid, day, *counts) for day, counts in rows.items()])


def create_campaign(
    api: httpx.Client,
    *,
    name: str | None = None,
    active: bool = False,
    advertiser: str | None = None,
    priority: str = "standard",
) -> str:
    now = datetime.now(UTC)
    answer = api.post(
        "/campaigns",
        json={
            "name": name or f"Analytics {uuid.uuid4().hex[:8]}",
            "budget_total": 1000,
            "cpm": 12.5,
            "start_date": (now - timedelta(days=30)).isoformat(),
            "end_date": (now + timedelta(days=30)).isoformat(),
            "advertiser": advertiser,
            "priority": priority,
        },
    )
    assert answer.status_code == 201, answer.text
    cid: str = answer.json()["campaign"]["id"]
    if active:
        assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).status_code == 200
    return cid


@pytest.fixture(scope="module")
def campaign_id(stack: Stack, admin_token: str) -> Iterator[str]:
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=stack.admin_url, headers=headers, timeout=30) as client:
        yield create_campaign(client)


def get_ok(api: httpx.Client, path: str, **params: str) -> dict[str, Any]:
    answer = api.get(path, params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_hourly_stats_are_exact_and_zero_filled_across_midnight(
    stack: Stack, api: httpx.Client
) -> None:
    cid = create_campaign(api)
    before_midnight = Counts(4, 4, 4, 3, 3, 2, 1, 0, Decimal("0.05"))
    after_midnight = Counts(6, 5, 5, 4, 4, 4, 0, 1, Decimal("0.075"))
    insert_hourly(
        stack,
        cid,
        {
            datetime(2025, 3, 10, 20, tzinfo=UTC): Counts(1000, spend=Decimal(9)),
            datetime(2025, 3, 10, 22, tzinfo=UTC): before_midnight,
            datetime(2025, 3, 11, 1, tzinfo=UTC): after_midnight,
            datetime(2025, 3, 11, 3, tzinfo=UTC): Counts(1000, spend=Decimal(9)),
        },
    )
    execute_sql(
        stack,
        "UPDATE campaigns SET budget_spent = $2 WHERE id = $1",
        [(uuid.UUID(cid), Decimal("123.456789"))],
    )

    body = get_ok(
        api,
        f"/campaigns/{cid}/stats",
        **{"from": "2025-03-10T21:30:00Z", "to": "2025-03-11T03:00:00Z", "granularity": "hour"},
    )

    assert body["campaign_id"] == cid and body["granularity"] == "hour"
    assert (body["from"], body["to"]) == ("2025-03-10T21:00:00Z", "2025-03-11T03:00:00Z")
    assert body["series"] == [
        {"bucket": "2025-03-10T21:00:00Z", **ZERO},
        {"bucket": "2025-03-10T22:00:00Z", **before_midnight.as_json()},
        {"bucket": "2025-03-10T23:00:00Z", **ZERO},
        {"bucket": "2025-03-11T00:00:00Z", **ZERO},
        {"bucket": "2025-03-11T01:00:00Z", **after_midnight.as_json()},
        {"bucket": "2025-03-11T02:00:00Z", **ZERO},
    ]
    planned = body["totals"].pop("budget_planned")  # even pacing, half the flight gone
    assert 495 <= planned <= 505, planned
    assert body["totals"] == {
        **Counts(10, 9, 9, 7, 7, 6, 1, 1, Decimal("0.125")).as_json(),
        "vcr": 0.6,
        "ctr": 0.1,
        "ecpm": 12.5,
        "budget_total": 1000.0,
        "budget_spent": 123.456789,
        "budget_remaining": 876.543211,
        "reach": 0,  # stats rows written straight in: no raw events, so no device reached
        "frequency": 0.0,
    }
    same_hours_in_paris = get_ok(
        api,
        f"/campaigns/{cid}/stats",
        **{
            "from": "2025-03-10T22:30:00+01:00",
            "to": "2025-03-11T04:00:00+01:00",
            "granularity": "hour",
        },
    )
    same_hours_in_paris["totals"].pop("budget_planned")
    assert same_hours_in_paris == body


def test_daily_stats_zero_fill_across_month_end_and_include_the_to_day(
    stack: Stack, api: httpx.Client
) -> None:
    cid = create_campaign(api)
    first = Counts(10, 9, 8, 7, 6, 5, 2, 1, Decimal("0.125"))
    last = Counts(5, 5, 5, 5, 5, 5, 0, 0, Decimal("0.0625"))
    insert_daily(
        stack,
        cid,
        {
            date(2025, 2, 26): Counts(777, spend=Decimal(1)),
            date(2025, 2, 27): first,
            date(2025, 3, 2): last,
            date(2025, 3, 3): Counts(777, spend=Decimal(1)),
        },
    )

    body = get_ok(api, f"/campaigns/{cid}/stats", **{"from": "2025-02-27", "to": "2025-03-02"})

    assert body["granularity"] == "day"
    assert (body["from"], body["to"]) == ("2025-02-27T00:00:00Z", "2025-03-03T00:00:00Z")
    assert body["series"] == [
        {"bucket": "2025-02-27", **first.as_json()},
        {"bucket": "2025-02-28", **ZERO},
        {"bucket": "2025-03-01", **ZERO},
        {"bucket": "2025-03-02", **last.as_json()},
    ]
    totals = body["totals"]
    assert totals["impressions"] == 15 and totals["spend"] == 0.1875
    assert totals["vcr"] == 10 / 15 and totals["ctr"] == 2 / 15 and totals["ecpm"] == 12.5
    assert totals["budget_remaining"] == 1000.0


def test_default_ranges_end_with_the_current_bucket(stack: Stack, api: httpx.Client) -> None:
    cid = create_campaign(api)
    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    insert_daily(stack, cid, {now.date(): Counts(3, spend=Decimal("0.0375"))})
    insert_hourly(stack, cid, {hour: Counts(2, spend=Decimal("0.025"))})

    days = get_ok(api, f"/campaigns/{cid}/stats")
    assert [p["bucket"] for p in days["series"]] == [
        (now.date() - timedelta(days=6 - i)).isoformat() for i in range(7)
    ]
    assert days["series"][-1]["impressions"] == 3 and days["totals"]["impressions"] == 3

    hours = get_ok(api, f"/campaigns/{cid}/stats", granularity="hour")
    assert len(hours["series"]) == 168
    current = [p for p in hours["series"] if p["bucket"] == hour.isoformat().replace("+00:00", "Z")]
    assert current and current[0]["impressions"] == 2
    assert hours["totals"]["spend"] == 0.025


def test_dashboard_sums_the_last_seven_days_and_ranks_top_campaigns(
    stack: Stack, api: httpx.Client
) -> None:
    before = get_ok(api, "/dashboard")
    today = datetime.now(UTC).date()
    a = create_campaign(api, name="Dashboard leader")
    b = create_campaign(api, name="Dashboard runner-up")
    c = create_campaign(api, name="Dashboard third", active=True)
    billion = 1_000_000_000
    insert_daily(
        stack,
        a,
        {
            today: Counts(4 * billion, completes=billion, clicks=4000, spend=Decimal(50_000_000)),
            today - timedelta(days=1): Counts(1, spend=Decimal("0.0125")),
        },
    )
    insert_daily(stack, b, {today - timedelta(days=1): Counts(3 * billion, spend=Decimal(3))})
    insert_daily(
        stack,
        c,
        {
            today - timedelta(days=6): Counts(2 * billion, spend=Decimal(2)),
            today - timedelta(days=7): Counts(100 * billion, spend=Decimal(100)),
        },
    )

    after = get_ok(api, "/dashboard")

    top = [
        (t["id"], t["name"], t["status"], t["impressions"], t["spend"])
        for t in after["top_campaigns"]
    ]
    assert top[:3] == [
        (a, "Dashboard leader", "draft", 4 * billion + 1, 50_000_000.0125),
        (b, "Dashboard runner-up", "draft", 3 * billion, 3.0),
        (c, "Dashboard third", "active", 2 * billion, 2.0),
    ]
    assert len(after["top_campaigns"]) <= 5
    assert set(after["top_campaigns"][0]) == {"id", "name", "status", "impressions", "spend"}
    assert [r["id"] for r in after["recent_campaigns"][:3]] == [c, b, a]
    assert len(after["recent_campaigns"]) == 5
    assert set(after["recent_campaigns"][0]) == {"id", "name", "status", "created_at"}

    days = [(today - timedelta(days=6 - i)).isoformat() for i in range(7)]
    assert [d["day"] for d in after["series"]] == days
    grown = {
        d["day"]: d["impressions"] - old["impressions"]
        for d, old in zip(after["series"], before["series"], strict=True)
    }
    assert grown[days[-1]] >= 4 * billion and grown[days[-2]] >= 3 * billion + 1
    assert 2 * billion <= grown[days[0]] < 100 * billion  # the 8th day back is not counted

    totals = after["totals"]
    assert totals["impressions"] == sum(d["impressions"] for d in after["series"])
    assert totals["clicks"] == sum(d["clicks"] for d in after["series"])
    assert totals["completes"] == sum(d["completes"] for d in after["series"])
    assert totals["spend"] == pytest.approx(sum(d["spend"] for d in after["series"]))
    assert totals["ctr"] == totals["clicks"] / totals["impressions"]
    assert totals["vcr"] == totals["completes"] / totals["impressions"]
    assert totals["campaigns"] >= before["totals"]["campaigns"] + 3
    assert totals["active_campaigns"] >= 1
    assert totals["active_campaigns"] <= totals["campaigns"]


def test_performance_report_json_and_csv(stack: Stack, api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    names = {
        "formula": f'=HYPERLINK("http://evil.example") {tag}',
        "hostile": f'{tag} Café, "quoted"\nsecond line 🎬',
        "tie_b": f"{tag} tie b",
        "tie_a": f"{tag} tie a",
        "idle": f"{tag} no stats",
    }
    ids = {key: create_campaign(api, name=name) for key, name in names.items() if key != "hostile"}
    ids["hostile"] = create_campaign(
        api, name=names["hostile"], advertiser="<Brew> & Co", priority="sponsorship"
    )
    insert_daily(
        stack,
        ids["formula"],
        {
            date(2025, 3, 31): Counts(9999, spend=Decimal(99)),
            date(2025, 4, 1): Counts(500, 480, 470, 460, 450, 400, 5, 2, Decimal("6.25")),
            date(2025, 4, 7): Counts(300, 300, 290, 280, 270, 200, 3, 0, Decimal("3.75")),
            date(2025, 4, 8): Counts(9999, spend=Decimal(99)),
        },
    )
    insert_daily(stack, ids["hostile"], {date(2025, 4, 3): Counts(200, 200, completes=50)})
    insert_daily(stack, ids["tie_b"], {date(2025, 4, 5): Counts(100, clicks=1)})
    insert_daily(stack, ids["tie_a"], {date(2025, 4, 6): Counts(100, clicks=2)})
    params = {"from": "2025-04-01", "to": "2025-04-07"}

    report = get_ok(api, "/reports/performance", **params)

    assert (report["from"], report["to"]) == ("2025-04-01T00:00:00Z", "2025-04-08T00:00:00Z")
    mine = [row for row in report["rows"] if row["campaign_id"] in ids.values()]
    order = ["formula", "hostile", "tie_a", "tie_b", "idle"]
    assert [row["campaign_id"] for row in mine] == [ids[key] for key in order]
    assert mine[0] == {
        "campaign_id": ids["formula"],
        "name": names["formula"],
        "status": "draft",
        "impressions": 800,
        "starts": 780,
        "completes": 600,
        "clicks": 8,
        "errors": 2,
        "vcr": 0.75,
        "ctr": 0.01,
        "spend": 10.0,
        "ecpm": 12.5,
        "budget_total": 1000.0,
        "budget_spent": 0.0,
        "budget_remaining": 1000.0,
        "advertiser": None,
        "reach": 0,
        "frequency": 0.0,
        "priority": "standard",
        "invalid_impressions": 0,
    }
    assert mine[1]["name"] == names["hostile"] and mine[1]["vcr"] == 0.25
    assert mine[1]["priority"] == "sponsorship"
    assert mine[1]["advertiser"] == "<Brew> & Co"
    assert mine[4]["impressions"] == 0 and (mine[4]["vcr"], mine[4]["ecpm"]) == (0.0, 0.0)
    assert len(report["rows"]) >= 5

    exported = api.get("/reports/performance", params={**params, "format": "csv"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"] == (
        'attachment; filename="performance_2025-04-01_2025-04-07.csv"'
    )
    reader = csv.DictReader(io.StringIO(exported.text, newline=""))
    assert reader.fieldnames == PERFORMANCE_COLUMNS
    parsed = {row["campaign_id"]: row for row in reader}
    assert list(parsed) == [row["campaign_id"] for row in report["rows"]]
    for row in mine:
        cells = parsed[row["campaign_id"]]
        typed = [k for k in PERFORMANCE_COLUMNS if k not in ("name", "advertiser")]
        assert [type(row[k])(cells[k]) for k in typed] == [row[k] for k in typed]
        assert cells["advertiser"] == (row["advertiser"] or "")
    assert parsed[ids["formula"]]["name"] == "'" + names["formula"]
    assert parsed[ids["hostile"]]["name"] == names["hostile"]
    assert parsed[ids["hostile"]]["advertiser"] == "<Brew> & Co"


def test_pacing_sums_spend_day_by_day_against_the_even_plan(
    stack: Stack, api: httpx.Client
) -> None:
    cid = create_campaign(api)  # even pacing, 1,000.00 over 60 days, half of them gone
    today = datetime.now(UTC).date()
    insert_daily(
        stack,
        cid,
        {
            today - timedelta(days=30): Counts(800, spend=Decimal("10.00")),
            today - timedelta(days=2): Counts(400, spend=Decimal("5.00")),
            today: Counts(80, spend=Decimal("1.00")),
        },
    )
    report = get_ok(api, f"/campaigns/{cid}/pacing")
    assert (report["campaign_id"], report["pacing"], report["budget_total"]) == (cid, "even", 1000)
    days = report["days"]  # the whole flight: 30 days gone, today, 30 to come
    assert [d["day"] for d in days] == [
        (today - timedelta(days=30 - n)).isoformat() for n in range(61)
    ]
    spent = [d["spent"] for d in days]
    assert spent[0] == 10 and spent[28] == spent[29] == 15 and spent[30] == 16
    assert spent[31:] == [None] * 30
    planned = [d["planned"] for d in days]
    assert planned == sorted(planned) and planned[-1] == 1000
    assert 490 < planned[30] < 510  # half the flight gone
    stats = get_ok(api, f"/campaigns/{cid}/stats")["totals"]
    assert abs(planned[30] - stats["budget_planned"]) < 1  # the same plan, read a moment apart


def test_pacing_projects_the_last_days_rate_to_the_end_date(
    stack: Stack, api: httpx.Client
) -> None:
    cid = create_campaign(api, active=True)  # 1,000.00 over 60 days, half of them gone
    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    insert_daily(stack, cid, {now.date() - timedelta(days=3): Counts(800, spend=Decimal(16))})
    # 0.50 an hour over the 24 hours before this one (12.00 a day); this hour's is not read.
    insert_hourly(
        stack,
        cid,
        {hour - timedelta(hours=n): Counts(40, spend=Decimal("0.50")) for n in range(25)},
    )
    projection = get_ok(api, f"/campaigns/{cid}/pacing")["projection"]
    assert projection["basis_spend"] == 12
    basis_start = datetime.fromisoformat(projection["basis_start"])
    assert datetime.fromisoformat(projection["basis_end"]) - basis_start == timedelta(hours=24)
    assert basis_start <= now - timedelta(hours=24)
    # 16.00 spent, 12.00 a day for the 30 days left: 376.00 of 1,000.00.
    assert 375 < projection["spend_at_end"] < 376.01
    assert abs(projection["share_of_budget"] - projection["spend_at_end"] / 1000) < 1e-9
    assert projection["budget_spent_at"] is None
    draft = create_campaign(api)
    assert get_ok(api, f"/campaigns/{draft}/pacing")["projection"] is None


def test_reports_leave_reach_out_rather_than_keep_the_page_waiting(
    stack: Stack, api: httpx.Client, campaign_id: str
) -> None:
    """A reach count that outlasts REPORT_REACH_TIMEOUT_SECONDS (here: ad_events locked) is
    left out as null; the rest of the report arrives."""
    loop = asyncio.new_event_loop()

    async def lock() -> asyncpg.Connection:
        conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
        await conn.execute("BEGIN; LOCK TABLE ad_events IN ACCESS EXCLUSIVE MODE")
        return conn

    holder = loop.run_until_complete(lock())
    try:
        started = time.monotonic()
        report = get_ok(api, "/reports/performance")
        totals = get_ok(api, f"/campaigns/{campaign_id}/stats")["totals"]
        platforms = get_ok(api, f"/campaigns/{campaign_id}/platforms")
        waited = time.monotonic() - started
        asked = time.monotonic()
        counters = get_ok(api, f"/campaigns/{campaign_id}/stats", reach="false")["totals"]
        counters_waited = time.monotonic() - asked  # no raw-event query: the lock is no wait
    finally:
        loop.run_until_complete(holder.close())
        loop.close()
    assert report["rows"] and all(r["reach"] is None for r in report["rows"])
    assert all(r["frequency"] is None for r in report["rows"])
    assert (totals["reach"], totals["frequency"]) == (None, None)
    assert "impressions" in totals and waited < 20
    assert platforms["rows"] is None
    assert counters["reach"] is None and "impressions" in counters
    assert counters_waited < get_settings().report_reach_timeout_seconds
    again = get_ok(api, "/reports/performance")
    assert all(isinstance(r["reach"], int) for r in again["rows"])


@pytest.mark.parametrize(
    "path",
    [
        "/campaigns/{id}/stats",
        "/campaigns/{id}/platforms",
        "/campaigns/{id}/player-errors",
        "/campaigns/{id}/pacing",
        "/dashboard",
        "/reports/performance?format=csv",
    ],
)
def test_analytics_needs_authentication(anon: httpx.Client, campaign_id: str, path: str) -> None:
    answer = anon.get(path.format(id=campaign_id))
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/campaigns/{id}/stats", {"from": "2025-03-10", "to": "2025-03-09"}),
        ("/campaigns/{id}/stats", {"from": "2025-03-10T12:00Z", "to": "2025-03-10T11:00Z"}),
        ("/campaigns/{id}/stats", {"granularity": "week"}),
        (
            "/campaigns/{id}/stats",
            {"from": "2025-01-01", "to": "2025-02-15", "granularity": "hour"},
        ),
        ("/campaigns/{id}/stats", {"from": "2020-01-01", "to": "2025-01-01"}),
        ("/campaigns/{id}/stats", {"from": "2025-02-30"}),
        ("/campaigns/{id}/stats", {"to": "next tuesday"}),
        ("/campaigns/{id}/stats", {"from": "9" * 100}),
        ("/campaigns/{id}/platforms", {"from": "2025-03-10", "to": "2025-03-09"}),
        ("/campaigns/{id}/player-errors", {"from": "2025-03-10", "to": "2025-03-09"}),
        ("/reports/performance", {"from": "2025-04-07", "to": "2025-04-01"}),
        ("/reports/performance", {"from": "2020-01-01"}),
        ("/reports/performance", {"format": "xlsx"}),
    ],
)
def test_bad_parameters_are_422(
    api: httpx.Client, campaign_id: str, path: str, params: dict[str, str]
) -> None:
    answer = api.get(path.format(id=campaign_id), params=params)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    field = error["details"][0]["field"].removeprefix("query.")
    assert field in {"from", "to", "granularity", "format"}


@pytest.mark.parametrize("campaign", [str(uuid.uuid4()), "not-a-uuid"])
@pytest.mark.parametrize("report", ["stats", "platforms", "player-errors", "pacing"])
def test_unknown_campaign_is_404(api: httpx.Client, campaign: str, report: str) -> None:
    answer = api.get(f"/campaigns/{campaign}/{report}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
