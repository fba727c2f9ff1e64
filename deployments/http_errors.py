"""JSON error bodies shared by the Serve applications: ``{"error": {"code", "message", ...}}``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ads.errors import DomainError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


DISCARD_MAX_BYTES = 16 * 1024 * 1024
DISCARD_SECONDS = 5.0


def within(declared: str, limit: int) -> bool:
    """Whether a Content-Length header says a whole number of bytes up to ``limit`` (plain
    ASCII digits: ``str.isdigit`` also takes ``²``, which ``int`` refuses)."""
    return declared.isascii() and declared.isdigit() and int(declared) <= limit


async def discard_body(
    receive: Receive,
    *,
    declared: str | None,
    max_bytes: int = DISCARD_MAX_BYTES,
    seconds: float = DISCARD_SECONDS,
) -> None:
    """Read and drop what is left of a refused request body (at most ``max_bytes``, for at most
    ``seconds``) before the error goes out. A server that closes a connection with request bytes
    still unread sends a TCP reset, which can destroy its own 413 before the client reads it.
    A body declared (Content-Length) larger than ``max_bytes`` is answered at once."""
    if declared is not None and not within(declared, max_bytes):
        return

    async def drain() -> None:
        left = max_bytes
        while left > 0:
            message = await receive()
            if message["type"] != "http.request":
                return
            left -= len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(drain(), seconds)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part != "body"]
        details.append(
            {
                "field": ".".join(loc) or "body",
                "message": err.get("msg", "invalid"),
                "type": err.get("type"),
            }
        )
    return details


NUL = "\x00"
_NUL_ERROR = "must not contain the NUL character (U+0000)"


def _nul_paths(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Where a parsed JSON ``value`` holds a NUL character, in a key or a string."""
    if isinstance(value, str):
        return [path] if NUL in value else []
    if isinstance(value, dict):
        found = [(*path, key) for key in value if NUL in key]
        for key, item in value.items():
            found += _nul_paths(item, (*path, key))
        return found
    if isinstance(value, list):
        return [
            found for at, item in enumerate(value) for found in _nul_paths(item, (*path, str(at)))
        ]
    return []


async def refuse_nul_characters(request: Request) -> None:
    """A FastAPI dependency: PostgreSQL text cannot hold U+0000, so a query parameter or JSON
    body holding one is refused (422 naming each field) before anything reads it."""
    errors = [
        {"loc": ("query", name), "msg": _NUL_ERROR, "type": "string_nul"}
        for name, value in request.query_params.multi_items()
        if NUL in name or NUL in value
    ]
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        if b"\\u0000" in body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None  # malformed: the route's own parse says so
            errors += [
                {"loc": ("body", *path), "msg": _NUL_ERROR, "type": "string_nul"}
                for path in _nul_paths(parsed)
            ]
    if errors:
        raise RequestValidationError(errors)


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as JSON with a stable code; nothing leaks as a bare 500 page."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(exc.to_body(), status_code=exc.status_code, headers=exc.headers())

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        if any(d["type"] == "json_invalid" for d in details):
            return JSONResponse(
                error_body("malformed_json", "request body is not valid JSON", details), 422
            )
        return JSONResponse(error_body("invalid_input", "request validation failed", details), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code, headers=exc.headers)


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with 413 before reading them."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, overrides: dict[str, int] | None = None
    ) -> None:
        self._app = app
        self._max = max_bytes
        self._overrides = overrides or {}

    def _limit_for(self, path: str) -> int:
        for suffix, limit in self._overrides.items():
            if path.endswith(suffix):
                return limit
        return self._max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit = self._limit_for(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        raw_declared = headers.get(b"content-length")
        declared = None if raw_declared is None else raw_declared.decode("latin-1")
        if declared is not None and not within(declared, limit):
            await discard_body(receive, declared=declared)
            await _send_too_large(send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self._app(scope, limited_receive, send)
        except* _BodyTooLarge:  # BaseHTTPMiddleware re-raises inside an ExceptionGroup
            await discard_body(receive, declared=declared)
            await _send_too_large(send, limit)


class _BodyTooLarge(Exception):
    pass


async def _send_too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        error_body("payload_too_large", f"request body exceeds {limit} bytes")
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
