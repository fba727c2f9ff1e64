from __future__ import annotations

import pytest

from media.http_range import ByteRange, RangeNotSatisfiable, parse_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, 999),
        ("bytes=-500", 500, 999),
        ("bytes=-5000", 0, 999),
        ("bytes=990-5000", 990, 999),
        ("bytes=999-999", 999, 999),
        ("Bytes=0-0", 0, 0),
        (" bytes=0-1, ", 0, 1),
    ],
)
def test_single_byte_ranges(header: str, start: int, end: int) -> None:
    assert parse_range(header, SIZE) == ByteRange(start=start, end=end, size=SIZE)


def test_range_gives_206_headers() -> None:
    byte_range = parse_range("bytes=100-199", SIZE)

    assert byte_range is not None
    assert byte_range.length == 100
    assert byte_range.content_range == "bytes 100-199/1000"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=",
        "bytes=-",
        "bytes=abc-",
        "bytes=5-2",
        "bytes=0-1,5-9",
        "items=0-9",
        "bytes 0-9",
        "bytes=0x10-",
        "bytes=+1-2",
        "bytes=\u0661-2",
        "bytes=1 -2",
    ],
)
def test_malformed_or_multi_range_headers_are_ignored(header: str | None) -> None:
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize(
    ("header", "size"),
    [("bytes=1000-", 1000), ("bytes=5000-6000", 1000), ("bytes=-0", 1000), ("bytes=0-", 0)],
)
def test_unsatisfiable_ranges_are_416(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable) as caught:
        parse_range(header, size)

    assert caught.value.status_code == 416
    assert caught.value.content_range == f"bytes */{size}"
    assert caught.value.to_body()["error"]["code"] == "range_not_satisfiable"
