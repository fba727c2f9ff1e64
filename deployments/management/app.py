"""The management application: FastAPI behind Ray Serve at ``/api/v1/admin``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from ray import serve
from ray.serve import Application
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, OperationalError

from actors.catalog_sync import ensure_catalog_sync
from actors.creative_processor import ensure_creative_processor
from ads.auth import hash_password
from config.settings import Settings, get_settings
from deployments.http_errors import (
    BodyLimit,
    error_body,
    install_error_handlers,
    refuse_nul_characters,
)
from deployments.management import (
    analytics_routes,
    api_key_routes,
    auth_routes,
    campaign_routes,
    creative_routes,
    event_log_routes,
    notification_routes,
    user_routes,
)
from deployments.management.state import ManagementState
from storage import users

logger = logging.getLogger(__name__)


async def bootstrap_admin(state: ManagementState) -> None:
    """Create the first admin from ADMIN_EMAIL / ADMIN_PASSWORD unless that user exists (admins
    add the rest of the team through ``/users``)."""
    password = state.settings.admin_password
    if password is None:
        logger.warning("ADMIN_PASSWORD is not set: no admin is bootstrapped")
        return
    async with state.sessions() as session:
        if await users.get_by_email(session, state.settings.admin_email) is None:
            password_hash = await asyncio.to_thread(hash_password, password.get_secret_value())
            await users.ensure_admin(
                session, email=state.settings.admin_email, password_hash=password_hash
            )
            await session.commit()


# Headroom over the upload limit for the multipart framing and the name field, wide enough
# that the upload's own limit (checked on the file part as it streams) always answers first.
_UPLOAD_HEADROOM_BYTES = 4 << 20


def create_api(settings: Settings | None = None, *, start_actors: bool = True) -> FastAPI:
    """The FastAPI app; its lifespan builds the replica's clients and starts the actors it
    relies on (catalog sync, creative processor: created if missing)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = ManagementState.build(settings)
        app.state.management = state
        await bootstrap_admin(state)
        if start_actors:
            ensure_catalog_sync()
            ensure_creative_processor()
        try:
            yield
        finally:
            await state.close()

    app = FastAPI(
        dependencies=[Depends(refuse_nul_characters)],
        title="CTV Ad Server — management API",
        version="1",
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
    )
    install_error_handlers(app)

    @app.exception_handler(RedisError)
    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        if _data_exception(exc):  # the value, not the database: no retry will help
            logger.warning("refused a value the database cannot store: %s", exc)
            return JSONResponse(
                error_body("invalid_input", "a value in the request cannot be stored"), 422
            )
        logger.error("storage unavailable: %s", exc, exc_info=exc)
        return JSONResponse(
            error_body("unavailable", "a storage backend is unavailable; retry shortly"), 503
        )

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal_error", "unexpected server error"), 500)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.include_router(auth_routes.router)
    app.include_router(campaign_routes.router)
    app.include_router(creative_routes.router)
    app.include_router(analytics_routes.router)
    app.include_router(event_log_routes.router)
    app.include_router(user_routes.router)
    app.include_router(api_key_routes.router)
    app.include_router(notification_routes.router)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_json_body_bytes,
        overrides={"/creatives": settings.max_upload_bytes + _UPLOAD_HEADROOM_BYTES},
    )
    return app


def _data_exception(exc: Exception) -> bool:
    """Whether PostgreSQL refused a value (SQLSTATE class 22: out of range, not valid text)."""
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith("22")


@serve.deployment(ray_actor_options={"num_cpus": 0.1}, max_ongoing_requests=32)
@serve.ingress(create_api)
class ManagementApi:
    """Thin Serve wrapper; all behaviour lives in the FastAPI routes."""


class ManagementArgs(BaseModel):
    """Application args from serve_config.yaml (none yet; unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid")


def build_app(args: dict[str, object]) -> Application:
    """Serve builder named by serve_config.yaml (``deployments.management.app:build_app``)."""
    ManagementArgs.model_validate(args)
    app: Application = ManagementApi.bind()  # type: ignore[attr-defined]
    return app
