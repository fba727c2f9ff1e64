"""VAST conformance run: request many VAST documents and validate every one against the IAB XSD.

The acceptance check of issue 4: "100% of VAST documents served in a 10,000-request run with
hostile campaign names validate against the IAB 4.2 XSD". It starts a private stack, seeds
campaigns whose names and descriptions are hostile to XML, then asks ``GET /api/v1/vast`` with
a mix of targeted (``campaign_id``), untargeted, duration-limited, ad-pod (``max_ads``) and
unknown-campaign requests, a third of them asking for another VAST version (``vast_version``
4.0 or 4.1, or a player's ``vast_versions`` list). Each document must say the version the
request negotiates and validate with xmlschema against that version's IAB schema in
``$VAST_XSD_DIR`` (default ../shared/vast); for targeted fills the AdTitle must round-trip the
campaign name, and the ads of a pod must be numbered 1..n.

    python -m bench.vast_conformance --requests 10000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import xmlschema

from ads.separation import advertiser_key, family
from ads.universal_ad_id import OWN_REGISTRY
from ads.vast import XSD_FILES, VastVersion, negotiate_version
from bench import report
from bench.ingress import resolve
from bench.seed import SeededCampaign, seed_campaigns, wait_served
from bench.stack import ADMIN_EMAIL, BenchStack, say
from cluster.ray_head import REPO_ROOT

NS = {"v": "http://www.iab.com/VAST"}


def xsd_dir() -> Path:
    """``$VAST_XSD_DIR``; the default ../shared/vast is taken from the repo root."""
    configured = os.environ.get("VAST_XSD_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "vast"


@dataclass(frozen=True, slots=True)
class VastRequest:
    kind: str
    params: dict[str, str]
    expected_title: str | None = None
    expected_advertiser: str | None = None
    expected_parameters: str | None = None

    @property
    def version(self) -> VastVersion:
        """The version the answer must be in."""
        return negotiate_version(self.params.get("vast_version"), self.params.get("vast_versions"))


_ASKED_VERSIONS = (
    {"vast_version": "4.0"},
    {"vast_version": "4.1"},
    {"vast_versions": "2,3,5,6,7,8"},
    {"vast_versions": "7,8,11,12"},
    {"vast_versions": "[VASTVERSIONS]"},
)
"""What a third of the requests add: a version asked for, or the player's list of them."""


def plan_requests(campaigns: list[SeededCampaign], count: int, seed: int) -> list[VastRequest]:
    """A reproducible mix: 40% targeted, 35% untargeted, 10% duration-limited, 10% ad pods,
    5% unknown id; a third of each asking for a VAST version (:data:`_ASKED_VERSIONS`)."""
    rng = random.Random(seed)
    return [
        replace(request, params=request.params | rng.choice(_ASKED_VERSIONS))
        if rng.random() < 1 / 3
        else request
        for request in _kinds(campaigns, count, rng)
    ]


def _kinds(campaigns: list[SeededCampaign], count: int, rng: random.Random) -> list[VastRequest]:
    plan: list[VastRequest] = []
    for i in range(count):
        roll = rng.random()
        request_id = f"conf-{i}"
        if roll < 0.40 and campaigns:
            campaign = rng.choice(campaigns)
            params = {"campaign_id": campaign.id, "request_id": request_id}
            plan.append(
                VastRequest(
                    "targeted",
                    params,
                    campaign.name,
                    campaign.advertiser,
                    campaign.verification_parameters,
                )
            )
        elif roll < 0.75:
            plan.append(VastRequest("untargeted", {"request_id": request_id}))
        elif roll < 0.85:
            seconds = rng.choice(("5", "7.5", "12", "20", "30", "60"))
            plan.append(VastRequest("max_duration", {"max_duration": seconds}))
        elif roll < 0.95:
            params = {"max_duration": rng.choice(("30", "60", "90", "120")), "max_ads": "5"}
            plan.append(VastRequest("ad pod", params))
        else:
            bogus = rng.choice(("nope<&>", "]]>", "' or 1=1 --", "00000000-0000-0000-0000-0"))
            plan.append(VastRequest("unknown campaign", {"campaign_id": bogus}))
    return plan


