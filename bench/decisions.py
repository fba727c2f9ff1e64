"""Decision-endpoint benchmark: one run measures the decision endpoints (JSON and VAST), a no-op
Serve deployment on the same ingress and a bare uvicorn app, for each Ray Serve ingress mode.

It starts a private stack (PostgreSQL, Redis, Ray head) on free ports in a temp dir, seeds
hostile-named campaigns, then for every ``--ingress`` mode restarts the Ray head with that
mode's environment and measures throughput (wrk) and latency at fixed offered rates: Poisson
arrivals (wrk, each connection pacing itself) and hey's fixed-rate workers (whose tickers fire
together, so it offers bursts of ``-c`` requests).
Results go to the console and to the ``decisions`` section of bench/RESULTS.md.

    python -m bench.decisions --ingress all
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import cpu, loadgen, profile, report
from bench.ingress import MODES, IngressMode, resolve
from bench.loadgen import Result, Target
from bench.seed import SeededCampaign, seed_campaigns, wait_served
from bench.stack import (
    ADMIN_EMAIL,
    NOOP_ROUTE,
    BenchStack,
    pin_replicas,
    replica_pids,
    say,
    serve_details,
    set_access_log,
    with_noop_app,
)
from cluster.ray_head import render_serve_config

AD_REQUEST = json.dumps(
    {
        "request_id": "bench-3f1c9a7e-0001",
        "duration": 60,
        "device": {"type": "ctv", "make": "Roku", "os": "RokuOS", "ifa": "bench-device"},
        "app": {"bundle": "com.example.ctv", "name": "Bench TV"},
    },
    separators=(",", ":"),
)
POD_ADS = 4
POD_REQUEST = json.dumps(
    {**json.loads(AD_REQUEST), "duration": 120, "max_ads": POD_ADS}, separators=(",", ":")
)
JSON, POD, VAST, NOOP_POST, NOOP_GET, BARE = (
    "decision JSON",
    f"decision JSON pod (max_ads {POD_ADS}, 120 s)",
    "decision VAST",
    "no-op Serve POST",
    "no-op Serve GET",
    "bare uvicorn",
)
INGRESSES = {"ServingIngress", "NoopIngress"}
FILLED = '"campaign_id"'
MIN_FILL_RATE = 0.99
TARGET_P99_MS = 10.0
TARGET_RPS = 2_500
TARGET_RATIO = 0.8


@dataclass(frozen=True, slots=True)
class RatioRound:
    """Decision JSON and the no-op POST measured back to back (one round of the ratio)."""

    json: Result
    noop: Result

    @property
    def ratio(self) -> float:
        return self.json.rps / self.noop.rps if self.noop.rps else 0.0


@dataclass(slots=True)
class ModeRun:
    """Everything measured for one ingress mode."""

    mode: IngressMode
    error: str | None = None
    wrk: dict[str, Result] = field(default_factory=dict)
    paced: list[Result] = field(default_factory=list)
    """Fixed offered rates: wrk with Poisson arrivals, and hey."""
    cpu: dict[str, cpu.CpuUsage] = field(default_factory=dict)
    profiles: dict[str, list[str]] = field(default_factory=dict)
    ads_per_pod: float | None = None
    replicas_after: str = ""
    seconds: float = 0.0
    rounds: list[RatioRound] = field(default_factory=list)
    """``--ratio-rounds``: JSON and no-op POST alternated, so a host slowing down or speeding
    up between two single runs does not make the ratio."""

    @property
    def stable(self) -> bool:
        """Started, and every run answered without errors and (decisions) kept filling."""
        rounds = [r for pair in self.rounds for r in (pair.json, pair.noop)]
        results = [*self.wrk.values(), *self.paced, *rounds]
        return self.error is None and bool(results) and all(r.ok for r in results)

    def json_ratio(self) -> float | None:
        """Decision JSON / no-op POST: the median of the interleaved rounds when there are
        any, else the two single runs'."""
        if self.rounds:
            return statistics.median(r.ratio for r in self.rounds)
        return self.ratio(JSON, NOOP_POST)

    @property
    def filled(self) -> bool:
        """Decision runs filled ≥ 99% (else they measured the no-fill path)."""
        rates = [r.fill_rate for r in [*self.wrk.values(), *self.paced] if r.target in (JSON, VAST)]
        return all(rate is None or rate >= MIN_FILL_RATE for rate in rates)

    def rps(self, name: str) -> float:
        result = self.wrk.get(name)
        return result.rps if result else 0.0

    def ratio(self, num: str, den: str) -> float | None:
        return self.rps(num) / self.rps(den) if self.rps(den) else None

    def at_rate(self, name: str, rate: float, tool: str = loadgen.POISSON) -> Result | None:
        return next(
            (r for r in self.paced if (r.target, r.offered, r.tool) == (name, rate, tool)), None
        )


