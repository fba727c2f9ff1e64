"""Private PostgreSQL and Redis servers, started from the machine's server binaries.

Used by the launcher when no DATABASE_URL / REDIS_URL is configured, and by the test fixtures.
PostgreSQL refuses to run as root, so under root the server runs as an unprivileged user.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PG_USER_CANDIDATES = ("postgres", "nobody")


class MissingBinary(RuntimeError):
    """A server binary is not installed; the message names the Debian package."""


def find_binary(name: str, *, package: str) -> str:
    """Absolute path of ``name`` on PATH or in PostgreSQL's versioned bin dirs."""
    found = shutil.which(name)
    if found:
        return found
    for bindir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        candidate = bindir / name
        if candidate.exists():
            return str(candidate)
    raise MissingBinary(f"'{name}' not found: install it with `apt-get install {package}`")


def wait_for_port(
    host: str, port: int, *, timeout: float, what: str, log: Path | None = None
) -> None:
    """Block until a TCP connect to ``host:port`` succeeds, else raise with the log's tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    tail = log_tail(log) if log else ""
    raise RuntimeError(
        f"{what} did not accept connections on {host}:{port} in {timeout:.0f}s\n{tail}"
    )


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


def _service_user() -> pwd.struct_passwd | None:
    """The unprivileged account to run PostgreSQL as, or None when not root."""
    if os.geteuid() != 0:
        return None
    for name in PG_USER_CANDIDATES:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged user (postgres/nobody) exists")


def _chown_tree(path: Path, user: pwd.struct_passwd | None) -> None:
    if user is None:
        return
    for item in [path, *path.rglob("*")]:
        os.chown(item, user.pw_uid, user.pw_gid)


def _make_traversable(path: Path) -> None:
    """Let the service user reach ``path`` (root's directories may be mode 700)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A private PostgreSQL cluster under ``root`` listening on 127.0.0.1:``port``."""

    root: Path
    port: int
    database: str = "ctvads"

    @property
    def data_dir(self) -> Path:
        return self.root / "pgdata"

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    @property
    def user(self) -> str:
        owner = _service_user()
        return owner.pw_name if owner else pwd.getpwuid(os.geteuid()).pw_name

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        owner = _service_user()
        return subprocess.run(
            args,
            check=False,
            capture_output=True,
            text=True,
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
            cwd="/",
        )

    def pid(self) -> int | None:
        """The postmaster's PID when it is running (read as whoever we are, no pg_ctl needed)."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self) -> None:
        """Initialise (first time), start and create the database; safe to call when running."""
        initdb = find_binary("initdb", package="postgresql")
        pg_ctl = find_binary("pg_ctl", package="postgresql")
        self.root.mkdir(parents=True, exist_ok=True)
        owner = _service_user()
        if owner:
            _make_traversable(self.root)
            _chown_tree(self.root, owner)
        if not (self.data_dir / "PG_VERSION").exists():
            done = self._run(
                [
                    initdb,
                    "-D",
                    str(self.data_dir),
                    "-A",
                    "trust",
                    "-U",
                    self.user,
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            )
            if done.returncode != 0:
                raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        if not self.is_running():
            options = (
                f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=on -c max_connections=200"
            )
            started = self._run(
                [
                    pg_ctl,
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_path),
                    "-o",
                    options,
                ]
            )
            if started.returncode != 0:
                raise RuntimeError(
                    f"postgres failed to start:\n{started.stderr}\n{log_tail(self.log_path)}"
                )
        wait_for_port("127.0.0.1", self.port, timeout=30, what="postgres", log=self.log_path)
        self.create_database(self.database)

    def psql(self, sql: str, *, database: str = "postgres") -> subprocess.CompletedProcess[str]:
        """Run one SQL statement through psql as the server's superuser."""
        psql = find_binary("psql", package="postgresql-client")
        return self._run(
            [
                psql,
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-tAc",
                sql,
            ]
        )

    def create_database(self, name: str) -> None:
        """Create database ``name`` (a plain identifier) unless it exists."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"not a plain database name: {name!r}")
        query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608 (checked above)
        if self.psql(query).stdout.strip() != "1":
            created = self.psql(f'CREATE DATABASE "{name}"')
            if created.returncode != 0:
                raise RuntimeError(f"could not create database {name}: {created.stderr}")

    def stop(self, *, timeout: float = 60.0) -> None:
        """Fast shutdown (SIGINT to the postmaster), waiting until it has exited."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + timeout
        while self.pid() is not None and time.monotonic() < deadline:
            time.sleep(0.1)


@dataclass(frozen=True, slots=True)
class RedisServer:
    """A private Redis with append-only persistence under ``root`` on 127.0.0.1:``port``."""

    root: Path
    port: int

    @property
    def pid_path(self) -> Path:
        return self.root / "redis.pid"

    @property
    def log_path(self) -> Path:
        return self.root / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_path.read_text().strip())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def start(self) -> None:
        """Start unless already running; data persists in ``root`` (appendonly)."""
        binary = find_binary("redis-server", package="redis-server")
        self.root.mkdir(parents=True, exist_ok=True)
        if self.pid() is None:
            subprocess.run(
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(self.root),
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "everysec",
                    "--save",
                    "",
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(self.pid_path),
                    "--logfile",
                    str(self.log_path),
                ],
                check=True,
            )
        wait_for_port("127.0.0.1", self.port, timeout=30, what="redis", log=self.log_path)

    def stop(self) -> None:
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, 15)
        deadline = time.monotonic() + 15
        while self.pid() is not None and time.monotonic() < deadline:
            time.sleep(0.1)
