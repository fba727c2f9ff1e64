"""Autoscaling demonstration: load the decision endpoint for a while, then stop, and print a
timeline of ServingIngress replicas (polled from the dashboard's Serve REST API) showing the
scale-up under load and the scale-down after ``downscale_delay_s``.

Load is a series of short wrk runs, so the timeline also shows the request rate per slice.

    python -m bench.autoscaling --load-seconds 60 --connections 128
"""

from __future__ import annotations

import argparse
import shlex
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import loadgen, report
from bench.decisions import AD_REQUEST
from bench.ingress import resolve
from bench.loadgen import Target
from bench.seed import seed_campaigns, wait_served
from bench.stack import (
    ADMIN_EMAIL,
    SERVING_DEPLOYMENT,
    BenchStack,
    replica_states,
    say,
    with_noop_app,
)
from cluster.ray_head import deployment_specs, render_serve_config


@dataclass(frozen=True, slots=True)
class Sample:
    t: float
    phase: str
    target: int
    states: dict[str, int]


@dataclass(frozen=True, slots=True)
class Slice:
    start: float
    end: float
    rps: float
    p99: float | None
    errors: int


class ReplicaPoller(threading.Thread):
    """Polls the serving deployment's replicas every ``interval`` seconds until stopped."""

    def __init__(self, dashboard_url: str, *, t0: float, interval: float) -> None:
        super().__init__(daemon=True)
        self.dashboard_url = dashboard_url
        self.t0 = t0
        self.interval = interval
        self.phase = "idle"
        self.samples: list[Sample] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                target, states = replica_states(self.dashboard_url, "serving", SERVING_DEPLOYMENT)
            except (httpx.HTTPError, KeyError) as exc:
                say(f"poll failed: {exc!r}")
            else:
                sample = Sample(time.monotonic() - self.t0, self.phase, target, states)
                self.samples.append(sample)
                say(f"t={sample.t:5.1f}s {sample.phase:8} target={target} {_states(states)}")
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)

    def latest(self) -> Sample | None:
        return self.samples[-1] if self.samples else None


def _states(states: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(states.items())) or "no replicas"


def autoscaling_config(config: dict[str, Any]) -> dict[str, Any]:
    """ServingIngress's ``autoscaling_config`` in ``config`` (the dict itself, to edit)."""
    for spec in deployment_specs(config, {SERVING_DEPLOYMENT}):
        found: dict[str, Any] = spec.setdefault("autoscaling_config", {})
        return found
    return {}


def demo(stack: BenchStack, args: argparse.Namespace) -> tuple[list[Sample], list[Slice]]:
    assert stack.head is not None
    t0 = time.monotonic()
    poller = ReplicaPoller(stack.head.dashboard_url, t0=t0, interval=args.poll)
    poller.start()
    time.sleep(args.idle_seconds)
    target = Target("decision JSON", f"{stack.base_url}/api/v1/ad-request", body=AD_REQUEST)
    slices: list[Slice] = []
    poller.phase = "load"
    say(f"load: wrk -c{args.connections} on decision JSON for {args.load_seconds:g}s")
    load_end = time.monotonic() + args.load_seconds
    while (remaining := int(load_end - time.monotonic())) >= 1:
        start = time.monotonic() - t0
        seconds = min(int(args.slice), remaining)
        result = loadgen.run_wrk(target, seconds=seconds, connections=args.connections)
        slices.append(
            Slice(start, time.monotonic() - t0, result.rps, result.pct(99), result.errors)
        )
        say(
            f"t={start:5.1f}s slice: {result.rps:,.0f} req/s, p99 "
            f"{report.fmt_ms(result.pct(99))} ms, errors {result.errors} {result.error_detail}"
        )
    poller.phase = "cooldown"
    say(f"load stopped; waiting up to {args.cooldown_seconds:g}s for the scale-down")
    cooldown_end = time.monotonic() + args.cooldown_seconds
    minimum = args.min_replicas
    while time.monotonic() < cooldown_end:
        latest = poller.latest()
        if latest and latest.phase == "cooldown" and latest.target <= minimum:
            running = latest.states.get("RUNNING", 0)
            if running <= minimum and sum(latest.states.values()) <= minimum:
                time.sleep(args.poll)
                break
        time.sleep(args.poll)
    poller.stop()
    return poller.samples, slices


