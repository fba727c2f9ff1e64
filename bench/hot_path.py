"""In-process cost of one decision, step by step: the work a serving replica does per request,
without Ray Serve, HTTP or the network (so it shows what the handler itself costs).

    python -m bench.hot_path [--campaigns 100] [--rounds 5]

Prints the median over ``--rounds`` of µs per call for each step and for the whole JSON and VAST
decisions and of an ad pod, on a catalog of hostile-named campaigns (with advertisers and IAB
categories) with three renditions per creative.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ads.ad_info import AdInfoLinks
from ads.catalog import CatalogCampaign, CatalogCreative, Rendition
from ads.decision import (
    AdRequestBody,
    DecisionRenderer,
    decide,
    decide_pod,
    new_ad_serving_id,
    parse_ad_request,
)
from ads.frequency import device_id, request_ifa
from ads.selection import CatalogIndex
from ads.tracking import BeaconSigner
from bench.decisions import AD_REQUEST as BENCH_AD_REQUEST
from bench.seed import DURATIONS_MS, RENDITIONS, hostile_name, seed_categories

AD_REQUEST = BENCH_AD_REQUEST.encode()
BASE_URL = "http://127.0.0.1:8000"


def catalog(count: int, *, now: datetime) -> CatalogIndex:
    """``count`` active campaigns, 1-3 creatives each, three renditions per creative."""
    rng = random.Random(7)
    campaigns: list[CatalogCampaign] = []
    creatives: list[CatalogCreative] = []
    for index in range(count):
        campaign_id = f"{index:08d}-0000-4000-8000-000000000000"
        campaigns.append(
            CatalogCampaign(
                id=campaign_id,
                name=hostile_name(rng, index),
                status="active",
                budget_total=Decimal(rng.randint(1_000, 50_000)),
                budget_spent=Decimal(0),
                cpm=Decimal("12.50"),
                pacing="even",
                start_date=now - timedelta(days=1),
                end_date=now + timedelta(days=30),
                click_through_url=f"https://advertiser.example/landing?c={index}&x=<y>",
                advertiser=hostile_name(rng, index + 3000),
                categories=tuple(seed_categories(index)),
            )
        )
        for number in range(rng.randint(1, 3)):
            key = f"creatives/{campaign_id}/{number}"
            creatives.append(
                CatalogCreative(
                    id=f"{index:08d}-{number:04d}-4000-8000-000000000001",
                    campaign_id=campaign_id,
                    name=hostile_name(rng, index + number),
                    status="active",
                    duration_ms=rng.choice(DURATIONS_MS),
                    width=1920,
                    height=1080,
                    mime="video/mp4",
                    url=f"{BASE_URL}/media/{key}.mp4",
                    bitrate_kbps=8000,
                    renditions=tuple(
                        Rendition(
                            url=f"{BASE_URL}/media/{key}-{h}p.mp4",
                            width=w,
                            height=h,
                            bitrate_kbps=b,
                        )
                        for w, h, b in RENDITIONS
                    ),
                )
            )
    return CatalogIndex(campaigns, creatives)


def time_us(step: Callable[[], object], *, number: int, rounds: int) -> float:
    """Median µs per call of ``step`` over ``rounds`` rounds of ``number`` calls."""
    runs = timeit.repeat(step, number=number, repeat=rounds)
    return statistics.median(runs) / number * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--number", type=int, default=5_000, help="calls per round")
    args = parser.parse_args(argv)

    now = datetime.now(UTC)
    index = catalog(args.campaigns, now=now)
    secret = "bench-secret-" + "x" * 32
    signer = BeaconSigner(secret, base_url=BASE_URL)
    renderer = DecisionRenderer(signer, ad_info=AdInfoLinks.of(secret, base_url=BASE_URL))
    rng = random.Random(1)
    request = parse_ad_request(AD_REQUEST)
    decision = decide(
        index,
        request_id=request.request_id,
        max_duration_ms=60_000,
        now=now,
        rng=rng,
        signer=signer,
    )
    assert decision is not None

    def device_key(body: AdRequestBody) -> str | None:
        """As the replica: the device the request names, as the key beacons carry."""
        named = device_id(request_ifa(body.device))
        return None if named is None else signer.device_key(named)

    def whole_json() -> bytes:
        body = parse_ad_request(AD_REQUEST)
        at = datetime.now(UTC)
        made = decide(
            index,
            request_id=body.request_id,
            max_duration_ms=int(body.duration * 1000),
            now=at,
            rng=rng,
            signer=signer,
            device=device_key(body),
        )
        assert made is not None
        return renderer.json(made)

    def whole_vast() -> bytes:
        at = datetime.now(UTC)
        made = decide(
            index,
            request_id=new_ad_serving_id(),
            max_duration_ms=None,
            now=at,
            rng=rng,
            signer=signer,
        )
        assert made is not None
        return renderer.vast(made).encode()

    def whole_pod() -> bytes:
        made = decide_pod(
            index,
            request_id="bench-3f1c9a7e-0001",
            max_duration_ms=120_000,
            max_ads=4,
            now=datetime.now(UTC),
            rng=rng,
            signer=signer,
        )
        return renderer.json_pod("bench-3f1c9a7e-0001", made)

    steps: dict[str, Callable[[], object]] = {
        "parse ad request (JSON body)": lambda: parse_ad_request(AD_REQUEST),
        "pick (campaign + creative)": lambda: index.pick(now, max_duration_ms=60_000, rng=rng),
        "device key (id check + hash)": lambda: device_key(request),
        "sign beacons (one hash)": lambda: signer.sign(
            ad_serving_id=new_ad_serving_id(),
            request_id="bench-3f1c9a7e-0001",
            campaign_id=decision.campaign.id,
            creative_id=decision.creative.id,
            served_at=1_800_000_000,
        ),
        "render JSON body": lambda: renderer.json(decision),
        "render VAST document": lambda: renderer.vast(decision),
        "whole JSON decision": whole_json,
        "whole VAST decision": whole_vast,
        "whole JSON pod (4 ads, 120 s)": whole_pod,
    }
    print(
        f"[hot_path] {args.campaigns} campaigns; median of {args.rounds} rounds x "
        f"{args.number} calls; Python {sys.version.split()[0]}",
        flush=True,
    )
    for name, step in steps.items():
        print(
            f"  {name:<32} {time_us(step, number=args.number, rounds=args.rounds):8.1f} µs",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
