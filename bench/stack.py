"""A private benchmark stack: PostgreSQL, Redis and a Ray head with serve_config.yaml plus the
no-op app, all on free ports under one temp dir (as tests/stack_fixtures.py does), and a bare
uvicorn app beside it. The Ray head can be restarted with another ingress environment while the
databases (and the seeded catalog) stay up."""

from __future__ import annotations

import copy
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from cluster.ports import free_port
from cluster.ray_head import (
    REPO_ROOT,
    RayHeadPorts,
    deploy_serve_config,
    deployment_specs,
    kill_haproxy,
    private_ingress_env,
    render_serve_config,
    start_ray_head,
    stop_process_group,
    wait_healthy,
)
from cluster.services import PostgresServer, RedisServer, log_tail, wait_for_port
from cluster.stack import RAY_ENV_DEFAULTS
from storage.migrate import upgrade

ADMIN_EMAIL = "bench@example.com"
NOOP_ROUTE = "/noop"
SERVING_DEPLOYMENT = "ServingIngress"


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def set_access_log(
    config: dict[str, Any], deployments: set[str], *, enabled: bool
) -> dict[str, Any]:
    """``config`` with ``logging_config.enable_access_log`` set on the named deployments."""
    config = copy.deepcopy(config)
    for spec in deployment_specs(config, deployments):
        spec.setdefault("logging_config", {})["enable_access_log"] = enabled
    return config


def pin_replicas(config: dict[str, Any], deployments: set[str], replicas: int) -> dict[str, Any]:
    """``config`` with the named deployments fixed at ``replicas`` (no autoscaling)."""
    config = copy.deepcopy(config)
    for spec in deployment_specs(config, deployments):
        spec.pop("autoscaling_config", None)
        spec["num_replicas"] = replicas
    return config


def with_noop_app(config: dict[str, Any], *, serving_gc: bool = False) -> dict[str, Any]:
    """serve_config.yaml plus the no-op app at /noop, with ServingIngress's deployment options;
    ``serving_gc``: with the serving app's ``gc_young_threshold`` too (a like-for-like baseline;
    by default the no-op is a stock deployment)."""
    config = copy.deepcopy(config)
    serving = next(deployment_specs(config, {SERVING_DEPLOYMENT}))
    options = {k: v for k, v in serving.items() if k != "name"}
    args: dict[str, Any] = {}
    if serving_gc:
        serving_app = next(a for a in config["applications"] if serving in a["deployments"])
        args["gc_young_threshold"] = (serving_app.get("args") or {}).get("gc_young_threshold")
    config["applications"].append(
        {
            "name": "noop",
            "route_prefix": NOOP_ROUTE,
            "import_path": "bench.noop_app:build_app",
            "args": args,
            "deployments": [{"name": "NoopIngress", **options}],
        }
    )
    return config


@dataclass(slots=True)
class RayHead:
    """One running Ray head of the stack."""

    pid: int
    ports: RayHeadPorts
    temp_dir: Path
    log_path: Path
    env: dict[str, str]

    @property
    def dashboard_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.dashboard}"

    def serve_logs(self) -> list[Path]:
        return sorted((self.temp_dir / "session_latest/logs/serve").glob("*.log"))