def serve_config_for(
    stack: BenchStack, mode: IngressMode, replicas: int, *, noop_serving_gc: bool = False
) -> dict[str, Any]:
    """serve_config.yaml + the no-op app, with the mode's access-log setting and (unless
    ``replicas`` is 0) a fixed replica count for both ingress deployments; ``noop_serving_gc``:
    the no-op gets the serving app's GC setting."""
    config = with_noop_app(
        render_serve_config(host="127.0.0.1", port=stack.serve_port),
        serving_gc=noop_serving_gc,
    )
    config = set_access_log(config, INGRESSES, enabled=mode.access_log)
    return pin_replicas(config, INGRESSES, replicas) if replicas else config


def build_targets(stack: BenchStack, mode: IngressMode) -> dict[str, Target]:
    serving = noop = stack.base_url
    if mode.direct:
        serving, noop = _direct_bases(stack)
    return {
        JSON: Target(JSON, f"{serving}/api/v1/ad-request", body=AD_REQUEST, fill_marker=FILLED),
        POD: Target(POD, f"{serving}/api/v1/ad-request", body=POD_REQUEST, fill_marker=FILLED),
        VAST: Target(VAST, f"{serving}/api/v1/vast", fill_marker="<InLine>"),
        NOOP_POST: Target(NOOP_POST, f"{noop}{NOOP_ROUTE}", body=AD_REQUEST),
        NOOP_GET: Target(NOOP_GET, f"{noop}{NOOP_ROUTE}"),
        BARE: Target(BARE, stack.bare_url),
    }


def _direct_bases(stack: BenchStack) -> tuple[str, str]:
    """The serving and no-op replicas' own HTTP ports, from the controller's target groups."""
    assert stack.head is not None
    groups = serve_details(stack.head.dashboard_url).get("target_groups") or []
    ports: dict[str, int] = {}
    for group in groups:
        if group.get("protocol") == "HTTP" and group.get("targets"):
            ports[group.get("app_name", "")] = int(group["targets"][0]["port"])
    if "serving" not in ports or "noop" not in ports:
        raise RuntimeError(f"no direct-ingress targets in {json.dumps(groups)[:800]}")
    return f"http://127.0.0.1:{ports['serving']}", f"http://127.0.0.1:{ports['noop']}"


def ads_per_pod(target: Target, *, samples: int = 100) -> float:
    """How many ads the pod requests of ``target`` get, on average."""
    with httpx.Client(timeout=10) as client:
        sizes = [
            len(client.post(target.url, content=target.body).json()["ads"]) for _ in range(samples)
        ]
    return sum(sizes) / samples


def check_targets(targets: dict[str, Target]) -> None:
    """Every target answers 200, and the decision endpoints actually fill."""
    with httpx.Client(timeout=10) as client:
        for target in targets.values():
            if target.body is None:
                answer = client.get(target.url)
            else:
                answer = client.post(
                    target.url, content=target.body, headers={"content-type": "application/json"}
                )
            if answer.status_code != 200:
                raise RuntimeError(f"{target.name}: {answer.status_code} {answer.text[:300]}")
            if target.name == JSON and "campaign_id" not in answer.json():
                raise RuntimeError(f"decision JSON did not fill: {answer.text[:300]}")
            if target.name == VAST and b"<InLine>" not in answer.content:
                raise RuntimeError(f"decision VAST did not fill: {answer.text[:300]}")


def _cpu_roots(stack: BenchStack) -> list[int]:
    roots = [stack.head.pid] if stack.head else []
    for pid in (stack.bare_pid, *(s.pid() for s in (stack.postgres, stack.redis) if s)):
        if pid:
            roots.append(pid)
    return roots


