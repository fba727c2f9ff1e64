"""HTTP ``Range`` requests on a stored file (RFC 9110 section 14), so players can seek in an MP4.

One ``bytes`` range is served as 206. As RFC 9110 allows, a header that is absent, malformed,
in another unit or asks for several ranges is ignored (200 with the whole body): players and
CDNs only ever send one range. A well-formed range that starts past the end is 416.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ads.errors import DomainError

_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)", re.ASCII)


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive of a representation of ``size`` bytes."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        """The ``Content-Length`` of the 206 response."""
        return self.end - self.start + 1

    @property
    def content_range(self) -> str:
        """The ``Content-Range`` header value of the 206 response."""
        return f"bytes {self.start}-{self.end}/{self.size}"


class RangeNotSatisfiable(DomainError):
    """416: no byte of the requested range exists; answer with ``Content-Range: bytes */size``."""

    status_code = 416
    code = "range_not_satisfiable"

    def __init__(self, size: int) -> None:
        super().__init__(f"The requested range is outside the file ({size} bytes).")
        self.size = size

    @property
    def content_range(self) -> str:
        return f"bytes */{self.size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single byte range ``header`` asks for in a file of ``size`` bytes.

    ``None`` means serve the whole file (no header, or one to ignore); raises
    :class:`RangeNotSatisfiable` for a valid range with no byte inside the file.
    Supports ``bytes=first-last``, ``bytes=first-`` and the suffix form ``bytes=-count``.
    """
    if header is None:
        return None
    unit, _, range_set = header.partition("=")
    specs = [spec.strip() for spec in range_set.split(",") if spec.strip()]
    if unit.strip().lower() != "bytes" or len(specs) != 1:
        return None
    match = _RANGE_SPEC.fullmatch(specs[0])
    if match is None:
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        count = int(last)
        if count == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        return ByteRange(start=max(size - count, 0), end=size - 1, size=size)
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable(size)
    end = min(int(last), size - 1) if last else size - 1
    return ByteRange(start=start, end=end, size=size)
