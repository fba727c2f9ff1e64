"""The local head's helpers that need no Ray: HAProxy's per-stack files and its clean-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cluster.ray_head import haproxy_env, kill_haproxy


def test_two_stacks_get_disjoint_haproxy_files_and_ports(tmp_path: Path) -> None:
    one = haproxy_env(tmp_path / "a", metrics_port=9101, stats_port=8404)
    two = haproxy_env(tmp_path / "b", metrics_port=9102, stats_port=8405)

    assert set(one) == set(two)
    assert not set(one.values()) & set(two.values())
    assert one["RAY_SERVE_HAPROXY_CONFIG_FILE_LOC"] == str(tmp_path / "a" / "haproxy.cfg")


def test_kill_haproxy_stops_only_the_process_on_this_stacks_config(tmp_path: Path) -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    ours = subprocess.Popen([*sleeper, "-f", str(tmp_path / "ours" / "haproxy.cfg")])
    theirs = subprocess.Popen([*sleeper, "-f", str(tmp_path / "theirs" / "haproxy.cfg")])
    try:
        kill_haproxy(tmp_path / "ours")

        assert ours.wait(timeout=10) != 0
        assert theirs.poll() is None
    finally:
        for proc in (ours, theirs):
            proc.kill()
            proc.wait()