def measure_mode(
    stack: BenchStack, mode: IngressMode, campaigns: list[SeededCampaign], args: argparse.Namespace
) -> ModeRun:
    run = ModeRun(mode=mode)
    started = time.monotonic()
    say(f"=== ingress mode '{mode.name}': {mode.description}")
    say(f"    env: {' '.join(f'{k}={v}' for k, v in mode.full_env().items())}")
    try:
        config = serve_config_for(stack, mode, args.replicas, noop_serving_gc=args.noop_serving_gc)
        stack.start_ray(mode.full_env(), config=config)
        if not campaigns:
            say(f"seeding {args.campaigns} campaigns with hostile names")
            campaigns.extend(
                seed_campaigns(
                    admin_url=f"{stack.base_url}/api/v1/admin",
                    database_url=stack.base_env["DATABASE_URL"],
                    email=ADMIN_EMAIL,
                    password=stack.admin_password,
                    count=args.campaigns,
                )
            )
            creatives = sum(c.creatives for c in campaigns)
            say(f"seeded {len(campaigns)} campaigns, {creatives} creatives")
        wait_served(stack.base_url, campaigns, timeout=60)
        targets = build_targets(stack, mode)
        check_targets(targets)
        run.ads_per_pod = ads_per_pod(targets[POD])
        say(f"a pod request gets {run.ads_per_pod:.2f} ads on average")
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"[:3000]
        say(f"mode '{mode.name}' failed to start: {run.error[:800]}")
        say(stack.log_tails()[-4000:])
        return run

    for name, target in targets.items():
        say(f"[{mode.name}] wrk {name}: warm-up {args.warmup:g}s, then {args.duration:g}s")
        quiet(args)
        loadgen.run_wrk(target, seconds=args.warmup, connections=args.connections)
        meter = cpu.CpuMeter(_cpu_roots(stack))
        result = loadgen.run_wrk(
            target, seconds=args.duration, connections=args.connections, threads=args.threads
        )
        run.cpu[name] = meter.stop()
        result.other_cores = run.cpu[name].by_role.get(cpu.OTHER, 0.0)
        run.wrk[name] = result
        say(f"[{mode.name}]   {fmt_wrk(result)}; cores: " + ", ".join(run.cpu[name].lines()[:6]))

    for i in range(args.ratio_rounds):
        order = (JSON, NOOP_POST) if i % 2 == 0 else (NOOP_POST, JSON)  # ABBA: drift cancels
        got: dict[str, Result] = {}
        for name in order:
            quiet(args)
            got[name] = loadgen.run_wrk(
                targets[name],
                seconds=args.duration,
                connections=args.connections,
                threads=args.threads,
            )
        pair = RatioRound(json=got[JSON], noop=got[NOOP_POST])
        run.rounds.append(pair)
        say(
            f"[{mode.name}] ratio round {i + 1}/{args.ratio_rounds}: JSON "
            f"{pair.json.rps:,.0f}/s, no-op POST {pair.noop.rps:,.0f}/s → {pair.ratio:.2f}x"
        )

    per_request = replica_us_per_request(run)
    say(
        f"[{mode.name}] replica CPU per request: "
        + ", ".join(f"{name} {us:.0f} µs" for name, us in per_request.items())
    )

    for rate in args.rates:
        for name in (JSON, VAST, NOOP_GET):
            for tool in (loadgen.POISSON, "hey"):
                say(f"[{mode.name}] {tool} {name} at {rate:g} req/s for {args.duration:g}s")
                quiet(args)
                meter = cpu.CpuMeter(_cpu_roots(stack))
                result = run_paced(targets[name], tool=tool, rate=rate, args=args)
                result.other_cores = meter.stop().by_role.get(cpu.OTHER, 0.0)
                run.paced.append(result)
                say(
                    f"[{mode.name}]   achieved {result.rps:,.0f}/s filled "
                    f"{report.fmt_fill(result)} p50 {report.fmt_ms(result.pct(50))}"
                    f" p90 {report.fmt_ms(result.pct(90))} p99 {report.fmt_ms(result.pct(99))}"
                    f" ms errors {result.errors} {result.error_detail}"
                )

    if args.profile and stack.head is not None:
        run.profiles = profile_serving(stack, targets, args)
    if stack.head is not None:
        pids = replica_pids(stack.head.dashboard_url, "serving", "ServingIngress")
        run.replicas_after = f"{len(pids)} serving replica(s) running after the run"
    run.seconds = time.monotonic() - started
    return run


def run_paced(target: Target, *, tool: str, rate: float, args: argparse.Namespace) -> Result:
    """One fixed-rate run: wrk with Poisson arrivals over ``--paced-connections``, or hey."""
    if tool == loadgen.POISSON:
        return loadgen.run_wrk(
            target, seconds=args.duration, connections=args.paced_connections, rate=rate
        )
    return loadgen.run_hey(target, seconds=args.duration, rate=rate, workers=args.hey_workers)


