"""A no-op Ray Serve application: the same ingress path as the decision endpoints, no work.

Deployed by the benchmarks next to serve_config.yaml's applications (route ``/noop``, the same
deployment options as ``ServingIngress``), so "decision / no-op" isolates the handler's cost.
A POST body is read: receiving it is an ingress cost (with Ray's Python proxy it is a second
actor call), not the handler's.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from ray import serve
from ray.serve import Application
from starlette.requests import Request
from starlette.responses import Response

from deployments.serving.gc_tuning import YoungThreshold, tune_gc

BODY = b'{"status":"ok","app":"noop"}'


@serve.deployment(ray_actor_options={"num_cpus": 0.1}, max_ongoing_requests=256)
class NoopIngress:
    """Reads the request body (as the decision handler must) and returns :data:`BODY`."""

    def __init__(self, gc_young_threshold: int | None = None) -> None:
        if gc_young_threshold is not None:
            tune_gc(gc_young_threshold)

    async def __call__(self, request: Request) -> Response:
        if request.method == "POST":
            await request.body()
        return Response(BODY, media_type="application/json")


class NoopArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gc_young_threshold: YoungThreshold | None = None
    """As the serving app's (deployments/serving/gc_tuning.py); None: Python's defaults."""


def build_app(args: dict[str, object]) -> Application:
    """Serve builder (``bench.noop_app:build_app``)."""
    knobs = NoopArgs.model_validate(args)
    app: Application = NoopIngress.bind(  # type: ignore[attr-defined]
        gc_young_threshold=knobs.gc_young_threshold
    )
    return app
