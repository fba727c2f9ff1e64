"""A local Ray head started as one child process (``ray start --head --block``) and stopped by PID,
plus deploying serve_config.yaml onto it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from cluster.ports import free_port, free_port_range
from cluster.services import log_tail, wait_for_port

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVE_CONFIG = REPO_ROOT / "serve_config.yaml"
LOCAL_HEAD_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S": "0"}
"""Defaults for the processes of a local head and their clients (the caller's values win).
Left unset, a ``~/.ray/auth_token`` that any earlier local ``ray.init()`` wrote switches token
auth on for ``ray start``, and ``serve deploy`` then fails with "Missing authentication token".
The local head listens on 127.0.0.1 only; a KubeRay cluster configures its own auth. On SIGTERM
Ray 2.60 drains a node for up to 30 s (so a rolling upgrade can move traffic to other nodes);
a lone local head has nowhere to move it, and `make down` waited those 30 s for nothing."""


def haproxy_env(
    directory: Path,
    *,
    metrics_port: int,
    stats_port: int,
    fallback_ports: tuple[int, int] | None = None,
) -> dict[str, str]:
    """Where Serve's HAProxy ingress keeps its files and which fixed ports it takes, for one
    stack: Ray's defaults (/tmp/haproxy-serve, 9101, 8404) collide between two stacks on a host.
    ``directory`` must be short: Ray puts the node id under it and HAProxy caps socket paths at
    97 bytes. ``fallback_ports`` (HTTP, gRPC) move the Python proxy that HAProxy's backends fall
    back to while an application has no replica up off Ray's fixed 8500/9500: where two stacks
    share those, one stack's HAProxy falls back to the other stack's proxy."""
    fallback = {}
    if fallback_ports is not None:
        fallback = {
            "RAY_SERVE_FALLBACK_PROXY_HTTP_PORT": str(fallback_ports[0]),
            "RAY_SERVE_FALLBACK_PROXY_GRPC_PORT": str(fallback_ports[1]),
        }
    return {
        **fallback,
        "RAY_SERVE_HAPROXY_CONFIG_FILE_LOC": str(directory / "haproxy.cfg"),
        "RAY_SERVE_HAPROXY_SOCKET_PATH": str(directory / "admin.sock"),
        "RAY_SERVE_HAPROXY_SERVER_STATE_BASE": str(directory),
        "RAY_SERVE_HAPROXY_SERVER_STATE_FILE": str(directory / "server-state"),
        "RAY_SERVE_HAPROXY_METRICS_SOCKET_PATH": str(directory / "metrics.sock"),
        "RAY_SERVE_HAPROXY_METRICS_PORT": str(metrics_port),
        "RAY_SERVE_HAPROXY_STATS_PORT": str(stats_port),
    }


def direct_ingress_env(*, http_ports: range, grpc_ports: range) -> dict[str, str]:
    """The ports Serve's controller hands to ingress replicas for their own HTTP and gRPC servers
    (HAProxy forwards to those), for one stack. Ray's default ranges (30000-31000, 40000-41000)
    are shared by every stack on a host: a port one stack frees can be taken by another stack's
    replica while the first stack's HAProxy still routes to it. Ray's upper bounds are
    exclusive, like ``range``'s."""
    return {
        "RAY_SERVE_DIRECT_INGRESS_MIN_HTTP_PORT": str(http_ports.start),
        "RAY_SERVE_DIRECT_INGRESS_MAX_HTTP_PORT": str(http_ports.stop),
        "RAY_SERVE_DIRECT_INGRESS_MIN_GRPC_PORT": str(grpc_ports.start),
        "RAY_SERVE_DIRECT_INGRESS_MAX_GRPC_PORT": str(grpc_ports.stop),
    }


INGRESS_REPLICA_PORTS = 50
"""Direct-ingress ports per protocol for a private stack: one per ingress replica started within
Serve's port quarantine (150 s after a replica stops, its port is not handed out again)."""


def private_ingress_env(haproxy_dir: Path) -> dict[str, str]:
    """Serve ingress settings for a private stack (tests, benchmarks) that runs beside `make up`
    and other private stacks: its own HAProxy files under ``haproxy_dir``, and its own free
    HAProxy, fallback-proxy and direct-ingress ports."""
    ingress_ports = free_port_range(2 * INGRESS_REPLICA_PORTS)
    middle = ingress_ports.start + INGRESS_REPLICA_PORTS
    return {
        **haproxy_env(
            haproxy_dir,
            metrics_port=free_port(),
            stats_port=free_port(),
            fallback_ports=(free_port(), free_port()),
        ),
        **direct_ingress_env(
            http_ports=range(ingress_ports.start, middle),
            grpc_ports=range(middle, ingress_ports.stop),
        ),
    }


def kill_haproxy(directory: Path) -> None:
    """Kill any HAProxy still running on a config under ``directory`` (call after stopping
    the head: HAProxy lives in the proxy actor's process group, not the head's). Ray 2.60 puts
    each node's files in a subdirectory named by the node id: ``directory/<node id>/haproxy.cfg``.
    """
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if any(
                _haproxy_config_under(directory, arg) for arg in cmdline.read_bytes().split(b"\0")
            ):
                os.kill(int(cmdline.parent.name), signal.SIGKILL)


def _haproxy_config_under(directory: Path, arg: bytes) -> bool:
    path = Path(os.fsdecode(arg))
    return path.name == "haproxy.cfg" and directory in (path.parent, path.parent.parent)


@dataclass(frozen=True, slots=True)
class RayHeadPorts:
    gcs: int = 6385
    dashboard: int = 8265
    client_server: int = 23001
    dashboard_agent: int = 52365


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def start_ray_head(
    *, ports: RayHeadPorts, env: dict[str, str], temp_dir: Path, log_path: Path, num_cpus: int
) -> int:
    """Start the head in its own session and return the PID that owns it (``--block``)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    temp_dir.mkdir(parents=True, exist_ok=True)
    args = [
        _bin("ray"),
        "start",
        "--head",
        "--block",
        "--node-ip-address",
        "127.0.0.1",
        "--port",
        str(ports.gcs),
        "--dashboard-host",
        "127.0.0.1",
        "--dashboard-port",
        str(ports.dashboard),
        "--ray-client-server-port",
        str(ports.client_server),
        "--dashboard-agent-listen-port",
        str(ports.dashboard_agent),
        "--num-cpus",
        str(num_cpus),
        "--temp-dir",
        str(temp_dir),
        "--disable-usage-stats",
    ]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            args,
            env={**LOCAL_HEAD_ENV, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port("127.0.0.1", ports.gcs, timeout=90, what="ray head (GCS)", log=log_path)
        wait_for_port("127.0.0.1", ports.dashboard, timeout=90, what="ray dashboard", log=log_path)
    except RuntimeError:
        stop_process_group(proc.pid)
        raise
    return proc.pid


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def stop_process_group(pid: int, *, timeout: float = 30.0) -> None:
    """SIGTERM ``pid`` (the ray/streamlit parent), wait, then kill whatever its group left."""
    if not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


def render_serve_config(*, host: str, port: int, source: Path = SERVE_CONFIG) -> dict[str, Any]:
    """serve_config.yaml with the HTTP host/port of this stack (the only overrides allowed)."""
    config: dict[str, Any] = yaml.safe_load(source.read_text())
    config.setdefault("http_options", {}).update({"host": host, "port": port})
    return config


def deployment_specs(config: dict[str, Any], names: set[str]) -> Iterator[dict[str, Any]]:
    """The deployment entries of a serve config whose ``name`` is in ``names``, to read or edit."""
    for app in config["applications"]:
        for spec in app.get("deployments", []):
            if spec.get("name") in names:
                yield spec


def deploy_serve_config(
    config: dict[str, Any], *, dashboard_port: int, env: dict[str, str], log_path: Path
) -> None:
    """``serve deploy`` the config through the head's dashboard, retrying while it comes up."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        yaml.safe_dump(config, handle)
        path = handle.name
    try:
        deadline = time.monotonic() + 60
        while True:
            done = subprocess.run(
                [_bin("serve"), "deploy", path, "--address", f"http://127.0.0.1:{dashboard_port}"],
                env={**LOCAL_HEAD_ENV, **env},
                capture_output=True,
                text=True,
                check=False,
            )
            with log_path.open("a") as log:
                log.write(done.stdout + done.stderr)
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve deploy failed:\n{done.stderr[-3000:]}")
            time.sleep(2)
    finally:
        os.unlink(path)


def wait_healthy(url: str, *, timeout: float, logs: list[Path]) -> None:
    """Poll ``url`` until it answers 200; on timeout raise with the last answer and log tails."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=5)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:500]}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(1)
    tails = "\n".join(f"--- {p}\n{log_tail(p)}" for p in logs)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f}s: {last}\n{tails}")