def profile_serving(
    stack: BenchStack, targets: dict[str, Target], args: argparse.Namespace
) -> dict[str, list[str]]:
    """py-spy the serving replica under the JSON and the VAST load (separate wrk runs)."""
    assert stack.head is not None
    out: dict[str, list[str]] = {}
    for name in (JSON, VAST, NOOP_POST):
        app, deployment = (
            ("noop", "NoopIngress") if name == NOOP_POST else ("serving", "ServingIngress")
        )
        pids = replica_pids(stack.head.dashboard_url, app, deployment)
        if not pids:
            continue
        say(f"py-spy on {deployment} pid {pids[0]} under {name} load ({args.duration:g}s)")
        result = _profile_during(
            pids[0],
            target=targets[name],
            seconds=args.duration,
            connections=args.connections,
            out=stack.root / f"pyspy-{app}-{len(out)}.txt",
        )
        if result is not None:
            out[name] = profile.describe(result)
            print("\n".join(out[name]), flush=True)
    return out


def _profile_during(
    pid: int, *, target: Target, seconds: float, connections: int, out: Path
) -> profile.Profile | None:
    """Record ``pid`` with py-spy while wrk loads ``target`` (wrk runs 2 s longer)."""
    box: dict[str, profile.Profile | None] = {}

    def spy() -> None:
        box["profile"] = profile.record(pid, seconds=seconds, out=out)

    thread = threading.Thread(target=spy)
    thread.start()
    loadgen.run_wrk(target, seconds=seconds + 2, connections=connections)
    thread.join()
    return box.get("profile")


def fmt_wrk(result: Result) -> str:
    return (
        f"{result.rps:,.0f} req/s, filled {report.fmt_fill(result)}, "
        f"p50 {report.fmt_ms(result.pct(50))} ms, "
        f"p99 {report.fmt_ms(result.pct(99))} ms, errors {result.errors} {result.error_detail}"
    )


def summary_rows(runs: list[ModeRun], rates: list[float]) -> tuple[list[str], list[list[str]]]:
    header = [
        "ingress",
        "JSON req/s",
        "VAST req/s",
        "no-op POST",
        "no-op GET",
        "bare",
        "JSON/no-op",
        "VAST/no-op",
        "JSON/bare",
        *(f"JSON p99 @{r:g} Poisson / hey" for r in rates),
        "stable",
    ]
    rows: list[list[str]] = []
    for run in runs:
        if run.error:
            rows.append([run.mode.name, "failed to start", *["-"] * (len(header) - 2)])
            continue
        ratios = [run.json_ratio(), run.ratio(VAST, NOOP_GET), run.ratio(JSON, BARE)]
        p99s = [(run.at_rate(JSON, r), run.at_rate(JSON, r, "hey")) for r in rates]
        rows.append(
            [
                run.mode.name,
                *(report.fmt_rps(run.rps(n)) for n in (JSON, VAST, NOOP_POST, NOOP_GET, BARE)),
                *(f"{x:.2f}" if x is not None else "-" for x in ratios),
                *(f"{_p99(poisson)} / {_p99(hey)}" for poisson, hey in p99s),
                ("yes" if run.stable else "NO") + ("" if run.filled else " (low fill)"),
            ]
        )
    return header, rows


def _p99(result: Result | None) -> str:
    return report.fmt_ms(result.pct(99)) if result else "-"


def choose(runs: list[ModeRun]) -> ModeRun | None:
    """The stable proxy mode (not the direct reference) with the most decision JSON req/s."""
    candidates = [r for r in runs if r.stable and r.filled and not r.mode.direct]
    return max(candidates, key=lambda r: r.rps(JSON), default=None)


def acceptance(run: ModeRun, rate: float) -> list[str]:
    lines: list[str] = []
    rps, ratio = run.rps(JSON), run.json_ratio()
    poisson, hey = run.at_rate(JSON, rate), run.at_rate(JSON, rate, "hey")
    p99 = poisson.pct(99) if poisson else None
    lines.append(
        f"- decisions/s ≥ {TARGET_RPS:,}: {rps:,.0f} → {'met' if rps >= TARGET_RPS else 'NOT met'}"
    )
    if ratio is not None:
        met = "met" if ratio >= TARGET_RATIO else "NOT met"
        how = (
            f" (median of {len(run.rounds)} interleaved rounds: "
            + ", ".join(f"{r.ratio:.2f}" for r in run.rounds)
            + f"; the single runs above: {run.ratio(JSON, NOOP_POST) or 0:.2f})"
            if run.rounds
            else ""
        )
        lines.append(f"- decision JSON ≥ {TARGET_RATIO}x no-op Serve: {ratio:.2f}x{how} → {met}")
    if p99 is not None:
        verdict = "met" if p99 <= TARGET_P99_MS else "NOT met"
        goal = " (goal ≤ 5 ms met)" if p99 <= 5 else ""
        lines.append(
            f"- p99 ≤ {TARGET_P99_MS:g} ms at {rate:g} req/s offered (Poisson arrivals): "
            f"{p99:.1f} ms → {verdict}{goal}; hey (bursts of simultaneous requests): "
            f"{_p99(hey)} ms"
        )
    return lines


