"""Budgets through the whole stack: leases on two decision replicas, BudgetLedger shards,
impressions flushed by the sinks. Traffic far above budget must never overspend and must leave
at most 1% unspent; a ledger killed mid-flight must not change that."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import asyncpg
import httpx

from actors.budget_ledger import LEDGER_NAME, NAMESPACE
from storage.db import asyncpg_dsn
from tests.integration.factories import active_campaign
from tests.stack_fixtures import Stack

NS = {"v": "http://www.iab.com/VAST"}
CPM = 10  # one impression costs 0.01


def campaign_state(stack: Stack, campaign_ids: list[str]) -> dict[str, dict[str, Any]]:
    async def fetch() -> dict[str, dict[str, Any]]:
        conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
        try:
            rows = await conn.fetch(
                """SELECT c.id::text AS id, c.status, c.budget_total, c.budget_spent,
                          coalesce(sum(h.impressions), 0) AS impressions
                   FROM campaigns c LEFT JOIN campaign_hourly_stats h ON h.campaign_id = c.id
                   WHERE c.id = ANY($1::uuid[]) GROUP BY c.id""",
                [uuid.UUID(c) for c in campaign_ids],
            )
        finally:
            await conn.close()
        return {row["id"]: dict(row) for row in rows}

    return asyncio.run(fetch())


def drive(
    stack: Stack, campaign_ids: list[str], stop: threading.Event, served: Counter[str]
) -> None:
    """Ask for each campaign's ad over and over, firing the impression of every ad served."""
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        while not stop.is_set():
            for cid in campaign_ids:
                answer = client.get("/api/v1/vast", params={"campaign_id": cid})
                root = ElementTree.fromstring(answer.content)
                impression = root.findtext(".//v:Impression", namespaces=NS)
                if impression:
                    assert client.get(impression.strip()).status_code == 200
                    served[cid] += 1


def run_until_completed(
    stack: Stack, campaign_ids: list[str], *, timeout: float, during: Any = None
) -> Counter[str]:
    served: Counter[str] = Counter()
    stop = threading.Event()
    workers = [
        threading.Thread(target=drive, args=(stack, campaign_ids, stop, served)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    try:
        if during is not None:
            during(served)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = campaign_state(stack, campaign_ids).values()
            if all(s["status"] == "completed" for s in states):
                break
            time.sleep(0.5)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    time.sleep(2)  # let the sinks flush the last impressions
    return served


def assert_exact_budgets(stack: Stack, campaign_ids: list[str], served: Counter[str]) -> None:
    states = campaign_state(stack, campaign_ids)
    for cid in campaign_ids:
        state = states[cid]
        spent = Decimal(state["impressions"]) * CPM / 1000
        assert state["impressions"] == served[cid], (cid, state, served[cid])
        assert spent == state["budget_spent"]
        assert spent <= state["budget_total"], f"overspent {cid}: {spent} > {state['budget_total']}"
        assert spent >= state["budget_total"] * Decimal("0.99"), f"underspent {cid}: {state}"
        assert state["status"] == "completed"


def test_small_budgets_under_heavy_traffic_are_delivered_exactly(
    stack: Stack, api: httpx.Client
) -> None:
    budgets = ["0.10", "0.25", "0.37", "0.50", "1.00"]  # 10 to 100 impressions
    ids = [active_campaign(stack, api, budget_total=b, cpm=CPM) for b in budgets]
    served = run_until_completed(stack, ids, timeout=90)
    assert_exact_budgets(stack, ids, served)


def test_a_ledger_killed_mid_flight_neither_overspends_nor_stops_serving(
    stack: Stack, api: httpx.Client, ray_client: Any
) -> None:
    cid = active_campaign(stack, api, budget_total="1.50", cpm=CPM)
    after_kill: dict[str, int] = {}

    def kill_ledgers(served: Counter[str]) -> None:
        while served[cid] < 40:
            time.sleep(0.05)
        for shard in range(2):
            ledger = ray_client.get_actor(LEDGER_NAME.format(shard), namespace=NAMESPACE)
            ray_client.kill(ledger, no_restart=False)
        after_kill["at"] = served[cid]

    served = run_until_completed(stack, [cid], timeout=120, during=kill_ledgers)
    assert served[cid] > after_kill["at"], "serving did not resume after the ledger restart"
    assert_exact_budgets(stack, [cid], served)
