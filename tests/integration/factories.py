"""Test data made through the real API (and, for creatives, the row the upload pipeline
leaves behind, so decision tests do not wait for transcoding)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import asyncpg
import httpx

from storage.db import asyncpg_dsn
from tests.stack_fixtures import Stack, wait_until

NS = {"v": "http://www.iab.com/VAST"}


def add_creative(
    stack: Stack, campaign_id: str, *, duration_ms: int, status: str = "active"
) -> str:
    """An active creative row (as the upload pipeline leaves it), straight into PostgreSQL; with
    ``status`` ``processing`` one waiting for renditions from an original that is not stored."""

    async def insert() -> str:
        conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
        try:
            creative_id = uuid.uuid4()
            await conn.execute(
                """INSERT INTO creatives (id, campaign_id, name, status, file_key,
                   duration_ms, size_bytes, width, height, bitrate_kbps, renditions)
                   VALUES ($1, $2, 'spot <1>', $6, $3, $4, 1000, 1920, 1080, 6000,
                   $5::jsonb)""",
                creative_id,
                uuid.UUID(campaign_id),
                f"creatives/{creative_id}/original.mp4",
                duration_ms,
                json.dumps(
                    [
                        {
                            "name": "720p",
                            "key": f"creatives/{creative_id}/720p.mp4",
                            "width": 1280,
                            "height": 720,
                            "bitrate_kbps": 3000,
                            "mime": "video/mp4",
                            "codec": "h264",
                        }
                    ]
                ),
                status,
            )
            return str(creative_id)
        finally:
            await conn.close()

    return asyncio.run(insert())


def send_captions(
    client: httpx.Client, creative_id: str, language: str, data: bytes, name: str = "c.vtt"
) -> httpx.Response:
    """Upload ``data`` as the creative's captions in ``language``."""
    return client.post(
        f"/creatives/{creative_id}/captions",
        data={"language": language},
        files={"file": (name, data, "text/vtt")},
    )


def draft_campaign(api: httpx.Client, **overrides: Any) -> str:
    """A draft campaign made through the API, in flight from an hour ago for two days."""
    now = datetime.now(UTC)
    body = {
        "name": "Decision test",
        "budget_total": 500,
        "cpm": 20,
        "start_date": (now - timedelta(hours=1)).isoformat(),
        "end_date": (now + timedelta(days=2)).isoformat(),
        "click_through_url": "https://example.com/buy?x=1&y=a%20b&z=[2]",
        "pacing": "asap",  # tests serve bursts; pacing has its own tests
        **overrides,
    }
    created = api.post("/campaigns", json=body)
    assert created.status_code == 201, created.text
    cid: str = created.json()["campaign"]["id"]
    return cid


def active_campaign(
    stack: Stack, api: httpx.Client, *, duration_ms: int = 15_000, **overrides: Any
) -> str:
    """A campaign with one active creative of ``duration_ms``, started."""
    cid = draft_campaign(api, **overrides)
    add_creative(stack, cid, duration_ms=duration_ms)
    assert api.put(f"/campaigns/{cid}/status", json={"status": "active"}).status_code == 200
    return cid


def behind_plan_campaign(stack: Stack, api: httpx.Client, *, name: str) -> str:
    """An active, evenly paced campaign half through a two-day flight (ending in a day) with
    nothing spent: 50.00 of its 100.00 planned, 500 impressions behind at a CPM of 100."""
    now = datetime.now(UTC)
    return active_campaign(
        stack,
        api,
        name=name,
        pacing="even",
        budget_total=100,
        cpm=100,
        start_date=(now - timedelta(days=1)).isoformat(),
        end_date=(now + timedelta(days=1)).isoformat(),
    )


def served(serving: httpx.Client, campaign_id: str) -> bool:
    """Whether a VAST request for ``campaign_id`` gets an ad right now."""
    answer = serving.get("/api/v1/vast", params={"campaign_id": campaign_id})
    return b"<InLine>" in answer.content


def wait_served(serving: httpx.Client, campaign_id: str, *, timeout: float = 8.0) -> None:
    """Wait until every decision replica serves the campaign: its catalog has it and a budget
    lease covers it (judged by a run of consecutive fills, as requests spread over replicas)."""
    wait_until(lambda: all(served(serving, campaign_id) for _ in range(8)), timeout=timeout)


PASSWORD = "a long enough password"
"""The password of every user the tests add."""


def new_user(api: httpx.Client, role: str, **extra: Any) -> dict[str, Any]:
    """A user with ``role`` added by the admin client ``api``."""
    email = f"{role}-{uuid.uuid4().hex[:10]}@team.example.com"
    answer = api.post("/users", json={"email": email, "password": PASSWORD, "role": role, **extra})
    assert answer.status_code == 201, answer.text
    user: dict[str, Any] = answer.json()["user"]
    return user


def log_in(stack: Stack, email: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(
        f"{stack.admin_url}/auth/login", json={"email": email, "password": password}, timeout=30
    )


def client_of(stack: Stack, email: str, password: str = PASSWORD) -> httpx.Client:
    """A management API client logged in as ``email``."""
    answer = log_in(stack, email, password)
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    return httpx.Client(
        base_url=stack.admin_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def ad_urls(serving: httpx.Client, campaign_id: str, **params: str) -> dict[str, str]:
    """The beacon URLs of one freshly served ad for ``campaign_id`` (more tag ``params``: an
    ``ifa``), read from its VAST (asking again for a moment while the replica's budget lease is
    being refilled)."""
    deadline = time.monotonic() + 5
    while True:
        answer = serving.get("/api/v1/vast", params={"campaign_id": campaign_id, **params})
        root = ElementTree.fromstring(answer.content)
        if root.find("v:Ad", NS) is not None or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert root.find("v:Ad", NS) is not None, answer.text
    urls = {
        "impression": (root.findtext(".//v:Impression", namespaces=NS) or "").strip(),
        "click": (root.findtext(".//v:ClickTracking", namespaces=NS) or "").strip(),
        "error": (root.findtext(".//v:InLine/v:Error", namespaces=NS) or "").strip(),
    }
    for tracking in root.iterfind(".//v:Tracking", NS):
        urls[tracking.get("event", "")] = (tracking.text or "").strip()
    return urls


def fire(serving: httpx.Client, url: str) -> httpx.Response:
    return serving.get(url.replace("[ERRORCODE]", "405"), follow_redirects=False)
