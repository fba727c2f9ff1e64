"""The streaming multipart reader behind creative uploads: limits, required fields, clean-up."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Callable
from pathlib import Path

import pytest

from ads.errors import InvalidInput
from deployments.management.uploads import ReceivedForm, receive_form
from media.errors import TooLarge

VIDEO = bytes(range(256)) * 4096  # 1 MiB
BOUNDARY = "----test-boundary-7MA4YWxkTrZu0gW"


@pytest.fixture(autouse=True)
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Upload temp files land here, so a test can see that none is left behind."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def form(
    data: dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes]] | None = None,
) -> tuple[bytes, str]:
    """The body and Content-Type header of this ``multipart/form-data`` form."""
    parts: list[tuple[str, str | None, bytes]] = [
        (name, None, value.encode(errors="surrogateescape")) for name, value in (data or {}).items()
    ]
    parts += [(name, filename, content) for name, (filename, content) in (files or {}).items()]
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode(), f"multipart/form-data; boundary={BOUNDARY}"


async def chunked(body: bytes, size: int = 65_536) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def left_in(directory: Path) -> list[Path]:
    return list(directory.iterdir())


def contents(received: ReceivedForm) -> tuple[dict[str, str], bytes]:
    assert received.file_bytes == received.file.stat().st_size
    return received.fields, received.file.read_bytes()


async def receive(
    chunks: AsyncIterable[bytes],
    content_type: str,
    *,
    max_file_bytes: int = 10 * len(VIDEO),
    then: Callable[[ReceivedForm], tuple[dict[str, str], bytes]] = contents,
) -> tuple[dict[str, str], bytes]:
    """Receive the form and hand it to ``then`` while its temporary file exists."""
    async with receive_form(
        chunks,
        content_type=content_type,
        file_field="video",
        text_fields=("name",),
        max_file_bytes=max_file_bytes,
    ) as received:
        return then(received)


@pytest.mark.parametrize("chunk", [1, 7, 65_536, 4 << 20])
async def test_streams_the_file_part_to_disk_whatever_the_chunking(
    temp_dir: Path, chunk: int
) -> None:
    video = VIDEO if chunk > 1 else VIDEO[:5000]
    body, content_type = form({"name": " 🎬 ../../etc/passwd "}, {"video": ("../../x.mp4", video)})

    fields, stored = await receive(chunked(body, chunk), content_type)

    assert fields == {"name": " 🎬 ../../etc/passwd "}
    assert stored == video
    assert left_in(temp_dir) == []


async def test_stops_reading_once_the_file_passes_the_limit(temp_dir: Path) -> None:
    body, content_type = form({"name": "spot"}, {"video": ("spot.mp4", VIDEO)})
    consumed = 0

    async def counting() -> AsyncIterator[bytes]:
        nonlocal consumed
        async for chunk in chunked(body, 1000):
            consumed += len(chunk)
            yield chunk

    with pytest.raises(TooLarge) as caught:
        await receive(counting(), content_type, max_file_bytes=100_000)

    assert caught.value.status_code == 413
    assert "upload limit of 0.1 MB" in caught.value.message
    assert consumed < 102_000
    assert left_in(temp_dir) == []


async def test_a_file_exactly_at_the_limit_is_accepted() -> None:
    body, content_type = form({"name": "spot"}, {"video": ("spot.mp4", VIDEO)})
    _, stored = await receive(chunked(body), content_type, max_file_bytes=len(VIDEO))
    assert stored == VIDEO


async def test_temp_file_is_removed_when_the_caller_fails(temp_dir: Path) -> None:
    body, content_type = form({"name": "spot"}, {"video": ("spot.mp4", VIDEO)})

    def probe(received: ReceivedForm) -> tuple[dict[str, str], bytes]:
        assert received.file.exists()
        raise RuntimeError("probe failed")

    with pytest.raises(RuntimeError, match="probe failed"):
        await receive(chunked(body), content_type, then=probe)
    assert left_in(temp_dir) == []


@pytest.mark.parametrize(
    ("data", "files", "fields"),
    [
        ({}, {"video": ("a.mp4", b"x")}, ["name"]),
        ({"name": "spot"}, None, ["video"]),
        ({}, None, ["name", "video"]),
        ({"name": "spot", "video": "not a file"}, None, ["video"]),
        ({"name": "spot"}, {"video": ("a.mp4", b"x"), "name2": ("b.mp4", b"y")}, ["name2"]),
        ({"name": "spot", "extra": "1"}, {"video": ("a.mp4", b"x")}, ["extra"]),
    ],
)
async def test_missing_or_unexpected_fields_are_422_naming_them(
    temp_dir: Path,
    data: dict[str, str],
    files: dict[str, tuple[str, bytes]] | None,
    fields: list[str],
) -> None:
    body, content_type = form(data, files)
    with pytest.raises(InvalidInput) as caught:
        await receive(chunked(body), content_type)
    assert caught.value.status_code == 422
    assert [d["field"] for d in caught.value.details] == fields
    assert left_in(temp_dir) == []


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"name": "x"}', "application/json", "multipart/form-data"),
        (b"--b\r\n", "multipart/form-data", "multipart/form-data"),
        (b"garbage", "multipart/form-data; boundary=b", "malformed"),
        (b"--x", f"multipart/form-data; boundary={'b' * 300}", "malformed"),
    ],
)
async def test_bodies_that_are_not_a_form_are_422(
    temp_dir: Path, body: bytes, content_type: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await receive(chunked(body), content_type)
    assert left_in(temp_dir) == []


async def test_a_body_cut_short_is_422(temp_dir: Path) -> None:
    body, content_type = form({"name": "spot"}, {"video": ("spot.mp4", VIDEO)})
    with pytest.raises(InvalidInput, match="ended before"):
        await receive(chunked(body[: len(body) // 2]), content_type)
    assert left_in(temp_dir) == []


async def test_invalid_utf8_name_is_422() -> None:
    body, content_type = form({"name": "\udcff"}, {"video": ("a.mp4", b"x")})
    with pytest.raises(InvalidInput, match="UTF-8"):
        await receive(chunked(body), content_type)
