"""A no-op Ray Serve application: the same ingress path as the decision endpoints, no work.

Deployed by the benchmarks next to serve_config.yaml's applications (route ``/noop``, the same
deployment options as ``ServingIngress``), so "decision / no-op" isolates the handler's cost.
A POST body is read: receiving it is an ingress cost (with Ray's Python proxy it is a second
actor call), not the handler's.
"""

from __future__ import annotations

from ray import serve
from ray.serve import Application
from starlette.requests import Request
from starlette.responses import Response

BODY = b'{"status":"ok","app":"noop"}'


@serve.deployment(ray_actor_options={"num_cpus": 0.1}, max_ongoing_requests=256)
class NoopIngress:
    """Reads the request body (as the decision handler must) and returns :data:`BODY`."""

    async def __call__(self, request: Request) -> Response:
        if request.method == "POST":
            await request.body()
        return Response(BODY, media_type="application/json")


def build_app(args: dict[str, object]) -> Application:
    """Serve builder (``bench.noop_app:build_app``); takes no arguments."""
    app: Application = NoopIngress.bind()  # type: ignore[attr-defined]
    return app