@dataclass(slots=True)
class BenchStack:
    """Owns every process it starts and stops each one by PID (use as a context manager)."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ctv-bench-")))
    serve_port: int = field(default_factory=free_port)
    bare_port: int = field(default_factory=free_port)
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    postgres: PostgresServer | None = None
    redis: RedisServer | None = None
    head: RayHead | None = None
    bare_pid: int | None = None
    base_env: dict[str, str] = field(default_factory=dict)
    # Ray puts the 56-character node id under the HAProxy socket paths and HAProxy caps Unix
    # socket paths at 97 bytes, so this directory must be short (not under ``root``).
    haproxy_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hap")))
    _heads_started: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.serve_port}"

    @property
    def bare_url(self) -> str:
        return f"http://127.0.0.1:{self.bare_port}/"

    def __enter__(self) -> BenchStack:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start_services(self) -> None:
        """Private PostgreSQL and Redis, migrated; builds the environment every process gets."""
        self.postgres = PostgresServer(root=self.root / "pg", port=free_port(), database="ctvbench")
        say(f"starting PostgreSQL on 127.0.0.1:{self.postgres.port} under {self.root}")
        self.postgres.start()
        self.redis = RedisServer(root=self.root / "redis", port=free_port())
        say(f"starting Redis on 127.0.0.1:{self.redis.port}")
        self.redis.start()
        haproxy_dir = self.haproxy_dir
        pythonpath = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
        self.base_env = {
            **os.environ,
            "PYTHONPATH": pythonpath,  # bench/ is not an installed package; Ray workers import it
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "CATALOG_SYNC_INTERVAL_SECONDS": "2",
            "JWT_SECRET": secrets.token_urlsafe(32),
            "TRACKING_SECRET": secrets.token_urlsafe(32),
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "ADMIN_PASSWORD": self.admin_password,
            "PUBLIC_BASE_URL": self.base_url,
            "ADMIN_API_URL": f"{self.base_url}/api/v1/admin",
            "DATA_DIR": str(self.root / "data"),
            "CATALOG_TTL_SECONDS": "86400",
            **private_ingress_env(haproxy_dir),
        }
        upgrade(self.postgres.url)

    def start_ray(self, mode_env: dict[str, str], *, config: dict[str, Any] | None = None) -> None:
        """A fresh Ray head with ``mode_env`` set before it starts (over `make up`'s
        RAY_ENV_DEFAULTS, so ``{}`` = the shipping ingress; a value of "" unsets a variable);
        deploys ``config`` (default: serve_config.yaml + the no-op app)."""
        if self.head is not None:
            self.stop_ray()
        self._heads_started += 1
        # A fresh key prefix per head: the budget ledger of a restarted cluster rightly grants
        # nothing until the old cluster's leases could have expired (minutes). Here the old
        # cluster is gone for good, so the new one starts from a clean Redis namespace, which
        # CatalogSync fills from PostgreSQL within CATALOG_SYNC_INTERVAL_SECONDS.
        prefix = f"ctvbench{self._heads_started}:"
        env = {**self.base_env, "REDIS_KEY_PREFIX": prefix, **RAY_ENV_DEFAULTS, **mode_env}
        env = {key: value for key, value in env.items() if value != ""}  # "" unsets
        ports = RayHeadPorts(
            gcs=free_port(),
            dashboard=free_port(),
            client_server=free_port(),
            dashboard_agent=free_port(),
        )
        temp_dir = Path(tempfile.mkdtemp(prefix="ray-b"))  # short: Unix socket paths live here
        log_path = self.root / f"ray-{self._heads_started}.log"
        pid = start_ray_head(
            ports=ports,
            env=env,
            temp_dir=temp_dir,
            log_path=log_path,
            num_cpus=max(os.cpu_count() or 2, 2),
        )
        self.head = RayHead(pid=pid, ports=ports, temp_dir=temp_dir, log_path=log_path, env=env)
        deploy = config or with_noop_app(
            render_serve_config(host="127.0.0.1", port=self.serve_port)
        )
        deploy_serve_config(
            deploy, dashboard_port=ports.dashboard, env=env, log_path=self.root / "deploy.log"
        )
        logs = [log_path, *self.head.serve_logs()]
        wait_healthy(f"{self.base_url}/healthz", timeout=180, logs=logs)
        wait_healthy(f"{self.base_url}{NOOP_ROUTE}", timeout=120, logs=logs)

    def stop_ray(self, *, keep_logs: bool = False) -> None:
        head, self.head = self.head, None
        if head is None:
            return
        stop_process_group(head.pid)
        kill_haproxy(self.haproxy_dir)
        if keep_logs:
            say(f"kept Ray's session under {head.temp_dir}")
        else:
            shutil.rmtree(head.temp_dir, ignore_errors=True)
        deadline = time.monotonic() + 30
        while _listening(self.serve_port) and time.monotonic() < deadline:
            time.sleep(0.5)

    def start_bare(self) -> None:
        """The bare uvicorn app (uvloop + httptools) on its own port."""
        log = (self.root / "bare.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bare_app", "--port", str(self.bare_port)],
            env=self.base_env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.bare_pid = proc.pid
        wait_for_port("127.0.0.1", self.bare_port, timeout=30, what="bare uvicorn app")

    def stop_bare(self) -> None:
        if self.bare_pid is not None:
            stop_process_group(self.bare_pid, timeout=10)
            self.bare_pid = None

    def log_tails(self) -> str:
        paths = [self.root / "deploy.log"]
        if self.head is not None:
            paths += [self.head.log_path, *self.head.serve_logs()]
        return "\n".join(f"--- {p}\n{log_tail(p)}" for p in paths)

    def close(self, *, keep: bool = False) -> None:
        """Stop everything this stack started; remove its files (and Ray's logs) unless
        ``keep``."""
        self.stop_bare()
        self.stop_ray(keep_logs=keep)
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()
        shutil.rmtree(self.haproxy_dir, ignore_errors=True)
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def serve_details(dashboard_url: str) -> dict[str, Any]:
    """The dashboard's ``/api/serve/applications/`` document."""
    answer = httpx.get(f"{dashboard_url}/api/serve/applications/", timeout=10)
    answer.raise_for_status()
    details: dict[str, Any] = answer.json()
    return details


def replica_states(dashboard_url: str, app: str, deployment: str) -> tuple[int, dict[str, int]]:
    """(target replicas, count of replicas per state) of one deployment."""
    details = serve_details(dashboard_url)
    dep = details["applications"][app]["deployments"][deployment]
    counts: dict[str, int] = {}
    for replica in dep.get("replicas", []):
        counts[replica["state"]] = counts.get(replica["state"], 0) + 1
    return int(dep.get("target_num_replicas", 0)), counts


def replica_pids(dashboard_url: str, app: str, deployment: str) -> list[int]:
    details = serve_details(dashboard_url)
    replicas = details["applications"][app]["deployments"][deployment].get("replicas", [])
    return [int(r["pid"]) for r in replicas if r.get("state") == "RUNNING" and r.get("pid")]
