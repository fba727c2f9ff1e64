"""Sample a replica with py-spy while it is under load and summarise where its time goes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")

# Areas a sample is charged to: the innermost frame whose file matches one of these.
BUCKETS = (
    ("ad decision: pick (ads/selection.py)", "ads/selection.py"),
    ("ad decision: sign URLs (ads/tracking.py)", "ads/tracking.py"),
    ("ad decision: VAST render (ads/vast.py)", "ads/vast.py"),
    ("ad decision: JSON body + request parse (ads/decision.py)", "ads/decision.py"),
    ("serving handler (deployments/serving)", "deployments/serving/"),
    ("json encode", "json/encoder.py"),
    ("starlette Request/Response", "starlette/"),
    ("Serve replica HTTP server (uvicorn)", "uvicorn/"),
    ("Serve replica machinery (ray/serve)", "ray/serve/"),
    ("asyncio event loop", "asyncio/"),
)


@dataclass(slots=True)
class Profile:
    """Samples per frame: self (leaf) and inclusive (anywhere on the stack)."""

    total: int = 0
    self_time: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)
    buckets: Counter[str] = field(default_factory=Counter)

    def top(self, counter: Counter[str], n: int) -> list[tuple[str, float]]:
        return [(name, 100.0 * c / max(self.total, 1)) for name, c in counter.most_common(n)]


def _short(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['func']} ({path})"


def _bucket(frames: list[str]) -> str:
    """The area of the innermost frame that belongs to one (leaf first)."""
    for frame in reversed(frames):
        for label, needle in BUCKETS:
            if needle in frame:
                return label
    return "other"


def parse_collapsed(text: str) -> Profile:
    """Aggregate py-spy ``--format raw`` (collapsed stacks) output."""
    profile = Profile()
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if not match:
            continue
        count = int(match["count"])
        frames = [_short(f) for f in match["stack"].split(";") if f.strip()]
        if not frames:
            continue
        profile.total += count
        profile.self_time[frames[-1]] += count
        for frame in set(frames):
            profile.inclusive[frame] += count
        profile.buckets[_bucket(frames)] += count
    return profile


def record(pid: int, *, seconds: float, out: Path, rate: int = 250) -> Profile | None:
    """``py-spy record`` the process for ``seconds``; None when py-spy is missing or fails."""
    beside = Path(sys.executable).with_name("py-spy")  # the venv's, even when not on PATH
    binary = str(beside) if beside.exists() else shutil.which("py-spy")
    if binary is None:
        return None
    done = subprocess.run(
        [
            binary,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            str(rate),
            "--nonblocking",
            "--gil",  # only the thread holding the GIL: Python CPU time, not C++ threads waiting
            "--format",
            "raw",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
    )
    if done.returncode != 0 or not out.exists():
        print(f"[bench] py-spy failed: {done.stderr[-500:]}", flush=True)
        return None
    return parse_collapsed(out.read_text())


def describe(profile: Profile, *, n: int = 12) -> list[str]:
    """Readable lines: time by bucket (first match wins), then top self and inclusive frames."""
    lines = [f"{profile.total} samples of the thread holding the GIL (idle waits not sampled)"]
    lines.append("by area (each sample counted once, in the innermost area on its stack):")
    for label, pct in profile.top(profile.buckets, len(BUCKETS) + 1):
        lines.append(f"  {pct:5.1f}%  {label}")
    lines.append("top self time:")
    lines += [f"  {pct:5.1f}%  {name}" for name, pct in profile.top(profile.self_time, n)]
    lines.append("top inclusive time:")
    lines += [f"  {pct:5.1f}%  {name}" for name, pct in profile.top(profile.inclusive, n)]
    return lines
