"""Seed the benchmark catalog: active campaigns with hostile names, each with 1-3 creatives.

Campaigns go through the management API (so they are written through to Redis like real ones);
creatives are inserted into PostgreSQL as the upload pipeline leaves them, before activation.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from storage.db import asyncpg_dsn

HOSTILE_PARTS = (
    "<Ad>",
    "&",
    "&amp;",
    "]]>",
    "<![CDATA[x]]>",
    '"double"',
    "'single'",
    "</AdTitle></InLine>",
    "<!-- c -->",
    "&#x26; &lt;",
    "\u202eRTL\u202c",
    "Ünïcødé",
    "日本語",
    "العربية",
    "🎬📺",
    "e\u0301",
    "[ERRORCODE] ${MACRO} %%CACHEBUSTER%%",
    "\ttab\nnewline",
    "\\backslash",
)
DURATIONS_MS = (6_000, 10_000, 15_000, 15_000, 20_000, 30_000, 30_000)
RENDITIONS = ((640, 360, 800), (1280, 720, 3000), (1920, 1080, 6000))


@dataclass(frozen=True, slots=True)
class SeededCampaign:
    id: str
    name: str
    creatives: int
    advertiser: str | None = None
    verification_parameters: str | None = None
    """The hostile parameters of its verification vendor, when it has one."""


def hostile_name(rng: random.Random, index: int, *, limit: int = 255) -> str:
    """A campaign or creative name mixing XML-breaking text, unicode and (sometimes) length."""
    parts = [f"#{index}", *rng.sample(HOSTILE_PARTS, k=rng.randint(2, 6))]
    name = " ".join(parts)
    if index % 7 == 0:
        name = (name + " " + "long-" * 60)[:limit]
    return name[:limit].strip()


def _campaign_body(rng: random.Random, index: int, now: datetime) -> dict[str, object]:
    return {
        "name": hostile_name(rng, index),
        "description": hostile_name(rng, index + 1000, limit=2000) * 3,
        # Budgets far beyond what a benchmark can spend, paced ASAP: decisions keep filling at
        # thousands per second (with even pacing the ledger would rightly grant only a slice).
        "budget_total": rng.choice((100_000_000, 250_000_000, 500_000_000, 1_000_000_000)),
        "cpm": rng.choice((5, 12.5, 20, 35)),
        "pacing": "asap",
        "start_date": (now - timedelta(days=1)).isoformat(),
        "end_date": (now + timedelta(days=30)).isoformat(),
        "click_through_url": f"https://example.com/buy?c={index}&y=a%20b&z=[2]&q=%3Cx%3E",
        "advertiser": hostile_name(rng, index + 3000),
        "categories": seed_categories(index),
    }


def measurement(rng: random.Random, index: int) -> dict[str, object]:
    """Third-party trackers and a verification vendor whose URLs carry ``&``, macros and
    escapes, and whose parameters are hostile text (as a vendor's JSON blob might not be)."""
    return {
        "impression_trackers": [f"https://pixel.example/imp?c={index}&cb=[CACHEBUSTING]&q=%3Cx%3E"],
        "click_trackers": [f"https://clicks.example/c?c={index}&ord=[TIMESTAMP]"],
        "verifications": [
            {
                "vendor": f"vendor{index % 4}.example-omid",
                "script_url": f"https://verify.example/omid.js?c={index}&x=[2]",
                "parameters": hostile_name(rng, index + 5000, limit=4000),
            }
        ],
    }


def seed_categories(index: int) -> list[str]:
    """A tier-1 family and one of its subcategories, spread over the 26 families (so ad pods keep
    filling despite competitive separation)."""
    family = f"IAB{index % 26 + 1}"
    return [family, f"{family}-{index % 7 + 1}"]


async def _insert_vast_tag(
    conn: asyncpg.Connection, campaign_id: str, index: int, rng: random.Random
) -> None:
    """A third-party VAST tag creative whose URL carries macros and hostile text (straight into
    the table: the API would refuse its quotes and angle brackets, the renderer must not care)."""
    await conn.execute(
        """INSERT INTO creatives (id, campaign_id, name, status, vast_tag_url, mime,
           duration_ms, size_bytes, width, height, progress)
           VALUES ($1, $2, $3, 'active', $4, 'application/xml', $5, 0, 0, 0, 1)""",
        uuid.uuid4(),
        uuid.UUID(campaign_id),
        hostile_name(rng, index + 7000),
        f"https://ssp.example/vast?pub={index}&cb=[CACHEBUSTING]&q="
        + hostile_name(rng, index + 8000)[:80],
        rng.choice(DURATIONS_MS),
    )


async def _insert_creatives(
    database_url: str, campaigns: list[str], rng: random.Random, *, tags: bool = False
) -> dict[str, int]:
    """1-3 video creatives per campaign; ``tags``: every fourth also gets a VAST tag. Every
    fifth campaign's creatives have an industry id whose value holds XML's special
    characters (printable ASCII, as registries allow)."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    counts: dict[str, int] = {}
    try:
        for index, campaign_id in enumerate(campaigns):
            if tags and index % 4 == 1:
                await _insert_vast_tag(conn, campaign_id, index, rng)
            counts[campaign_id] = rng.randint(1, 3)
            for _ in range(counts[campaign_id]):
                creative_id = uuid.uuid4()
                renditions = [
                    {
                        "key": f"creatives/{creative_id}/{h}p.mp4",
                        "width": w,
                        "height": h,
                        "bitrate_kbps": kbps,
                        "mime": "video/mp4",
                        "codec": "h264",
                    }
                    for w, h, kbps in RENDITIONS[: rng.randint(0, 3)]
                ]
                industry = (
                    ("clearcast.co.uk", f"A&B<{index}>\"'/]]>/030") if index % 5 == 2 else None
                )
                await conn.execute(
                    """INSERT INTO creatives (id, campaign_id, name, status, file_key,
                       duration_ms, size_bytes, width, height, bitrate_kbps, renditions,
                       universal_ad_registry, universal_ad_value)
                       VALUES ($1, $2, $3, 'active', $4, $5, 1000000, 1920, 1080, 8000,
                       $6::jsonb, $7, $8)""",
                    creative_id,
                    uuid.UUID(campaign_id),
                    hostile_name(rng, index + 5000),
                    f"creatives/{creative_id}/original.mp4",
                    rng.choice(DURATIONS_MS),
                    json.dumps(renditions),
                    *(industry or (None, None)),
                )
    finally:
        await conn.close()
    return counts


def login(admin_url: str, *, email: str, password: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        answer = httpx.post(
            f"{admin_url}/auth/login", json={"email": email, "password": password}, timeout=30
        )
        if answer.status_code == 200:
            token: str = answer.json()["access_token"]
            return token
        if time.monotonic() > deadline:
            raise RuntimeError(f"admin login failed: {answer.status_code} {answer.text[:300]}")
        time.sleep(1)


def seed_campaigns(
    *,
    admin_url: str,
    database_url: str,
    email: str,
    password: str,
    count: int = 100,
    seed: int = 4,
    measured: bool = False,
) -> list[SeededCampaign]:
    """Create ``count`` active campaigns with hostile names and 1-3 active creatives each;
    ``measured``: every third with third-party trackers and a verification vendor, every fourth
    with a third-party VAST tag as well."""
    rng = random.Random(seed)
    token = login(admin_url, email=email, password=password)
    now = datetime.now(UTC)
    created: list[dict[str, Any]] = []
    with httpx.Client(
        base_url=admin_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        for index in range(count):
            body = _campaign_body(rng, index, now)
            if measured and index % 3 == 0:
                body |= measurement(rng, index)
            answer = api.post("/campaigns", json=body)
            if answer.status_code != 201:
                raise RuntimeError(f"creating campaign {index}: {answer.status_code} {answer.text}")
            created.append(answer.json()["campaign"])
        ids = [c["id"] for c in created]
        counts = asyncio.run(_insert_creatives(database_url, ids, rng, tags=measured))
        for cid in ids:
            answer = api.put(f"/campaigns/{cid}/status", json={"status": "active"})
            if answer.status_code != 200:
                raise RuntimeError(f"activating {cid}: {answer.status_code} {answer.text}")
    return [
        SeededCampaign(
            id=c["id"],
            name=c["name"],
            creatives=counts[c["id"]],
            advertiser=c["advertiser"],
            verification_parameters=(
                c["verifications"][0]["parameters"] if c["verifications"] else None
            ),
        )
        for c in created
    ]


def wait_served(base_url: str, campaigns: list[SeededCampaign], *, timeout: float = 30) -> None:
    """Block until every campaign is served by a targeted VAST request."""
    pending = {c.id for c in campaigns}
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while pending and time.monotonic() < deadline:
            for cid in list(pending):
                answer = client.get("/api/v1/vast", params={"campaign_id": cid})
                if answer.status_code == 200 and b"<Ad " in answer.content:
                    pending.discard(cid)
            if pending:
                time.sleep(0.5)
    if pending:
        raise RuntimeError(f"{len(pending)} seeded campaigns are not served after {timeout:.0f}s")
