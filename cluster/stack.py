"""The local stack: private PostgreSQL/Redis (when no URL is set), migrations, demo data, a Ray head
with the Serve applications and the sync actor, and Streamlit. ``up`` is idempotent; ``down``
stops exactly what ``up`` started, by PID, and keeps the data."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis as redis_client

from cluster.ray_head import (
    REPO_ROOT,
    RayHeadPorts,
    deploy_serve_config,
    haproxy_env,
    kill_haproxy,
    pid_alive,
    render_serve_config,
    start_ray_head,
    stop_process_group,
    wait_healthy,
)
from cluster.services import PostgresServer, RedisServer, wait_for_port
from config.settings import Settings

GENERATED_SECRETS = ("JWT_SECRET", "TRACKING_SECRET", "ADMIN_PASSWORD")
FIRST_FILL_TIMEOUT_S = 60.0
TRANSCODE_TIMEOUT_S = 180.0

# Ray Serve ingress, chosen by numbers (bench/decisions.py, bench/RESULTS.md): HAProxy in front
# of the replicas' own HTTP servers, the throughput-optimized Serve settings and one HAProxy
# thread were the fastest stable combination on 2 cores: 5-10x the decisions/s of Ray's default
# Python proxy. User code runs on the replica's main event loop (the throughput-optimized
# default): ~1.5x the decisions/s per replica of a thread of its own. There a replica
# reports ~0 ongoing requests under any load, so ServingIngress autoscales on the CPU its
# replicas report instead (deployments/serving/autoscaling.py). Serve reads these at import
# time in every Ray process, so they must be in the environment before the Ray head starts;
# values already there win.
RAY_ENV_DEFAULTS: dict[str, str] = {
    "RAY_SERVE_ENABLE_HA_PROXY": "1",
    "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
    "RAY_SERVE_HAPROXY_NBTHREAD": "1",
    "RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD": "0",
}


def say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


@dataclass(slots=True)
class StackState:
    """What ``up`` started (PIDs and flags), persisted in DATA_DIR/stack.json."""

    path: Path
    ray_pid: int | None = None
    streamlit_pid: int | None = None
    postgres: bool = False
    redis: bool = False

    @classmethod
    def load(cls, path: Path) -> StackState:
        if not path.exists():
            return cls(path=path)
        data = json.loads(path.read_text())
        return cls(path=path, **data)

    def save(self) -> None:
        data = {
            "ray_pid": self.ray_pid,
            "streamlit_pid": self.streamlit_pid,
            "postgres": self.postgres,
            "redis": self.redis,
        }
        self.path.write_text(json.dumps(data, indent=2))


def load_or_create_secrets(path: Path) -> dict[str, str]:
    """Secrets the stack generates once and keeps (so sessions and signed URLs survive restarts)."""
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            if key and value:
                values[key] = value
    changed = False
    for key in GENERATED_SECRETS:
        if key not in values:
            values[key] = secrets.token_urlsafe(12 if key == "ADMIN_PASSWORD" else 32)
            changed = True
    if changed:
        path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        path.chmod(0o600)
    return values


def ray_temp_dir(settings: Settings) -> Path:
    """Ray's session directory: short (Unix socket paths stop at 107 bytes), one per data dir."""
    digest = hashlib.blake2b(str(settings.data_dir.resolve()).encode(), digest_size=4).hexdigest()
    return Path(tempfile.gettempdir()) / f"ray-ctv-{digest}"


def haproxy_dir(settings: Settings) -> Path:
    """The HAProxy ingress's files for this stack (short, like :func:`ray_temp_dir`)."""
    ray_dir = ray_temp_dir(settings)
    return ray_dir.with_name(f"hap-{ray_dir.name}")


def private_servers(settings: Settings) -> tuple[PostgresServer, RedisServer]:
    data = settings.data_dir.resolve()
    return (
        PostgresServer(root=data / "postgres", port=settings.private_postgres_port),
        RedisServer(root=data / "redis", port=settings.private_redis_port),
    )


def stack_env(settings: Settings) -> dict[str, str]:
    """The environment every process of the stack gets (secrets generated on first run)."""
    data = settings.data_dir.resolve()
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    for key, value in load_or_create_secrets(data / "secrets.env").items():
        env.setdefault(key, value)
    pg, redis = private_servers(settings)
    env.setdefault("DATABASE_URL", settings.database_url or pg.url)
    env.setdefault("REDIS_URL", settings.redis_url or redis.url)
    env.setdefault("DATA_DIR", str(data))
    haproxy = haproxy_env(
        haproxy_dir(settings),
        metrics_port=settings.haproxy_metrics_port,
        stats_port=settings.haproxy_stats_port,
    )
    for key, value in {**RAY_ENV_DEFAULTS, **haproxy}.items():
        env.setdefault(key, value)
    return env


