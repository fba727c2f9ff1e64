"""The local head's helpers that need no Ray: HAProxy's per-stack files and its clean-up, and
the per-stack direct-ingress port ranges."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import cluster.ports
from cluster.ports import DIRECT_INGRESS_PORTS, PRIVATE_PORTS, bindable, free_port
from cluster.ray_head import (
    direct_ingress_env,
    haproxy_env,
    kill_haproxy,
    private_ingress_env,
)
from cluster.stack import RAY_ENV_DEFAULTS


def test_two_stacks_get_disjoint_haproxy_files_and_ports(tmp_path: Path) -> None:
    one = haproxy_env(tmp_path / "a", metrics_port=9101, stats_port=8404)
    two = haproxy_env(tmp_path / "b", metrics_port=9102, stats_port=8405)

    assert set(one) == set(two)
    assert not set(one.values()) & set(two.values())
    assert one["RAY_SERVE_HAPROXY_CONFIG_FILE_LOC"] == str(tmp_path / "a" / "haproxy.cfg")
    with_fallback = haproxy_env(
        tmp_path / "c", metrics_port=9103, stats_port=8406, fallback_ports=(8501, 9501)
    )
    assert set(with_fallback) - set(one) == {
        "RAY_SERVE_FALLBACK_PROXY_HTTP_PORT",
        "RAY_SERVE_FALLBACK_PROXY_GRPC_PORT",
    }


def test_direct_ingress_env_gives_ray_serves_port_ranges() -> None:
    env = direct_ingress_env(http_ports=range(20100, 20150), grpc_ports=range(20150, 20200))

    assert env == {
        "RAY_SERVE_DIRECT_INGRESS_MIN_HTTP_PORT": "20100",
        "RAY_SERVE_DIRECT_INGRESS_MAX_HTTP_PORT": "20150",
        "RAY_SERVE_DIRECT_INGRESS_MIN_GRPC_PORT": "20150",
        "RAY_SERVE_DIRECT_INGRESS_MAX_GRPC_PORT": "20200",
    }


def test_a_private_stack_gets_free_ports_of_its_own(tmp_path: Path) -> None:
    env = private_ingress_env(tmp_path)

    http = range(
        int(env["RAY_SERVE_DIRECT_INGRESS_MIN_HTTP_PORT"]),
        int(env["RAY_SERVE_DIRECT_INGRESS_MAX_HTTP_PORT"]),
    )
    grpc = range(
        int(env["RAY_SERVE_DIRECT_INGRESS_MIN_GRPC_PORT"]),
        int(env["RAY_SERVE_DIRECT_INGRESS_MAX_GRPC_PORT"]),
    )
    assert len(http) == len(grpc) > 1 and http.stop == grpc.start
    assert DIRECT_INGRESS_PORTS.start <= http.start and grpc.stop <= DIRECT_INGRESS_PORTS.stop
    assert all(bindable(port) for port in (*http, *grpc))
    single = [
        int(env[name]) for name in env if name.endswith("_PORT") and "DIRECT_INGRESS" not in name
    ]
    assert len(single) == len(set(single)) == 4  # HAProxy metrics and stats, fallback HTTP/gRPC
    assert not set(single) & set(range(30000, 31000))  # Serve's default range: `make up`'s


def test_ray_serve_reads_every_variable_the_stacks_set(tmp_path: Path) -> None:
    """The names are Ray 2.60's (ray/serve/_private/constants.py): a misspelt one would be
    ignored silently and leave the stack on Ray's shared defaults."""
    env = {
        **haproxy_env(tmp_path, metrics_port=9101, stats_port=8404, fallback_ports=(8501, 9501)),
        **direct_ingress_env(http_ports=range(20100, 20150), grpc_ports=range(20150, 20200)),
    }
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ray.serve._private.constants as c; "
            "print(*(getattr(c, name, None) for name in sys.argv[1:]))",
            *env,
            *RAY_ENV_DEFAULTS,
        ],
        env={**env, **RAY_ENV_DEFAULTS},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert read[: len(env)] == list(env.values())
    assert "None" not in read[len(env) :]


def test_kill_haproxy_stops_only_the_process_on_this_stacks_config(tmp_path: Path) -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    node = "f8fcaf2085c4094dd0033d107958630b2713dd9c52cafdc0752d9a15"  # Ray 2.60: per-node subdir
    ours = subprocess.Popen([*sleeper, "-f", str(tmp_path / "ours" / node / "haproxy.cfg")])
    flat = subprocess.Popen([*sleeper, "-f", str(tmp_path / "ours" / "haproxy.cfg")])
    theirs = subprocess.Popen([*sleeper, "-f", str(tmp_path / "theirs" / node / "haproxy.cfg")])
    longer = subprocess.Popen([*sleeper, "-f", str(tmp_path / "ours2" / node / "haproxy.cfg")])
    try:
        kill_haproxy(tmp_path / "ours")

        assert ours.wait(timeout=10) != 0
        assert flat.wait(timeout=10) != 0
        assert theirs.poll() is None
        assert longer.poll() is None
    finally:
        for proc in (ours, flat, theirs, longer):
            proc.kill()
            proc.wait()


def test_free_ports_are_outside_the_ephemeral_range_bindable_and_never_repeated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A port from the kernel's ephemeral range was taken by another process between the pick
    # and HAProxy's bind; and a port handed out twice once gave two Ray components one port.
    monkeypatch.setattr(cluster.ports, "_HANDED_OUT", set())
    monkeypatch.setattr(cluster.ports, "bindable", lambda port: port % 3 == 0)  # others busy
    picked = [free_port() for _ in range(200)]
    assert len(set(picked)) == 200
    assert all(port in PRIVATE_PORTS and port % 3 == 0 for port in picked)
    low, high = (int(n) for n in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    assert not set(picked) & set(range(low, high + 1))


def test_free_port_says_when_the_range_is_used_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster.ports, "_HANDED_OUT", set(PRIVATE_PORTS))
    with pytest.raises(RuntimeError, match="no free port left"):
        free_port()
