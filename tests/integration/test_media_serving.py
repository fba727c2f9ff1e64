"""``/media/{key}`` on the serving app: the stored original, byte-exact, with Range support."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from media.synthetic import write_synthetic_video
from tests.stack_fixtures import Stack


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("media-serving") / "clip.mp4"
    return write_synthetic_video(path, width=640, height=360, duration_s=2).read_bytes()


@pytest.fixture(scope="module")
def media_url(stack: Stack, admin_token: str, source: bytes) -> str:
    """The public URL of an uploaded original (its bytes are ``source``)."""
    with httpx.Client(
        base_url=stack.admin_url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60
    ) as api:
        now = datetime.now(UTC)
        campaign = api.post(
            "/campaigns",
            json={
                "name": f"Media {uuid.uuid4().hex[:6]}",
                "budget_total": 100,
                "cpm": 5,
                "start_date": now.isoformat(),
                "end_date": (now + timedelta(days=7)).isoformat(),
            },
        ).json()["campaign"]
        answer = api.post(
            f"/campaigns/{campaign['id']}/creatives",
            data={"name": "Range test"},
            files={"video": ("clip.mp4", source, "video/mp4")},
        )
    assert answer.status_code == 201, answer.text
    url: str = answer.json()["creative"]["url"]
    return url


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def test_whole_file(http: httpx.Client, media_url: str, source: bytes) -> None:
    answer = http.get(media_url)

    assert answer.status_code == 200
    assert answer.content == source
    assert answer.headers["content-type"] == "video/mp4"
    assert answer.headers["content-length"] == str(len(source))
    assert answer.headers["accept-ranges"] == "bytes"
    assert "immutable" in answer.headers["cache-control"]


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=-500", -500, -1),
        ("bytes=-10", -10, -1),
        ("bytes=100-", 100, -1),
        ("bytes=0-0", 0, 0),
    ],
)
def test_ranges_answer_206_with_the_exact_bytes(
    http: httpx.Client, media_url: str, source: bytes, header: str, first: int, last: int
) -> None:
    size = len(source)
    start, end = first % size, last % size

    answer = http.get(media_url, headers={"Range": header})

    assert answer.status_code == 206
    assert answer.content == source[start : end + 1]
    assert answer.headers["content-range"] == f"bytes {start}-{end}/{size}"
    assert answer.headers["content-length"] == str(end - start + 1)
    assert answer.headers["content-type"] == "video/mp4"
    assert answer.headers["accept-ranges"] == "bytes"


def test_range_past_the_end_is_clipped(http: httpx.Client, media_url: str, source: bytes) -> None:
    size = len(source)
    answer = http.get(media_url, headers={"Range": f"bytes={size - 5}-{size + 1000}"})
    assert answer.status_code == 206
    assert answer.content == source[-5:]
    assert answer.headers["content-range"] == f"bytes {size - 5}-{size - 1}/{size}"


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{size_plus}", "bytes=-0"])
def test_unsatisfiable_range_is_416(
    http: httpx.Client, media_url: str, source: bytes, header: str
) -> None:
    size = len(source)
    answer = http.get(media_url, headers={"Range": header.format(size=size, size_plus=size + 10)})

    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{size}"
    assert answer.json()["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize("header", ["bytes=10-5", "bytes=0-1,5-9", "items=0-5", "bytes=abc"])
def test_ranges_to_ignore_get_the_whole_file(
    http: httpx.Client, media_url: str, source: bytes, header: str
) -> None:
    answer = http.get(media_url, headers={"Range": header})
    assert answer.status_code == 200
    assert answer.content == source


def test_head_gives_the_headers_without_a_body(
    http: httpx.Client, media_url: str, source: bytes
) -> None:
    whole = http.head(media_url)
    part = http.head(media_url, headers={"Range": "bytes=10-19"})

    assert whole.status_code == 200 and whole.content == b""
    assert whole.headers["content-length"] == str(len(source))
    assert whole.headers["content-type"] == "video/mp4"
    assert part.status_code == 206 and part.content == b""
    assert part.headers["content-range"] == f"bytes 10-19/{len(source)}"
    assert part.headers["content-length"] == "10"


@pytest.mark.parametrize(
    "path",
    [
        "/media/creatives/missing.mp4",
        "/media/",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/creatives/..%2f..%2f..%2fetc%2fpasswd",
        "/media//etc/passwd",
        "/media/creatives/%00.mp4",
        "/media/.upload-x",
    ],
)
def test_unknown_or_unsafe_keys_are_404(stack: Stack, http: httpx.Client, path: str) -> None:
    answer = http.get(f"{stack.base_url}{path}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_only_get_and_head(http: httpx.Client, media_url: str) -> None:
    answer = http.post(media_url, content=b"x")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD"


def test_the_file_is_where_the_store_put_it(stack: Stack, media_url: str, source: bytes) -> None:
    key = media_url.removeprefix(f"{stack.base_url}/media/")
    assert (Path(stack.env["DATA_DIR"]) / "media" / key).read_bytes() == source
