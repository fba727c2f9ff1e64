"""One real stack per test run: PostgreSQL, Redis, a Ray head with the Serve apps from
serve_config.yaml behind the ingress `make up` ships (cluster/stack.py RAY_ENV_DEFAULTS: Serve's
HAProxy, user code on the replicas' event loops). Private servers start when DATABASE_URL /
REDIS_URL are unset; with them set, the run uses a fresh database and its own Redis key prefix on
those servers. A failing test gets the tails of the server, Ray and Serve replica logs attached
to its report."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from cluster.ports import free_port
from cluster.ray_head import (
    LOCAL_HEAD_ENV,
    RayHeadPorts,
    deploy_serve_config,
    kill_haproxy,
    private_ingress_env,
    render_serve_config,
    start_ray_head,
    stop_process_group,
    wait_healthy,
)
from cluster.services import PostgresServer, RedisServer, log_tail
from cluster.stack import RAY_ENV_DEFAULTS
from config.settings import get_settings
from storage.db import asyncpg_dsn
from storage.migrate import upgrade
from tests.webhook_receiver import WebhookReceiver

ADMIN_EMAIL = "admin@test.example"
ADMIN_PASSWORD = "correct horse battery staple"


@dataclass(slots=True)
class Stack:
    """Addresses of the running test stack and where its logs are."""

    base_url: str
    database_url: str
    redis_url: str
    redis_prefix: str
    gcs_address: str
    env: dict[str, str]
    logs: list[Path] = field(default_factory=list)
    ray_temp: Path | None = None
    haproxy_dir: Path | None = None
    postgres: PostgresServer | None = None
    redis: RedisServer | None = None
    webhook: WebhookReceiver | None = None
    webhook_secret: str = ""

    @property
    def admin_url(self) -> str:
        return f"{self.base_url}/api/v1/admin"

    def log_paths(self) -> list[Path]:
        serve_logs = (
            sorted((self.ray_temp / "session_latest/logs/serve").glob("*.log"))
            if self.ray_temp
            else []
        )
        return [*self.logs, *serve_logs]


_STACK: Stack | None = None


def _external_database(url: str) -> tuple[str, str]:
    """A fresh database on the configured server: (its URL, the admin URL to drop it with)."""
    name = f"ctvads_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(url).set(drivername="postgresql", database="postgres")
    admin_url = admin.render_as_string(hide_password=False)
    subprocess.run(
        ["psql", admin_url, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True
    )
    return admin.set(database=name).render_as_string(hide_password=False), admin_url


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    global _STACK
    # Not under pytest's basetemp: another pytest run resets that to mode 700, which would lock
    # the unprivileged PostgreSQL user out of its data directory.
    root = Path(tempfile.mkdtemp(prefix="ctv-stack-"))
    started: list[Any] = []
    pg: PostgresServer | None = None
    redis: RedisServer | None = None
    drop: tuple[str, str] | None = None
    logs: list[Path] = []

    configured_redis = os.environ.get("REDIS_URL")
    prefix = f"ctvtest{uuid.uuid4().hex[:8]}:"
    ray_pid: int | None = None
    haproxy_dir: Path | None = None
    webhook = WebhookReceiver()
    webhook_secret = secrets.token_urlsafe(16)
    try:  # whatever fails on the way up, what was started is stopped
        configured_db = os.environ.get("DATABASE_URL")
        if configured_db:
            database_url, admin_url = _external_database(configured_db)
            drop = (admin_url, make_url(database_url).database or "")
        else:
            pg = PostgresServer(root=root / "pg", port=free_port(), database="ctvads_test")
            pg.start()
            started.append(pg)
            logs.append(pg.log_path)
            database_url = pg.url
        redis_url = configured_redis or ""
        if not redis_url:
            redis = RedisServer(root=root / "redis", port=free_port())
            redis.start()
            started.append(redis)
            logs.append(redis.log_path)
            redis_url = redis.url

        serve_port = free_port()
        haproxy_dir = Path(tempfile.mkdtemp(prefix="hap"))  # short: see haproxy_env
        ray_only = {
            # Exactly the ingress `make up` ships (HAProxy in front of the replicas' own servers,
            # throughput-optimized Serve, user code on the replica's event loop), whatever the
            # caller's environment says; with this stack's own HAProxy files and ports and its own
            # direct-ingress ports, so it can run beside `make up`, the launcher test's stack or a
            # benchmark.
            **RAY_ENV_DEFAULTS,
            **private_ingress_env(haproxy_dir),
            # Not the ingress: throughput mode keeps up to 1,000 replica log records in memory;
            # a failing test's report should show what the replicas logged up to the failure.
            "RAY_SERVE_REQUEST_PATH_LOG_BUFFER_SIZE": "1",
        }
        env = {**LOCAL_HEAD_ENV, **os.environ, **ray_only}
        env.update(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            REDIS_KEY_PREFIX=prefix,
            JWT_SECRET=secrets.token_urlsafe(32),
            TRACKING_SECRET=secrets.token_urlsafe(32),
            ADMIN_EMAIL=ADMIN_EMAIL,
            ADMIN_PASSWORD=ADMIN_PASSWORD,
            PUBLIC_BASE_URL=f"http://127.0.0.1:{serve_port}",
            ADMIN_API_URL=f"http://127.0.0.1:{serve_port}/api/v1/admin",
            DATA_DIR=str(root / "data"),
            CATALOG_SYNC_INTERVAL_SECONDS="2",
            # Short lease times so budget tests see leases lapse and a restarted ledger thaw.
            LEDGER_TTL_SECONDS="3",
            LEDGER_SETTLE_WINDOW_SECONDS="20",
            IMPRESSION_MAX_AGE_SECONDS="15",
            # As if behind CloudFront: geo targeting reads the viewer's place off its headers.
            GEO_COUNTRY_HEADER="CloudFront-Viewer-Country",
            GEO_REGION_HEADER="CloudFront-Viewer-Country-Region",
            # As a European publisher: requests that do not say are under GDPR in Europe.
            GDPR_APPLIES="by_place",
            # A "data centre" (TEST-NET-2) whose beacons are invalid traffic.
            IVT_EXCLUDED_NETWORKS=EXCLUDED_NETWORK,
            # Campaign news goes to a receiver of the test run's own.
            NOTIFY_WEBHOOK_URL=webhook.url,
            NOTIFY_WEBHOOK_SECRET=webhook_secret,
        )
        # This process (settings, the Ray driver) sees the stack's settings, but not the Ray head's
        # own: the launcher test's `make up` stack inherits this environment and picks its own.
        os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH" and k not in ray_only})
        get_settings.cache_clear()
        upgrade(database_url)

        ports = RayHeadPorts(
            gcs=free_port(),
            dashboard=free_port(),
            client_server=free_port(),
            dashboard_agent=free_port(),
        )
        ray_temp = Path(f"/tmp/ray-t{os.getpid()}")
        ray_log = root / "ray.log"
        logs.append(ray_log)
        deploy_log = root / "serve-deploy.log"
        logs.append(deploy_log)
        ray_pid = start_ray_head(
            ports=ports, env=env, temp_dir=ray_temp, log_path=ray_log, num_cpus=4
        )
        _STACK = Stack(
            base_url=f"http://127.0.0.1:{serve_port}",
            database_url=database_url,
            redis_url=redis_url,
            redis_prefix=prefix,
            gcs_address=f"127.0.0.1:{ports.gcs}",
            env=env,
            logs=logs,
            ray_temp=ray_temp,
            haproxy_dir=haproxy_dir,
            postgres=pg,
            redis=redis,
            webhook=webhook,
            webhook_secret=webhook_secret,
        )
        config = render_serve_config(host="127.0.0.1", port=serve_port)
        _serve_with_replicas(config, deployment="ServingIngress", replicas=2)
        deploy_serve_config(config, dashboard_port=ports.dashboard, env=env, log_path=deploy_log)
        wait_healthy(f"{_STACK.base_url}/healthz", timeout=180, logs=_STACK.log_paths())
        yield _STACK
    finally:
        if ray_pid is not None:
            stop_process_group(ray_pid)
        if haproxy_dir is not None:
            kill_haproxy(haproxy_dir)
            shutil.rmtree(haproxy_dir, ignore_errors=True)
        for server in reversed(started):
            server.stop()
        if drop:
            subprocess.run(
                ["psql", drop[0], "-c", f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)'],
                check=False,
            )
        if configured_redis:
            _delete_prefix(configured_redis, prefix)
        webhook.stop()
        shutil.rmtree(root, ignore_errors=True)
        _STACK = None


def _serve_with_replicas(config: dict[str, Any], *, deployment: str, replicas: int) -> None:
    """Run ``replicas`` decision replicas from the start, so tests see more than one."""
    for app in config["applications"]:
        for spec in app.get("deployments", []):
            if spec["name"] == deployment:
                spec["autoscaling_config"]["min_replicas"] = replicas
                spec["autoscaling_config"]["max_replicas"] = max(
                    replicas, spec["autoscaling_config"]["max_replicas"]
                )


def _delete_prefix(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def ray_client(stack: Stack) -> Iterator[Any]:
    """This process connected to the test cluster as a driver (for actor-level tests)."""
    import ray

    ray.init(address=stack.gcs_address, namespace="ctv", log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def admin_token(stack: Stack) -> str:
    answer = httpx.post(
        f"{stack.admin_url}/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


@pytest.fixture
def api(stack: Stack, admin_token: str) -> Iterator[httpx.Client]:
    """An authenticated client of the management API."""
    with httpx.Client(
        base_url=stack.admin_url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=30
    ) as client:
        yield client


@pytest.fixture
def anon(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.admin_url, timeout=30) as client:
        yield client


EXCLUDED_NETWORK = "198.51.100.0/24"
"""The test stack's IVT_EXCLUDED_NETWORKS."""


def wait_until(predicate: Any, *, timeout: float, interval: float = 0.05) -> float:
    """Poll ``predicate`` until truthy; returns the seconds it took, fails the test on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")


def execute_sql(stack: Stack, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run ``sql`` once per row straight against the stack's database (test data that the
    pipeline would otherwise take minutes to produce)."""

    async def run() -> None:
        conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
        try:
            await conn.executemany(sql, rows)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed and _STACK is not None and "stack" in getattr(item, "fixturenames", ()):
        for path in _STACK.log_paths():
            report.sections.append((f"log tail: {path.name}", log_tail(path, lines=60)))
    return report
