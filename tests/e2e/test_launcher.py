"""`python -m cluster up|down` (what `make up` / `make down` run) on a fresh data directory:
healthy stack, printed login works, data survives a restart, `down` leaves no process behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil
import pytest
import redis

from cluster.ports import free_port
from cluster.stack import haproxy_dir, ray_temp_dir
from config.settings import Settings

pytestmark = pytest.mark.e2e


class Launcher:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        for key in (
            "JWT_SECRET",
            "TRACKING_SECRET",
            "ADMIN_PASSWORD",
            "ADMIN_EMAIL",
            "REDIS_KEY_PREFIX",
        ):
            self.env.pop(key, None)
        self.ports = {
            name: free_port()
            for name in (
                "SERVE_PORT",
                "STREAMLIT_PORT",
                "RAY_DASHBOARD_PORT",
                "RAY_GCS_PORT",
                "RAY_CLIENT_PORT",
                "RAY_AGENT_PORT",
                "PRIVATE_POSTGRES_PORT",
                "PRIVATE_REDIS_PORT",
                "HAPROXY_METRICS_PORT",
                "HAPROXY_STATS_PORT",
            )
        }
        self.env.update({k: str(v) for k, v in self.ports.items()})
        self.env["DATA_DIR"] = str(data_dir)
        self.env["PUBLIC_BASE_URL"] = self.base_url
        self.env["ADMIN_API_URL"] = f"{self.base_url}/api/v1/admin"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['SERVE_PORT']}"

    def run(self, command: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cluster", command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=400,
            check=False,
        )
        assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def processes(self) -> list[psutil.Process]:
        """Live processes whose command line mentions this stack's data, Ray or HAProxy
        directory."""
        settings = Settings(data_dir=self.data_dir)
        marks = (str(self.data_dir), str(ray_temp_dir(settings)), str(haproxy_dir(settings)))
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            try:
                cmdline = " ".join(proc.info["cmdline"] or [])
                if any(mark in cmdline for mark in marks):
                    found.append(proc)
            except psutil.Error:
                continue
        return found


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Launcher]:
    stack = Launcher(tmp_path / "data")
    yield stack
    subprocess.run(
        [sys.executable, "-m", "cluster", "down"], env=stack.env, capture_output=True, check=False
    )


def test_up_down_up_keeps_data_and_leaves_nothing_running(launcher: Launcher) -> None:
    started = time.monotonic()
    out = launcher.run("up")
    assert time.monotonic() - started < 180
    login = re.search(r"Admin login:\s+(\S+) / (\S+)", out)
    assert login, out
    assert httpx.get(f"{launcher.base_url}/healthz", timeout=10).status_code == 200
    assert "first ad served after" in out, out
    # Served steadily as soon as `up` returns: every demo creative has its renditions by then,
    # so fill does not hang on one even-paced campaign while the other is still transcoding.
    for _ in range(10):
        demo_ad = httpx.get(f"{launcher.base_url}/api/v1/vast", timeout=10)
        assert b"<InLine>" in demo_ad.content, f"{demo_ad.text}\n{out}"
    api = f"{launcher.base_url}/api/v1/admin"
    token = log_in(api, login[1], login[2])
    headers = {"Authorization": f"Bearer {token}"}
    now = datetime.now(UTC)
    created = httpx.post(
        f"{api}/campaigns",
        headers=headers,
        timeout=30,
        json={
            "name": "survives restart",
            "budget_total": 10,
            "cpm": 1,
            "start_date": now.isoformat(),
            "end_date": (now + timedelta(days=1)).isoformat(),
        },
    )
    assert created.status_code == 201
    cid = created.json()["campaign"]["id"]
    rds = redis.Redis(port=launcher.ports["PRIVATE_REDIS_PORT"], decode_responses=True)
    assert rds.hget(f"ctv:campaign:{cid}", "name") == "survives restart"
    rds.close()
    demo_total = httpx.get(f"{api}/campaigns", headers=headers, timeout=30).json()["total"]
    assert demo_total >= 4  # the demo campaigns and ours
    (premiere,) = httpx.get(
        f"{api}/campaigns", headers=headers, params={"search": "Premiere"}, timeout=30
    ).json()["campaigns"]
    assert premiere["paid_by"] == "Northwind Media Group"  # its "why this ad" page says so
    (spot,) = httpx.get(
        f"{api}/campaigns/{premiere['id']}/creatives", headers=headers, timeout=30
    ).json()["creatives"]
    assert spot["universal_ad_id"] == {"registry": "ad-id.org", "value": "NWST0000015H"}

    assert launcher.processes(), "the stack's processes should mention its data dir"
    stopping = time.monotonic()
    stopped = launcher.run("down")
    assert time.monotonic() - stopping < 20, stopped  # no 30 s node drain on a local head
    time.sleep(1)
    leftovers = [p.info["cmdline"][:3] for p in launcher.processes()]
    assert leftovers == [], stopped

    second = launcher.run("up")
    assert "0 demo campaign(s) added" in second
    token = log_in(api, login[1], login[2])
    again = httpx.get(
        f"{api}/campaigns/{cid}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert again.status_code == 200
    assert httpx.get(f"{launcher.base_url}/healthz", timeout=10).status_code == 200


def log_in(api: str, email: str, password: str) -> str:
    """The admin's token, as soon as `up` has returned (the body shown when refused)."""
    credentials = {"email": email, "password": password}
    answer = httpx.post(f"{api}/auth/login", json=credentials, timeout=30)
    assert answer.status_code == 200, f"{answer.status_code} {answer.text[:500]}"
    token: str = answer.json()["access_token"]
    return token
