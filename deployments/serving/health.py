"""Readiness of the stack as seen from a serving replica: PostgreSQL, Redis and the Serve apps."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import asyncpg
from ray import serve
from redis.asyncio import Redis

from storage.db import asyncpg_dsn


@dataclass(slots=True)
class HealthCheck:
    """Checks each dependency with a timeout; caches the verdict for ``cache_seconds``."""

    database_url: str
    redis: Redis
    timeout: float = 2.0
    cache_seconds: float = 1.0
    _cached: tuple[float, dict[str, str]] | None = field(default=None, init=False)

    async def _postgres(self) -> None:
        conn = await asyncpg.connect(asyncpg_dsn(self.database_url), timeout=self.timeout)
        try:
            await conn.fetchval("SELECT 1")
        finally:
            await conn.close()

    async def _redis(self) -> None:
        await self.redis.ping()

    @staticmethod
    def _serve_apps() -> None:
        apps = serve.status().applications
        not_running = {name: app.status for name, app in apps.items() if app.status != "RUNNING"}
        if not apps or not_running:
            raise RuntimeError(f"serve applications not running: {not_running or 'none deployed'}")

    async def _check(self, name: str, coro: object) -> tuple[str, str]:
        try:
            await asyncio.wait_for(coro, self.timeout)  # type: ignore[arg-type]
        except Exception as exc:
            return name, f"down: {type(exc).__name__}: {exc}"[:300]
        return name, "ok"

    async def report(self) -> dict[str, str]:
        """``{"postgres": "ok" | "down: …", "redis": …, "serve": …}``."""
        now = time.monotonic()
        if self._cached and now - self._cached[0] < self.cache_seconds:
            return self._cached[1]
        results = await asyncio.gather(
            self._check("postgres", self._postgres()),
            self._check("redis", self._redis()),
            self._check("serve", asyncio.to_thread(self._serve_apps)),
        )
        report = dict(results)
        self._cached = (now, report)
        return report
