"""What a server reads of a refused request body before it answers 413 and closes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from deployments.http_errors import discard_body, within


class Channel:
    """An ASGI ``receive`` over a list of body chunks; waits forever once they are used up."""

    def __init__(self, chunks: list[bytes], *, complete: bool = True) -> None:
        self.chunks = chunks
        self.complete = complete
        self.read = 0

    async def __call__(self) -> dict[str, Any]:
        if self.read == len(self.chunks):
            await asyncio.Event().wait()
        chunk = self.chunks[self.read]
        self.read += 1
        last = self.complete and self.read == len(self.chunks)
        return {"type": "http.request", "body": chunk, "more_body": not last}


def test_reads_the_whole_body_when_it_is_small_enough() -> None:
    channel = Channel([b"x" * 1000] * 5)
    asyncio.run(discard_body(channel, declared="5000"))
    assert channel.read == 5


def test_a_chunked_body_is_read_up_to_the_cap() -> None:
    channel = Channel([b"x" * 1000] * 10, complete=False)
    asyncio.run(discard_body(channel, declared=None, max_bytes=3000))
    assert channel.read == 3


def test_a_body_declared_over_the_cap_is_not_waited_for() -> None:
    channel = Channel([b"x"])
    asyncio.run(discard_body(channel, declared="200000000", max_bytes=1000))
    asyncio.run(discard_body(channel, declared="12abc", max_bytes=1000))
    assert channel.read == 0


def test_a_client_that_stops_sending_is_given_up_on() -> None:
    channel = Channel([b"x" * 10], complete=False)
    asyncio.run(discard_body(channel, declared="1000", seconds=0.05))
    assert channel.read == 1


def test_stops_at_a_disconnect() -> None:
    calls = 0

    async def disconnected() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        return {"type": "http.disconnect"}

    asyncio.run(discard_body(disconnected, declared=None, seconds=1))
    assert calls == 1


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("0", True),
        ("100", True),
        ("101", False),
        ("", False),
        ("-1", False),
        ("1e2", False),
        (" 10", False),
        ("\u00b2", False),  # '²': str.isdigit() says yes, int() refuses it
        ("\u0663", False),  # Arabic-Indic 3: a digit to Python, not to HTTP
    ],
)
def test_a_content_length_is_plain_ascii_digits_up_to_the_limit(
    declared: str, expected: bool
) -> None:
    assert within(declared, 100) is expected