def replica_us_per_request(run: ModeRun) -> dict[str, float]:
    """CPU µs the serving (or no-op) replicas spent per request in each saturating wrk run."""
    out: dict[str, float] = {}
    for name, result in run.wrk.items():
        role = "no-op replica" if name in (NOOP_POST, NOOP_GET) else "serving replica"
        cores = run.cpu[name].by_role.get(role) if name in run.cpu else None
        if cores and result.rps and name != BARE:
            out[name] = cores / result.rps * 1e6
    return out


def mode_markdown(run: ModeRun) -> list[str]:
    env = " ".join(f"`{k}={v}`" for k, v in run.mode.env.items()) or "(none: Ray's defaults)"
    log = "on" if run.mode.access_log else "off"
    lines = [
        f"#### {run.mode.name}: {run.mode.description}",
        "",
        f"Environment: {env}; ingress access log {log}",
        "",
    ]
    if run.error:
        return [*lines, "Failed to start:", "", "```", run.error[:2000], "```", ""]
    lines += report.markdown_table(report.WRK_HEADER, report.wrk_rows(list(run.wrk.values())))
    lines += ["", *report.markdown_table(report.PACED_HEADER, report.paced_rows(run.paced)), ""]
    usage = run.cpu.get(JSON)
    if usage:
        lines += [f"Cores used during the decision JSON wrk run: {'; '.join(usage.lines())}.", ""]
    per_request = replica_us_per_request(run)
    if per_request:
        lines += [
            "Replica CPU per request in the wrk runs (the ratios are made of these): "
            + "; ".join(f"{name}: {us:.0f} µs" for name, us in per_request.items())
            + ".",
            "",
        ]
    if run.rounds:
        lines += [
            "Decision JSON against the no-op POST in interleaved rounds (alternating which goes "
            "first): "
            + "; ".join(
                f"{r.json.rps:,.0f} / {r.noop.rps:,.0f} req/s = {r.ratio:.2f}x" for r in run.rounds
            )
            + f"; median {run.json_ratio() or 0:.2f}x.",
            "",
        ]
    if run.ads_per_pod:
        lines += [f"A pod request got {run.ads_per_pod:.2f} ads on average.", ""]
    if run.replicas_after:
        lines += [f"{run.replicas_after}.", ""]
    for name, prof in run.profiles.items():
        lines += [f"py-spy, {name} load:", "", "```", *prof, "```", ""]
    return lines


