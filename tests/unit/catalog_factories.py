"""Catalog records for the pure decision tests: campaign ``n`` is ``c<n>``, active and in flight
around :data:`NOW`; its creatives are ``k<n>-<seconds>``."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ads.catalog import CatalogCampaign, CatalogCreative
from ads.decision import decide_pod
from ads.platforms import Platform
from ads.selection import CatalogIndex
from ads.targeting import NO_KEY_VALUES, KeyValues
from ads.tracking import BeaconSigner

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
SIGNER = BeaconSigner("s" * 32, base_url="https://ads.example.com")


def campaign(number: int, **fields: Any) -> CatalogCampaign:
    """Campaign ``number`` (budget 100 x ``number``), with ``fields`` set on top."""
    made = CatalogCampaign(
        id=f"c{number}",
        name=f"Campaign {number}",
        status="active",
        budget_total=Decimal(100 * number),
        budget_spent=Decimal(0),
        cpm=Decimal(10),
        pacing="even",
        start_date=NOW - timedelta(days=1),
        end_date=NOW + timedelta(days=1),
        click_through_url=None,
    )
    return replace(made, **fields)


def creative(campaign_number: int, seconds: int = 15) -> CatalogCreative:
    return CatalogCreative(
        id=f"k{campaign_number}-{seconds}",
        campaign_id=f"c{campaign_number}",
        name=f"{seconds}s",
        status="active",
        duration_ms=seconds * 1000,
        width=1920,
        height=1080,
        mime="video/mp4",
        url=f"https://cdn.example.com/{campaign_number}-{seconds}.mp4",
    )


def served(
    campaigns: list[CatalogCampaign],
    app: str | None = None,
    *,
    platform: Platform | None = None,
    content: frozenset[str] = frozenset(),
    geo: frozenset[str] = frozenset(),
    keys: KeyValues = NO_KEY_VALUES,
    child_directed: bool = False,
    draws: int = 60,
) -> set[str]:
    """The campaigns ``draws`` pods of up to 3 ads (one 15 s creative per campaign) take for a
    request from ``app``, ``platform``, next to ``content``, from a viewer in ``geo``, stating
    ``keys``, in an app that is ``child_directed`` or not."""
    index = CatalogIndex(campaigns, [creative(int(c.id[1:])) for c in campaigns])
    seen: set[str] = set()
    rng = random.Random(7)
    for _ in range(draws):
        for decision in decide_pod(
            index,
            request_id="r",
            max_duration_ms=None,
            max_ads=3,
            now=NOW,
            rng=rng,
            signer=SIGNER,
            app=app,
            platform=platform,
            content=content,
            geo=geo,
            keys=keys,
            child_directed=child_directed,
        ):
            seen.add(decision.campaign.id)
    return seen