@dataclass(slots=True)
class Tally:
    """Counts by outcome; the first few failures are kept verbatim."""

    total: int = 0
    valid: int = 0
    filled: int = 0
    error_only: int = 0
    title_mismatch: int = 0
    advertiser_mismatch: int = 0
    parameters_mismatch: int = 0
    tracked_ads: int = 0
    """Ads with a third-party ``<Impression>`` next to ours."""
    verified_ads: int = 0
    """Ads with ``<AdVerifications>``."""
    wrapper_ads: int = 0
    """Third-party VAST tags served as ``<Wrapper>`` (each with its ``<VASTAdTagURI>``)."""
    icon_ads: int = 0
    """InLine ads with their information icon (``<Icon program="AdChoices">``)."""
    industry_ads: int = 0
    """InLine ads with an industry ``<UniversalAdId>`` (a registry other than ours)."""
    pod_ads: int = 0
    pod_disorder: int = 0
    pod_competitors: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_version: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        if len(self.failures) < 10:
            self.failures.append(message[:1500])


def check(
    schemas: dict[VastVersion, Any], request: VastRequest, status: int, body: bytes, tally: Tally
) -> None:
    """Validate one answer and count it."""
    tally.total += 1
    tally.by_kind[request.kind] += 1
    version = request.version
    tally.by_version[version] += 1
    if status != 200:
        tally.fail(f"{request.kind} {request.params}: HTTP {status} {body[:300]!r}")
        return
    text = body.decode("utf-8")
    errors = list(schemas[version].iter_errors(text))
    if errors:
        tally.fail(f"{request.kind} {request.params}: {errors[0]}")
        return
    root = ElementTree.fromstring(body)  # noqa: S314 (our own server's answer, schema-valid)
    if root.get("version") != version:
        tally.fail(f"{request.kind} {request.params}: VAST {root.get('version')}, not {version}")
        return
    tally.valid += 1
    if root.find("v:Ad", NS) is None:
        tally.error_only += 1
        return
    tally.filled += 1
    for ad in (*root.iterfind("v:Ad/v:InLine", NS), *root.iterfind("v:Ad/v:Wrapper", NS)):
        tally.tracked_ads += len(ad.findall("v:Impression", NS)) > 1
        tally.verified_ads += ad.find(_VERIFICATIONS[version], NS) is not None
    for inline in root.iterfind("v:Ad/v:InLine", NS):
        tally.icon_ads += inline.find(".//v:Icon[@program='AdChoices']", NS) is not None
        registries = [u.get("idRegistry") for u in inline.iterfind(".//v:UniversalAdId", NS)]
        tally.industry_ads += any(r != OWN_REGISTRY for r in registries)
    for wrapper in root.iterfind("v:Ad/v:Wrapper", NS):
        tally.wrapper_ads += 1
        if not (wrapper.findtext("v:VASTAdTagURI", namespaces=NS) or "").startswith("https://"):
            tally.fail(f"{request.kind} {request.params}: a Wrapper without its tag")
    if "max_ads" in request.params:
        ads = root.findall("v:Ad", NS)
        tally.pod_ads += len(ads)
        if [ad.get("sequence") for ad in ads] != [str(n) for n in range(1, len(ads) + 1)]:
            tally.pod_disorder += 1
            tally.fail(f"ad pod {request.params}: sequence numbers out of order")
        if competing(ads):
            tally.pod_competitors += 1
            tally.fail(f"ad pod {request.params}: two ads of one advertiser or category family")
    if request.expected_title is not None and root.find("v:Ad/v:InLine", NS) is not None:
        title = root.findtext("v:Ad/v:InLine/v:AdTitle", namespaces=NS)
        if title != request.expected_title:
            tally.title_mismatch += 1
            tally.fail(f"AdTitle {title!r} != campaign name {request.expected_title!r}")
        advertiser = root.findtext("v:Ad/v:InLine/v:Advertiser", namespaces=NS)
        if advertiser != request.expected_advertiser:
            tally.advertiser_mismatch += 1
            tally.fail(f"Advertiser {advertiser!r} != {request.expected_advertiser!r}")
        path = f"v:Ad/v:InLine/{_VERIFICATIONS[version]}/v:Verification/v:VerificationParameters"
        parameters = root.findtext(path, namespaces=NS)
        if parameters != request.expected_parameters:
            tally.parameters_mismatch += 1
            tally.fail(f"VerificationParameters {parameters!r} != {request.expected_parameters!r}")