def up(settings: Settings) -> None:
    excluded = settings.excluded_networks()  # a wrong list stops here, not in every replica
    if excluded:
        say(f"beacons from {excluded.count} excluded IP ranges are filed as invalid traffic")
    data = settings.data_dir.resolve()
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    state = StackState.load(data / "stack.json")
    env = stack_env(settings)
    pg, redis = private_servers(settings)

    if settings.database_url is None:
        say(f"starting private PostgreSQL on 127.0.0.1:{pg.port} (data in {pg.root})")
        pg.start()
        state.postgres = True
    if settings.redis_url is None:
        say(f"starting private Redis on 127.0.0.1:{redis.port} (append-only, data in {redis.root})")
        redis.start()
        state.redis = True
    state.save()

    say("applying migrations and demo data")
    subprocess.run([sys.executable, "-m", "cluster.demo"], env=env, check=True, cwd=REPO_ROOT)

    if pid_alive(state.ray_pid):
        say(f"Ray head already running (pid {state.ray_pid})")
    else:
        say("starting the Ray head")
        state.ray_pid = start_ray_head(
            ports=RayHeadPorts(
                gcs=settings.ray_gcs_port,
                dashboard=settings.ray_dashboard_port,
                client_server=settings.ray_client_port,
                dashboard_agent=settings.ray_agent_port,
            ),
            env=env,
            temp_dir=ray_temp_dir(settings),
            log_path=logs / "ray.log",
            num_cpus=max(os.cpu_count() or 2, 2),
        )
        state.save()
    say("deploying serve_config.yaml")
    config = render_serve_config(host=settings.serve_host, port=settings.serve_port)
    deploy_serve_config(
        config,
        dashboard_port=settings.ray_dashboard_port,
        env=env,
        log_path=logs / "serve-deploy.log",
    )

    if pid_alive(state.streamlit_pid):
        say(f"Streamlit already running (pid {state.streamlit_pid})")
    else:
        state.streamlit_pid = start_streamlit(settings, env=env, log_path=logs / "streamlit.log")
        state.save()

    base = f"http://{settings.serve_host}:{settings.serve_port}"
    say("waiting for /healthz")
    wait_healthy(
        f"{base}/healthz",
        timeout=180,
        logs=[
            logs / "ray.log",
            *sorted((ray_temp_dir(settings) / "session_latest/logs/serve").glob("*.log")),
        ],
    )
    # Running is not routed: the ingress may still answer 404 on the management API's prefix
    # for a moment, and the admin logs in as soon as `up` returns.
    wait_healthy(
        f"{base}/api/v1/admin/openapi.json",
        timeout=60,
        logs=sorted((ray_temp_dir(settings) / "session_latest/logs/serve").glob("*.log")),
    )
    wait_for_port(
        "127.0.0.1",
        settings.streamlit_port,
        timeout=60,
        what="streamlit",
        log=logs / "streamlit.log",
    )
    say("waiting for the demo creatives' renditions (campaigns serve once their creative has them)")
    transcoded = subprocess.run(
        [sys.executable, "-m", "cluster.demo", "--wait-transcodes", f"{TRANSCODE_TIMEOUT_S:.0f}"],
        env=env,
        check=False,
        cwd=REPO_ROOT,
    )
    if transcoded.returncode != 0:
        say("the stack is up; some creatives are still transcoding (see the dashboard)")
    say("waiting for the first ad to be served")
    waited = wait_first_fill(f"{base}/api/v1/vast", timeout=FIRST_FILL_TIMEOUT_S)
    if waited is None:
        say(
            f"no ad served within {FIRST_FILL_TIMEOUT_S:.0f}s (campaigns paused, paced out or "
            "without creatives?); the stack is up"
        )
    else:
        say(f"first ad served after {waited:.1f}s")
    print(
        "\nCTV ad server is up\n"
        f"  Dashboard (Streamlit):   http://127.0.0.1:{settings.streamlit_port}\n"
        f"  Management API + docs:   {base}/api/v1/admin/docs\n"
        f"  Health:                  {base}/healthz\n"
        f"  Ray dashboard:           http://127.0.0.1:{settings.ray_dashboard_port}\n"
        f"  Admin login:             {settings.admin_email} / {env['ADMIN_PASSWORD']}"
        " (the first password; `python -m cluster restore-admin` sets a new one)\n"
        "  Stop with `make down` (data is kept in .data/).\n",
        flush=True,
    )


def wait_first_fill(vast_url: str, *, timeout: float) -> float | None:
    """Seconds until ``vast_url`` answered with an ad; None if it did not within ``timeout``.
    (Replicas serve a campaign once their first budget lease for it arrives.)"""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if b"<InLine>" in httpx.get(vast_url, timeout=5).content:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return None


def forget_ledger_leases(redis_url: str, *, prefix: str) -> None:
    """With every replica stopped no lease is outstanding: let the next ledger start without
    waiting for leases of the previous run to expire."""
    try:
        client = redis_client.Redis.from_url(redis_url, socket_connect_timeout=2)
        for key in client.scan_iter(match=f"{prefix}ledger:*:alive"):
            client.delete(key)
        client.close()
    except redis_client.RedisError as exc:
        say(f"could not clear ledger markers ({exc}); the next start waits for old leases")


def start_streamlit(settings: Settings, *, env: dict[str, str], log_path: Path) -> int:
    say(f"starting Streamlit on 127.0.0.1:{settings.streamlit_port}")
    args = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO_ROOT / "dashboard" / "app.py"),
        "--server.port",
        str(settings.streamlit_port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            args,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO_ROOT,
        )
    return proc.pid


def down(settings: Settings) -> None:
    data = settings.data_dir.resolve()
    state = StackState.load(data / "stack.json")
    pg, redis = private_servers(settings)
    if state.streamlit_pid:
        say(f"stopping Streamlit (pid {state.streamlit_pid})")
        stop_process_group(state.streamlit_pid)
        state.streamlit_pid = None
    if state.ray_pid:
        say(f"stopping the Ray head (pid {state.ray_pid})")
        stop_process_group(state.ray_pid)
        kill_haproxy(haproxy_dir(settings))
        state.ray_pid = None
    forget_ledger_leases(settings.redis_url or redis.url, prefix=settings.redis_key_prefix)
    if state.redis:
        say("stopping private Redis")
        redis.stop()
        state.redis = False
    if state.postgres:
        say("stopping private PostgreSQL")
        pg.stop()
        state.postgres = False
    state.save()
    say("stopped; data kept in " + str(data))
