"""Cross-origin headers for the player API.

Browser players read our answers from another origin. Google's IMA SDK for HTML5 (behind most
web and smart-TV web players) sends its VAST requests with credentials, and a browser refuses a
credentialed answer whose ``Access-Control-Allow-Origin`` is ``*``: such requests get their own
``Origin`` back with ``Access-Control-Allow-Credentials: true``. The player API sets no cookies
and reads none, so echoing an origin shares nothing a wildcard would not.
"""

from __future__ import annotations

from collections.abc import Iterable

Headers = list[tuple[bytes, bytes]]

_VARY = (b"vary", b"Origin")
ANY_ORIGIN: Headers = [(b"access-control-allow-origin", b"*"), _VARY]
"""For requests without a (well-formed) ``Origin``: native players, servers, curl."""
_MAX_ORIGIN_BYTES = 512


def cors_headers(request_headers: Iterable[tuple[bytes, bytes]]) -> Headers:
    """The CORS headers of the answer to a request with these (ASGI, lower-case) headers."""
    for name, value in request_headers:
        if name == b"origin":
            if _is_origin(value):
                return [
                    (b"access-control-allow-origin", value),
                    (b"access-control-allow-credentials", b"true"),
                    _VARY,
                ]
            break
    return ANY_ORIGIN


def _is_origin(value: bytes) -> bool:
    """One serialized origin (``scheme://host[:port]``) or ``null``, as browsers send it."""
    if value == b"null":
        return True
    scheme, sep, host = value.partition(b"://")
    return (
        bool(sep and scheme and host)
        and len(value) <= _MAX_ORIGIN_BYTES
        and value.isascii()
        and scheme.isalpha()
        and not any(c in host for c in b" ,/\t")
    )
