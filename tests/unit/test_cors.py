"""CORS headers of the player API: credentialed browser requests get their origin back."""

from __future__ import annotations

import pytest

from deployments.serving.cors import ANY_ORIGIN, cors_headers


def headers_for(origin: bytes | None) -> dict[bytes, bytes]:
    request = [(b"host", b"ads.example.com"), (b"accept", b"*/*")]
    if origin is not None:
        request.append((b"origin", origin))
    return dict(cors_headers(request))


@pytest.mark.parametrize(
    "origin", [b"https://player.example.com", b"http://127.0.0.1:8080", b"app://tizen", b"null"]
)
def test_a_browser_origin_is_echoed_with_credentials(origin: bytes) -> None:
    assert headers_for(origin) == {
        b"access-control-allow-origin": origin,
        b"access-control-allow-credentials": b"true",
        b"vary": b"Origin",
    }


@pytest.mark.parametrize(
    "origin",
    [
        None,
        b"",
        b"https://a.example, https://b.example",
        b"https://a.example/path",
        b"javascript:alert(1)",
        b"https://" + b"a" * 600 + b".example",
        "https://é.example".encode(),
        b"://no-scheme.example",
        b"ht tp://space.example",
    ],
)
def test_no_or_a_malformed_origin_gets_the_wildcard_without_credentials(
    origin: bytes | None,
) -> None:
    assert headers_for(origin) == dict(ANY_ORIGIN)
    assert b"access-control-allow-credentials" not in headers_for(origin)
