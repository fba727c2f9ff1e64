"""A database for the storage benchmarks to fill: ``DATABASE_URL`` when set (a scratch database:
the scripts add rows), else a private PostgreSQL server in a temporary directory; migrated."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cluster.ports import free_port
from cluster.services import PostgresServer
from storage.migrate import upgrade


@contextmanager
def scratch_database(label: str) -> Iterator[str]:
    """The database's URL while the block runs; ``label`` names the script in its output."""
    url = os.environ.get("DATABASE_URL")
    if url:
        upgrade(url)
        yield url
        return
    with tempfile.TemporaryDirectory(prefix=f"ctv-{label}-") as scratch:
        server = PostgresServer(root=Path(scratch), port=free_port())
        print(f"[{label}] starting a private PostgreSQL on port {server.port}", flush=True)
        server.start()
        try:
            upgrade(server.url)
            yield server.url
        finally:
            server.stop()
