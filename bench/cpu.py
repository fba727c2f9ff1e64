"""Where the CPU went during a load run: this stack's processes by role, the load generator, and
everything else on the machine (other people's work shares the same 2 cores)."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psutil

OTHER = "other processes on the machine"
ROLES = (
    ("ServeReplica:serving:", "serving replica"),
    ("ServeReplica:noop:", "no-op replica"),
    ("ServeReplica:management:", "management replica"),
    ("haproxy", "HAProxy"),
    ("ProxyActor", "Serve proxy actor"),
    ("HAProxyManager", "Serve proxy actor"),
    ("ServeController", "Serve controller"),
    ("bench.bare_app", "bare uvicorn"),
    ("postgres", "PostgreSQL"),
    ("redis-server", "Redis"),
)


def role_of(proc: psutil.Process) -> str:
    try:
        text = " ".join(proc.cmdline()[:3]) or proc.name()
    except psutil.Error:
        return "Ray system"
    for needle, role in ROLES:
        if needle in text:
            return role
    return "Ray system (gcs, raylet, dashboard, workers)"


def _tree(root_pids: Iterable[int]) -> dict[int, psutil.Process]:
    procs: dict[int, psutil.Process] = {}
    for pid in root_pids:
        try:
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                procs[proc.pid] = proc
        except psutil.Error:
            continue
    return procs


def _busy(proc: psutil.Process) -> float:
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _system_busy() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


@dataclass(slots=True)
class CpuUsage:
    """Cores used (CPU-seconds per second) by role over one window."""

    seconds: float
    by_role: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        ordered = sorted(self.by_role.items(), key=lambda kv: -kv[1])
        return [f"{role}: {cores:.2f}" for role, cores in ordered if cores >= 0.01]


class CpuMeter:
    """Snapshot at start, :meth:`stop` at the end; only the processes of ``root_pids`` trees
    are attributed by role (the load generator is this process's children's rusage)."""

    def __init__(self, root_pids: Iterable[int]) -> None:
        self._procs = _tree(root_pids)
        self._start = {pid: _busy(p) for pid, p in self._procs.items()}
        self._children = _children_cpu()
        self._self = time.process_time()
        self._system = _system_busy()
        self._t0 = time.monotonic()

    def stop(self) -> CpuUsage:
        elapsed = max(time.monotonic() - self._t0, 1e-6)
        usage = CpuUsage(seconds=elapsed)
        stack_total = 0.0
        for pid, proc in self._procs.items():
            delta = max(_busy(proc) - self._start.get(pid, 0.0), 0.0)
            role = role_of(proc)
            usage.by_role[role] = usage.by_role.get(role, 0.0) + delta / elapsed
            stack_total += delta
        loadgen = _children_cpu() - self._children
        mine = time.process_time() - self._self
        usage.by_role["load generator (wrk/hey)"] = loadgen / elapsed
        usage.by_role["this script"] = mine / elapsed
        system = _system_busy() - self._system
        other = max(system - stack_total - loadgen - mine, 0.0)
        usage.by_role[OTHER] = other / elapsed
        usage.by_role["idle"] = max((os.cpu_count() or 1) - system / elapsed, 0.0)
        return usage


def busy_cores(seconds: float = 2.0) -> float:
    """Cores the whole machine kept busy over the next ``seconds``."""
    start, t0 = _system_busy(), time.monotonic()
    time.sleep(seconds)
    return (_system_busy() - start) / max(time.monotonic() - t0, 1e-6)


def wait_until_quiet(max_busy: float, *, timeout: float = 600, say: Any = print) -> float:
    """Wait until the machine (with the idle stack) keeps at most ``max_busy`` cores busy, so
    other people's jobs on a shared box do not land inside a measurement; returns the last
    reading (the caller records it even when the timeout passed)."""
    deadline = time.monotonic() + timeout
    busy = busy_cores()
    while busy > max_busy and time.monotonic() < deadline:
        say(f"machine busy ({busy:.2f} cores > {max_busy:g}); waiting")
        time.sleep(10)
        busy = busy_cores()
    return busy