_VERIFICATIONS = {
    version: "v:Extensions/v:Extension/v:AdVerifications"
    if version is VastVersion.V4_0
    else "v:AdVerifications"
    for version in VastVersion
}
"""Where an ad's verifications are: OM SDK's extension before VAST 4.1, the element after."""


def competing(ads: list[ElementTree.Element]) -> bool:
    """Whether two ads of a pod share an advertiser or an IAB category family, as the document
    says (``<Advertiser>``, ``<Category>``)."""
    seen: set[str] = set()
    for ad in ads:
        advertiser = ad.findtext("v:InLine/v:Advertiser", namespaces=NS)
        keys = {f"category:{family(c.text or '')}" for c in ad.iterfind("v:InLine/v:Category", NS)}
        if advertiser is not None:
            keys.add(f"advertiser:{advertiser_key(advertiser)}")
        if keys & seen:
            return True
        seen |= keys
    return False


async def fetch_all(
    base_url: str, plan: list[VastRequest], *, concurrency: int
) -> list[tuple[int, bytes]]:
    """GET every planned request with ``concurrency`` requests in flight."""
    answers: list[tuple[int, bytes]] = [(0, b"")] * len(plan)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(plan)):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                answer = await client.get("/api/v1/vast", params=plan[i].params)
                answers[i] = (answer.status_code, answer.content)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return answers


def run(base_url: str, campaigns: list[SeededCampaign], args: argparse.Namespace) -> Tally:
    schemas = {v: xmlschema.XMLSchema(str(args.xsd_dir / name)) for v, name in XSD_FILES.items()}
    plan = plan_requests(campaigns, args.requests, args.seed)
    tally = Tally()
    started = time.monotonic()
    for start in range(0, len(plan), args.batch):
        batch = plan[start : start + args.batch]
        answers = asyncio.run(fetch_all(base_url, batch, concurrency=args.concurrency))
        for request, (status, body) in zip(batch, answers, strict=True):
            check(schemas, request, status, body, tally)
        say(
            f"{tally.total:,}/{len(plan):,} checked, {tally.valid:,} valid "
            f"({tally.filled:,} ads, {tally.error_only:,} error-only), "
            f"{tally.total - tally.valid} invalid, {time.monotonic() - started:.0f}s"
        )
    return tally


