"""``GET``/``HEAD /media/{key}``: stored creatives from the local object store, seekable.

One byte range per request (RFC 9110): 206 with ``Content-Range``, 416 with
``Content-Range: bytes */size`` when nothing of it exists, 200 for the whole file. Bodies are
streamed from disk in chunks. Keys never repeat, so answers are cacheable for a year. With
``OBJECT_STORE=s3`` players fetch from S3/CloudFront and this route answers 404.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from config.settings import Settings
from deployments.http_errors import error_body
from media.http_range import RangeNotSatisfiable, parse_range
from storage.object_store import LocalObjectStore, ObjectNotFound, validate_key

PREFIX = "/media/"
_CHUNK_BYTES = 256 * 1024
_CACHE = "public, max-age=31536000, immutable"


def _json(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(error_body(code, message)),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


class MediaFiles:
    """Serves the files of ``store`` (``None`` when creatives live elsewhere)."""

    def __init__(self, store: LocalObjectStore | None) -> None:
        self._store = store

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaFiles:
        if settings.object_store != "local":
            return cls(None)
        return cls(LocalObjectStore(settings.media_path, settings.public_base_url))

    async def __call__(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return _json(405, "method_not_allowed", "use GET or HEAD", {"Allow": "GET, HEAD"})
        key, store = request.scope["path"].removeprefix(PREFIX), self._store
        if store is None:
            return _json(404, "not_found", "media files are not served here")
        try:
            size = await asyncio.to_thread(store.size, validate_key(key))
        except (ValueError, ObjectNotFound):
            return _json(404, "not_found", "no such media file")
        try:
            byte_range = parse_range(request.headers.get("range"), size)
        except RangeNotSatisfiable as exc:
            headers = {"Accept-Ranges": "bytes", "Content-Range": exc.content_range}
            return _json(exc.status_code, exc.code, exc.message, headers)
        headers = {
            "Accept-Ranges": "bytes",
            "Access-Control-Allow-Origin": "*",
            "Cache-Control": _CACHE,
            "Content-Type": mimetypes.guess_type(key)[0] or "application/octet-stream",
        }
        status, start, end = 200, 0, size - 1
        if byte_range is not None:
            status, start, end = 206, byte_range.start, byte_range.end
            headers["Content-Range"] = byte_range.content_range
        headers["Content-Length"] = str(end - start + 1)
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers)
        chunks = store.iter_range(key, start=start, end=end, chunk_size=_CHUNK_BYTES)
        return StreamingResponse(chunks, status_code=status, headers=headers)