def timeline_lines(samples: list[Sample], slices: list[Slice]) -> list[str]:
    rows: list[list[str]] = []
    for sample in samples:
        current = next((s for s in slices if s.start <= sample.t < s.end), None)
        rows.append(
            [
                f"{sample.t:.0f}",
                sample.phase,
                str(sample.target),
                _states(sample.states),
                report.fmt_rps(current.rps) if current else "-",
                report.fmt_ms(current.p99) if current else "-",
            ]
        )
    header = ["t (s)", "phase", "target replicas", "replicas by state", "req/s", "p99 ms"]
    return report.markdown_table(header, rows)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.autoscaling",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--ingress", default=None, help="ingress mode (default: make up's)")
    parser.add_argument("--connections", type=int, default=128, help="wrk connections")
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--slice", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--idle-seconds", type=float, default=6, help="idle polling first")
    parser.add_argument("--cooldown-seconds", type=float, default=120)
    parser.add_argument("--poll", type=float, default=2, help="seconds between replica polls")
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a ServingIngress autoscaling_config knob for this run (repeatable), "
        "e.g. --set target_ongoing_requests=16",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the Ray head on top of the ingress mode (repeatable)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs) afterwards")
    parser.add_argument("--results", type=Path, default=report.RESULTS)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)
    args.command = "python -m bench.autoscaling " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loadgen.require_tools("wrk")
    mode = resolve([args.ingress] if args.ingress else [])[0]
    stack = BenchStack()
    config = with_noop_app(render_serve_config(host="127.0.0.1", port=stack.serve_port))
    knobs = autoscaling_config(config)
    for override in args.set:
        key, _, value = override.partition("=")
        knobs[key] = float(value) if "." in value else int(value)
    args.min_replicas = int(knobs.get("min_replicas", 1))
    say(f"ServingIngress autoscaling_config: {knobs}")
    try:
        stack.start_services()
        say(f"starting Ray ({mode.name}) and seeding {args.campaigns} campaigns")
        extra = dict(item.split("=", 1) for item in args.env)
        stack.start_ray({**mode.full_env(), **extra}, config=config)
        campaigns = seed_campaigns(
            admin_url=f"{stack.base_url}/api/v1/admin",
            database_url=stack.base_env["DATABASE_URL"],
            email=ADMIN_EMAIL,
            password=stack.admin_password,
            count=args.campaigns,
        )
        wait_served(stack.base_url, campaigns, timeout=60)
        samples, slices = demo(stack, args)
    finally:
        stack.close(keep=args.keep)
        if args.keep:
            say(f"kept {stack.root} and Ray's logs")
    peak = max((s.states.get("RUNNING", 0) for s in samples), default=0)
    final = samples[-1] if samples else None
    scaled_down = final is not None and final.states.get("RUNNING", 0) <= args.min_replicas
    errors = sum(s.errors for s in slices)
    lines = [
        "## Autoscaling (generated by `bench/autoscaling.py`)",
        "",
        f"Run {report.now_utc()}: `{args.command}`; ingress `{mode.name}`"
        f"{' + ' + ' '.join(args.env) if args.env else ''}; "
        f"ServingIngress `autoscaling_config`: `{knobs}`",
        "",
        f"- peak RUNNING replicas under load: {peak}; back to {args.min_replicas} after the "
        f"load: {'yes' if scaled_down else 'no'}; errors during the run (incl. scale events): "
        f"{errors}",
        "",
        *timeline_lines(samples, slices),
    ]
    print("\n".join(lines), flush=True)
    if not args.no_results:
        report.rewrite_section("autoscaling", lines, path=args.results)
        say(f"wrote the 'autoscaling' section of {args.results}")
    return 0 if peak > args.min_replicas and scaled_down else 1


if __name__ == "__main__":
    sys.exit(main())
