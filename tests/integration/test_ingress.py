"""The test stack runs the ingress `make up` ships (cluster/stack.py RAY_ENV_DEFAULTS), on its
own HAProxy files and ports, so the whole suite tests what ships."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from cluster.stack import RAY_ENV_DEFAULTS
from tests.stack_fixtures import Stack


def _running(config: Path) -> bool:
    wanted = str(config).encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if wanted in cmdline.read_bytes().split(b"\0"):
                return True
        except OSError:
            continue
    return False


def test_requests_go_through_this_stacks_haproxy_to_the_replicas_own_servers(
    stack: Stack,
) -> None:
    assert stack.haproxy_dir is not None
    configs = list(stack.haproxy_dir.glob("*/haproxy.cfg"))  # Ray adds the node id
    assert len(configs) == 1, configs
    config = configs[0].read_text()
    assert _running(configs[0])
    assert f"bind 127.0.0.1:{urlsplit(stack.base_url).port}" in config

    low = int(stack.env["RAY_SERVE_DIRECT_INGRESS_MIN_HTTP_PORT"])
    high = int(stack.env["RAY_SERVE_DIRECT_INGRESS_MAX_HTTP_PORT"])
    replicas = re.findall(r"^\s*server SERVE_REPLICA_(\S+) [\d.]+:(\d+)", config, re.MULTILINE)
    assert {name.rsplit("-", 1)[0] for name, _ in replicas} == {
        "serving-ServingIngress",
        "management-ManagementApi",
    }
    assert all(low <= int(port) < high for _, port in replicas), replicas


def test_serve_runs_throughput_optimized_with_user_code_on_the_event_loop(stack: Stack) -> None:
    assert all(stack.env[key] == value for key, value in RAY_ENV_DEFAULTS.items())
    assert stack.ray_temp is not None
    # Serve's controller states the mode it runs in when it starts (to its stderr).
    logs = stack.ray_temp / "session_latest" / "logs"
    said = [
        path.read_text(errors="replace")
        for path in logs.glob("worker-*.err")
        if "Throughput optimized Ray Serve enabled" in path.read_text(errors="replace")
    ]
    assert said
    assert all("User code running in main thread (not separate)" in text for text in said)
