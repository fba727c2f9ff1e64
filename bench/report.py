"""Tables for the console and bench/RESULTS.md, and rewriting one marked section of that file."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench.loadgen import POISSON, Result

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def fmt_rps(value: float) -> str:
    return f"{value:,.0f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def console_table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return out


def fmt_fill(result: Result) -> str:
    rate = result.fill_rate
    return "-" if rate is None else f"{100 * rate:.1f}%"


def wrk_rows(results: list[Result]) -> list[list[str]]:
    return [
        [
            r.target,
            fmt_rps(r.rps),
            fmt_fill(r),
            fmt_ms(r.pct(50)),
            fmt_ms(r.pct(99)),
            fmt_other(r),
            str(r.errors) + (f" ({r.error_detail})" if r.error_detail else ""),
        ]
        for r in results
    ]


def fmt_other(result: Result) -> str:
    return "-" if result.other_cores is None else f"{result.other_cores:.2f}"


OTHERS = "others' cores"
WRK_HEADER = ["target", "req/s", "filled", "p50 ms", "p99 ms", OTHERS, "errors"]
PACED_HEADER = [
    "target",
    "load generator",
    "offered/s",
    "achieved/s",
    "filled",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    OTHERS,
    "errors",
]


def paced_rows(results: list[Result]) -> list[list[str]]:
    return [
        [
            r.target,
            "wrk, Poisson arrivals" if r.tool == POISSON else r.tool,
            fmt_rps(r.offered or 0),
            fmt_rps(r.rps),
            fmt_fill(r),
            fmt_ms(r.pct(50)),
            fmt_ms(r.pct(90)),
            fmt_ms(r.pct(99)),
            fmt_other(r),
            str(r.errors) + (f" ({r.error_detail})" if r.error_detail else ""),
        ]
        for r in results
    ]


def machine_notes() -> list[str]:
    """CPU model and count, memory, kernel, load and versions: what the numbers ran on."""
    import psutil
    import ray

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    heads = sum(
        1
        for p in psutil.process_iter(["cmdline"])
        if p.info.get("cmdline") and "gcs_server" in " ".join(p.info["cmdline"][:1])
    )
    return [
        f"{os.cpu_count()} vCPU ({model}), "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, Linux {platform.release()}",
        f"Ray {ray.__version__}, Python {platform.python_version()}, {_tool_version('wrk')}, "
        "hey (Debian)",
        f"load average at start: {load}; Ray clusters running on the machine: {heads} "
        "(other engineers' stacks share the same cores)",
    ]


def _tool_version(name: str) -> str:
    try:
        done = subprocess.run([name, "-v"], capture_output=True, text=True, check=False)
    except OSError:
        return f"{name} (missing)"
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else name


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def rewrite_section(name: str, body: list[str], *, path: Path = RESULTS) -> None:
    """Replace the ``<!-- name:begin -->`` … ``<!-- name:end -->`` block (append if absent)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = "\n".join([begin, *body, end])
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
