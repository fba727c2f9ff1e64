"""Replica autoscaling on CPU: each serving replica reports the cores its process used, and the
policy keeps enough replicas that each stays near a target.

Why not Serve's default (ongoing requests per replica): with user code on the replica's event
loop (the fastest HAProxy setup, see bench/RESULTS.md) a decision finishes inside the loop
iteration that started it, so a replica under full load reports ~0 ongoing requests while its
queue builds up in HAProxy, and the default policy never scales. Process CPU sees the load
whatever the threading, costs nothing per request, and is what runs out on a replica (one
process, one GIL).
"""

from __future__ import annotations

import math
import time
from typing import Any, Protocol

CPU_METRIC = "process_cpu_cores"
"""The custom autoscaling metric a serving replica reports: cores its process used lately."""


class ProcessCpu:
    """Cores this process used between two :meth:`sample` calls (all threads)."""

    def __init__(self) -> None:
        self._cpu = time.process_time()
        self._wall = time.monotonic()

    def sample(self) -> float:
        cpu, wall = time.process_time(), time.monotonic()
        used = (cpu - self._cpu) / max(wall - self._wall, 1e-3)
        self._cpu, self._wall = cpu, wall
        return round(used, 4)


class ScalingContext(Protocol):
    """What the policy reads of Ray Serve's ``AutoscalingContext``."""

    @property
    def target_num_replicas(self) -> int: ...

    @property
    def aggregated_metrics(self) -> dict[str, dict[Any, float]] | None: ...


class CpuTargetPolicy:
    """Serve autoscaling policy (``policy_function`` in serve_config.yaml): replicas =
    ceil(cores used by all replicas / ``target_cores`` per replica). Serve applies min/max
    replicas and the upscale/downscale delays around it. Without reports yet, it keeps the
    current target.
    """

    def __init__(self, target_cores: float = 0.6) -> None:
        if not 0 < target_cores <= 64:
            raise ValueError(f"target_cores must be in (0, 64], not {target_cores}")
        self.target_cores = target_cores

    def __call__(self, ctx: ScalingContext) -> tuple[int, dict[str, Any]]:
        reports = (ctx.aggregated_metrics or {}).get(CPU_METRIC) or {}
        if not reports:
            return ctx.target_num_replicas, {}
        busy = sum(reports.values())
        return max(1, math.ceil(busy / self.target_cores - 1e-9)), {"busy_cores": busy}
