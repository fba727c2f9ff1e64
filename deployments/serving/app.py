"""The serving application at ``/``: player-facing endpoints and ``/healthz``.

The handler is a plain ``__call__`` over Starlette requests (no FastAPI on the hot path).
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict
from ray import serve
from ray.serve import Application
from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import Response

from config.settings import get_settings
from deployments.http_errors import error_body
from deployments.serving.health import HealthCheck


def json_response(body: object, status: int = 200) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")), status_code=status, media_type="application/json"
    )


@serve.deployment(ray_actor_options={"num_cpus": 0.1}, max_ongoing_requests=256)
class ServingIngress:
    """Routes player requests by path; every per-request step stays in process."""

    def __init__(self) -> None:
        settings = get_settings()
        self._redis = Redis.from_url(settings.require_redis_url(), decode_responses=True)
        self._health = HealthCheck(database_url=settings.require_database_url(), redis=self._redis)

    async def __call__(self, request: Request) -> Response:
        path = request.url.path
        if path == "/healthz":
            return await self._healthz()
        return json_response(error_body("not_found", f"no route for {path}"), 404)

    async def _healthz(self) -> Response:
        report = await self._health.report()
        healthy = all(v == "ok" for v in report.values())
        return json_response(
            {"status": "ok" if healthy else "unavailable", "checks": report},
            200 if healthy else 503,
        )


class ServingArgs(BaseModel):
    """Application args from serve_config.yaml (none yet; unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid")


def build_app(args: dict[str, object]) -> Application:
    """Serve builder named by serve_config.yaml (``deployments.serving.app:build_app``)."""
    ServingArgs.model_validate(args)
    app: Application = ServingIngress.bind()  # type: ignore[attr-defined]
    return app