def summary(tally: Tally, args: argparse.Namespace) -> list[str]:
    pct = 100.0 * tally.valid / max(tally.total, 1)
    kinds = ", ".join(f"{k} {n:,}" for k, n in sorted(tally.by_kind.items()))
    versions = ", ".join(
        f"{n:,} in {v} (`{XSD_FILES[VastVersion(v)]}`)" for v, n in sorted(tally.by_version.items())
    )
    lines = [
        "## VAST 4.x conformance (generated by `bench/vast_conformance.py`)",
        "",
        f"Run {report.now_utc()}: `{args.command}` (XSDs from the IAB, validated with "
        "xmlschema; each document against its own version's)",
        "",
        f"- **{tally.valid:,} of {tally.total:,} documents validate ({pct:.2f}%)** and say the "
        "version their request negotiated",
        f"- versions: {versions}",
        f"- {tally.filled:,} with an ad, {tally.error_only:,} error-only (no fill / unknown "
        "campaign)",
        f"- requests: {kinds}",
        f"- ad pods (`max_ads=5`, breaks of 30-120 s) held {tally.pod_ads:,} ads in all; "
        f"sequence numbers 1..n on every pod: "
        f"{'yes' if tally.pod_disorder == 0 else f'NO ({tally.pod_disorder} pods)'}",
        f"- no pod holds two ads of one advertiser or IAB category family (read back from "
        f"`<Advertiser>` and `<Category>`): "
        f"{'yes' if tally.pod_competitors == 0 else f'NO ({tally.pod_competitors} pods)'}",
        f"- AdTitle round-trips the hostile campaign name on every targeted InLine fill: "
        f"{'yes' if tally.title_mismatch == 0 else f'NO ({tally.title_mismatch} mismatches)'}",
        f"- Advertiser round-trips the hostile advertiser name on every targeted fill: "
        f"{'yes' if tally.advertiser_mismatch == 0 else f'NO ({tally.advertiser_mismatch})'}",
        f"- VerificationParameters round-trip the hostile parameters on every targeted fill: "
        f"{'yes' if tally.parameters_mismatch == 0 else f'NO ({tally.parameters_mismatch})'}",
        f"- ads with third-party trackers: {tally.tracked_ads:,}; with `<AdVerifications>`: "
        f"{tally.verified_ads:,}; third-party VAST tags served as `<Wrapper>`: "
        f"{tally.wrapper_ads:,} (their `AdTitle`/`Advertiser` checks skipped: a Wrapper has "
        "neither)",
        f'- InLine ads with their information icon (`<Icon program="AdChoices">`): '
        f"{tally.icon_ads:,}; with an industry `<UniversalAdId>` holding `&`, `<`, quotes and "
        f"`]]>`: {tally.industry_ads:,}",
        f"- seeded: {args.campaigns} campaigns with names/descriptions/advertisers containing "
        "`<`, `&`, "
        "`]]>`, CDATA, quotes, RTL override, emoji, combining marks, tabs/newlines, macros, "
        "255-character names; every third with third-party trackers (`&`, `[CACHEBUSTING]`, "
        "`%3C`) and a verification vendor with hostile parameters; every fourth with a "
        "third-party VAST tag whose URL holds macros and hostile text",
    ]
    if tally.failures:
        lines += ["", "First failures:", "", "```", *tally.failures, "```"]
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.vast_conformance",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=1_000, help="progress every N documents")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--ingress", default=None, help="ingress mode (default: make up's)")
    parser.add_argument("--xsd-dir", type=Path, default=xsd_dir())
    parser.add_argument("--results", type=Path, default=report.RESULTS)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)
    args.command = "python -m bench.vast_conformance " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    missing = [name for name in XSD_FILES.values() if not (args.xsd_dir / name).exists()]
    if missing:
        say(f"VAST XSDs {missing} not found in {args.xsd_dir} (set VAST_XSD_DIR)")
        return 2
    mode = resolve([args.ingress] if args.ingress else [])[0]
    with BenchStack() as stack:
        stack.start_services()
        say(f"starting Ray ({mode.name}) and seeding {args.campaigns} hostile campaigns")
        stack.start_ray(mode.full_env())
        campaigns = seed_campaigns(
            admin_url=f"{stack.base_url}/api/v1/admin",
            database_url=stack.base_env["DATABASE_URL"],
            email=ADMIN_EMAIL,
            password=stack.admin_password,
            count=args.campaigns,
            measured=True,
        )
        wait_served(stack.base_url, campaigns, timeout=60)
        tally = run(stack.base_url, campaigns, args)
    lines = summary(tally, args)
    print("\n".join(lines), flush=True)
    if not args.no_results:
        report.rewrite_section("conformance", lines, path=args.results)
        say(f"wrote the 'conformance' section of {args.results}")
    return 0 if tally.valid == tally.total and tally.title_mismatch == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