def write_results(runs: list[ModeRun], args: argparse.Namespace, notes: list[str]) -> None:
    header, rows = summary_rows(runs, args.rates)
    chosen = choose(runs)
    example = Target(JSON, "<base>/api/v1/ad-request", AD_REQUEST)
    wrk_example = loadgen.wrk_command(
        example, seconds=args.duration, connections=args.connections, threads=args.threads
    )
    poisson_example = loadgen.wrk_command(
        example, seconds=args.duration, connections=args.paced_connections, rate=max(args.rates)
    )
    hey_example = loadgen.hey_args(
        example, seconds=args.duration, rate=max(args.rates), workers=args.hey_workers
    )
    body = [
        "## Decision endpoints by ingress (generated by `bench/decisions.py`)",
        "",
        f"Run {report.now_utc()}: `{args.command}`",
        "",
        *(f"- {n}" for n in notes),
        f"- wrk: `-t{args.threads} -c{args.connections} -d{args.duration:g}s` after a "
        f"{args.warmup:g}s warm-up; fixed rates: wrk with Poisson arrivals over "
        f"{args.paced_connections} connections (`WRK_RATE_PER_CONN=<rate/connections>`), and "
        f"hey `-z {args.duration:g}s -c {args.hey_workers} -q <rate/{args.hey_workers}>` (its "
        f"{args.hey_workers} workers fire together: bursts of {args.hey_workers} requests); "
        f"{args.replicas or 'autoscaled'} replica(s) of the serving and no-op deployments; "
        + (
            "the no-op with the serving app's GC setting; "
            if args.noop_serving_gc
            else "the no-op with Python's GC defaults (the serving app tunes its own); "
        )
        + f"POST body = a {len(AD_REQUEST)}-byte ad request; "
        "VAST = untargeted `GET /api/v1/vast`",
        f"- example commands: `{wrk_example}`",
        f"  and `{poisson_example}`",
        f"  and `{shlex.join(hey_example)}`",
        "",
        *report.markdown_table(header, rows),
        "",
    ]
    if chosen:
        body += [f"Fastest stable ingress in this run: **{chosen.mode.name}**.", ""]
        body += [*acceptance(chosen, max(args.rates)), ""]
    body += ["### Per mode", ""]
    for run in runs:
        body += mode_markdown(run)
    report.rewrite_section("decisions", body, path=args.results)
    say(f"wrote the 'decisions' section of {args.results}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.decisions",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--ingress",
        action="append",
        default=[],
        choices=[*MODES, "all"],
        help="ingress mode to measure (repeatable; 'all' = every mode; default: "
        "the one `make up` uses)",
    )
    parser.add_argument("--duration", type=float, default=15, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=3, help="wrk warm-up seconds per target")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--rates", default="500,1000", help="offered loads for hey, req/s, comma-separated"
    )
    parser.add_argument("--hey-workers", type=int, default=10, help="hey -c")
    parser.add_argument(
        "--paced-connections",
        type=int,
        default=40,
        help="wrk connections sharing a fixed Poisson rate",
    )
    parser.add_argument(
        "--ratio-rounds",
        type=int,
        default=3,
        help="after the single runs, measure decision JSON and the no-op POST this many more "
        "times, alternated; the JSON/no-op ratio is their median (0: the single runs')",
    )
    parser.add_argument("--campaigns", type=int, default=100, help="campaigns to seed")
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="fixed replicas of the serving and no-op deployments (0: serve_config.yaml's "
        "autoscaling, which may scale mid-run); bench/autoscaling.py shows scaling",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the replicas under load")
    parser.add_argument(
        "--max-busy",
        type=float,
        default=0.6,
        help="before each measured run, wait (up to 10 min) until the machine keeps at most "
        "this many cores busy (the idle stack included); 0 disables",
    )
    parser.add_argument("--results", type=Path, default=report.RESULTS)
    parser.add_argument(
        "--noop-serving-gc",
        action="store_true",
        help="give the no-op the serving app's gc_young_threshold (like for like; default: stock)",
    )
    parser.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs) afterwards")
    args = parser.parse_args(argv)
    args.rates = [float(r) for r in str(args.rates).split(",") if r]
    args.command = "python -m bench.decisions " + shlex.join(sys.argv[1:] if argv is None else argv)
    return args


def quiet(args: argparse.Namespace) -> None:
    """Let other people's jobs on this shared machine finish before a measured run."""
    if args.max_busy > 0:
        cpu.wait_until_quiet(args.max_busy, say=say)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loadgen.require_tools("wrk", "hey")
    modes = resolve(args.ingress)
    notes = report.machine_notes()
    say("machine: " + " | ".join(notes))
    say(f"modes: {', '.join(m.name for m in modes)}")
    runs: list[ModeRun] = []
    campaigns: list[SeededCampaign] = []
    stack = BenchStack()
    interrupted = False
    try:
        stack.start_services()
        stack.start_bare()
        for mode in modes:
            runs.append(measure_mode(stack, mode, campaigns, args))
            stack.stop_ray()
    except KeyboardInterrupt:
        interrupted = True
        say("interrupted; stopping the stack (RESULTS.md is left alone)")
    except Exception:
        traceback.print_exc()
        say(stack.log_tails()[-4000:])
    finally:
        stack.close(keep=args.keep)
        if args.keep:
            say(f"kept {stack.root}")
    if not runs:
        return 1
    header, rows = summary_rows(runs, args.rates)
    print("\n" + "\n".join(report.console_table(header, rows)), flush=True)
    chosen = choose(runs)
    if chosen:
        print(f"\nfastest stable ingress: {chosen.mode.name}", flush=True)
        print("\n".join(acceptance(chosen, max(args.rates))), flush=True)
    if not args.no_results and not interrupted:
        write_results(runs, args, notes)
    return 0 if all(r.error is None for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
