"""Run wrk (throughput) and hey (latency at a fixed offered rate) and parse what they print."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

WRK_DIR = Path(__file__).resolve().parent / "wrk"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


class MissingTool(RuntimeError):
    """wrk or hey is not installed."""


def require_tools(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        raise MissingTool(
            f"not installed: {', '.join(missing)} (apt-get install -y {' '.join(missing)})"
        )


WRK_SCRIPT = WRK_DIR / "request.lua"


@dataclass(frozen=True, slots=True)
class Target:
    """One endpoint under load: a GET, or a POST of a fixed JSON body. A 200 answer counts as
    filled when it contains ``fill_marker`` (or always, without one)."""

    name: str
    url: str
    body: str | None = None
    fill_marker: str | None = None

    def wrk_env(self) -> dict[str, str]:
        return {
            "WRK_METHOD": "GET" if self.body is None else "POST",
            "WRK_BODY": self.body or "",
            "WRK_FILL_MARKER": self.fill_marker or "",
        }


@dataclass(slots=True)
class Result:
    """What one load run measured; latencies in milliseconds."""

    target: str
    tool: str
    offered: float | None
    rps: float
    percentiles: dict[int, float] = field(default_factory=dict)
    requests: int = 0
    errors: int = 0
    error_detail: str = ""
    unfilled: int | None = None
    """Answers that were not a fill (no-fill 204/error-only VAST, or not 200); None: unknown."""
    other_cores: float | None = None
    """Cores other people's processes used during the run (noise on a shared machine)."""

    @property
    def fill_rate(self) -> float | None:
        if self.unfilled is None or not self.requests:
            return None
        return 1.0 - self.unfilled / self.requests

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.requests > 0

    def pct(self, p: int) -> float | None:
        return self.percentiles.get(p)


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse_wrk(target: str, text: str) -> Result:
    """Requests/s, latency percentiles and error counts from ``wrk --latency`` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    result = Result(
        target=target,
        tool="wrk",
        offered=None,
        rps=float(rps.group(1)) if rps else 0.0,
        requests=int(total.group(1)) if total else 0,
    )
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M):
        result.percentiles[int(pct)] = _ms(value, unit)
    details: list[str] = []
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sock:
        count = sum(int(n) for n in sock.groups())
        result.errors += count
        if count:
            details.append(sock.group(0))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        result.errors += int(non2xx.group(1))
        details.append(non2xx.group(0))
    result.error_detail = "; ".join(details)
    fill = re.search(r"^FILL (\d+) (\d+)$", text, re.M)
    if fill:
        result.unfilled = int(fill.group(2))
    return result


def parse_hey(target: str, offered: float, text: str) -> Result:
    """Achieved rate, latency percentiles, non-200 answers and errors from ``hey`` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    result = Result(
        target=target, tool="hey", offered=offered, rps=float(rps.group(1)) if rps else 0
    )
    for pct, secs in re.findall(r"^\s+(\d+)%+ in ([\d.]+) secs", text, re.M):
        result.percentiles[int(pct)] = float(secs) * 1e3
    details: list[str] = []
    result.unfilled = 0
    for status, count in re.findall(r"\[(\d+)\]\s+(\d+) responses", text):
        result.requests += int(count)
        if status != "200":
            result.unfilled += int(count)
        if not status.startswith("2"):
            result.errors += int(count)
            details.append(f"{count} x HTTP {status}")
    errors = text.split("Error distribution:", 1)
    if len(errors) == 2:
        for count, message in re.findall(r"\[(\d+)\]\s+(.+)", errors[1]):
            result.errors += int(count)
            details.append(f"{count} x {message.strip()[:160]}")
    result.error_detail = "; ".join(details)
    return result


POISSON = "wrk-poisson"
"""The tool name of a :func:`run_wrk` run at a fixed offered rate."""


def run_wrk(
    target: Target,
    *,
    seconds: float,
    connections: int,
    threads: int = 2,
    timeout_s: float = 5,
    rate: float | None = None,
) -> Result:
    """``wrk -t<threads> -c<connections> -d<seconds>s --latency`` against ``target``: as fast as
    it goes, or (``rate``) Poisson arrivals at ``rate`` per second spread over the connections."""
    args = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={timeout_s:g}s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        target.url,
    ]
    env = {**os.environ, **target.wrk_env(), **_pacing(rate, connections)}
    done = subprocess.run(
        args, capture_output=True, text=True, check=False, env=env, timeout=seconds + 60
    )
    result = parse_wrk(target.name, done.stdout)
    if rate is not None:
        result.tool, result.offered = POISSON, rate
    if done.returncode != 0 and not result.requests:
        result.errors += 1
        result.error_detail = (done.stderr or done.stdout)[-500:]
    return result


def _pacing(rate: float | None, connections: int) -> dict[str, str]:
    return {} if rate is None else {"WRK_RATE_PER_CONN": f"{rate / connections:g}"}


def wrk_command(
    target: Target,
    *,
    seconds: float,
    connections: int,
    threads: int = 2,
    rate: float | None = None,
) -> str:
    """The shell command :func:`run_wrk` runs, for the record."""
    variables = {**target.wrk_env(), **_pacing(rate, connections)}
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in variables.items() if v)
    script = WRK_SCRIPT.relative_to(WRK_DIR.parent.parent)
    return (
        f"{env} wrk -t{threads} -c{connections} -d{seconds:g}s --latency -s {script} {target.url}"
    )


def hey_args(target: Target, *, seconds: float, rate: float, workers: int) -> list[str]:
    per_worker = rate / workers
    args = ["hey", "-z", f"{seconds:g}s", "-q", f"{per_worker:g}", "-c", str(workers)]
    if target.body is not None:
        args += ["-m", "POST", "-T", "application/json", "-d", target.body]
    return [*args, target.url]


def run_hey(target: Target, *, seconds: float, rate: float, workers: int) -> Result:
    """``hey -z <seconds>s -q <rate/workers> -c <workers>``: latency at a fixed offered rate."""
    args = hey_args(target, seconds=seconds, rate=rate, workers=workers)
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=seconds + 60)
    result = parse_hey(target.name, rate, done.stdout)
    if done.returncode != 0 and not result.requests:
        result.errors += 1
        result.error_detail = (done.stderr or done.stdout)[-500:]
    return result
