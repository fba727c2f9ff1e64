"""Receive a ``multipart/form-data`` upload with one file part, streamed straight to disk.

The file part goes to a temporary file in batches of about 1 MiB (written from a worker thread),
so an upload is never held whole in memory; reading stops as soon as the file passes its byte
limit. Whatever happens, the temporary file is removed when the ``async with`` block ends.
Client-supplied file names are never used.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from ads.errors import InvalidInput
from media.errors import TooLarge

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

_WRITE_BATCH_BYTES = 1 << 20
_MAX_TEXT_BYTES = 4096


@dataclass(frozen=True, slots=True)
class ReceivedForm:
    """The text fields of the form and the temporary copy of its file part."""

    fields: dict[str, str]
    file: Path
    file_bytes: int


@asynccontextmanager
async def receive_form(
    chunks: AsyncIterable[bytes],
    *,
    content_type: str,
    file_field: str,
    text_fields: Collection[str],
    max_file_bytes: int,
) -> AsyncIterator[ReceivedForm]:
    """Parse the form from the body ``chunks`` while writing its file part to a temporary file.

    Every field is required and no other is accepted. Raises :class:`TooLarge` (413) once the
    file exceeds ``max_file_bytes``, and :class:`InvalidInput` (422, ``details`` naming the
    fields) for a body that is not such a form.
    """
    boundary = _boundary(content_type)
    handle, name = await asyncio.to_thread(tempfile.mkstemp, prefix="ctv-upload-")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            reader = _FormReader(
                file_field=file_field, text_fields=text_fields, max_file_bytes=max_file_bytes
            )
            await _parse(chunks, boundary=boundary, reader=reader, file=file)
        yield ReceivedForm(fields=reader.fields, file=path, file_bytes=reader.file_bytes)
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


def _boundary(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InvalidInput("send the upload as multipart/form-data")
    return boundary


async def _parse(
    chunks: AsyncIterable[bytes], *, boundary: bytes, reader: _FormReader, file: BinaryIO
) -> None:
    try:
        parser = MultipartParser(boundary, reader.callbacks())
        async for chunk in chunks:
            parser.write(chunk)
            if reader.pending_bytes >= _WRITE_BATCH_BYTES:
                await asyncio.to_thread(file.writelines, reader.take_pending())
        parser.finalize()
    except FormParserError as exc:
        raise InvalidInput(f"the multipart body is malformed: {exc}") from exc
    await asyncio.to_thread(file.writelines, reader.take_pending())
    if not reader.ended:
        raise InvalidInput("the multipart body ended before its closing boundary")
    reader.check_complete()


def _size(limit: int) -> str:
    """``100 MB`` for an upload limit, ``256 KiB`` for a small one counted in KiB."""
    if limit < 1_000_000 and limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit / 1e6:g} MB"


def _field_error(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": field_name, "message": message}])


@dataclass(slots=True)
class _FormReader:
    """Callbacks for python-multipart's push parser; raises as soon as a rule is broken."""

    file_field: str
    text_fields: Collection[str]
    max_file_bytes: int
    fields: dict[str, str] = field(default_factory=dict)
    file_bytes: int = 0
    has_file: bool = False
    ended: bool = False
    _pending: list[bytes] = field(default_factory=list)
    pending_bytes: int = 0
    _header_name: bytes = b""
    _header_value: bytes = b""
    _disposition: bytes = b""
    _part: str | None = None
    _text: bytearray = field(default_factory=bytearray)

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_end": self._end,
        }

    def take_pending(self) -> list[bytes]:
        pending, self._pending, self.pending_bytes = self._pending, [], 0
        return pending

    def check_complete(self) -> None:
        missing = [f for f in self.text_fields if f not in self.fields]
        if not self.has_file:
            missing.append(self.file_field)
        if missing:
            message = f"missing form field(s): {', '.join(missing)}"
            raise InvalidInput(
                message, details=[{"field": f, "message": "field required"} for f in missing]
            )

    def _part_begin(self) -> None:
        self._disposition, self._part = b"", None
        self._text.clear()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"").decode("latin-1")
        is_file = b"filename" in options
        if name == self.file_field:
            if not is_file:
                raise _field_error(name, f"'{name}' must be a file part")
            if self.has_file:
                raise _field_error(name, f"send only one '{name}' file")
            self.has_file = True
        elif name in self.text_fields:
            if is_file:
                raise _field_error(name, f"'{name}' must be a text field, not a file")
            if name in self.fields:
                raise _field_error(name, f"send '{name}' only once")
        else:
            raise _field_error(name or "body", f"unexpected form field {name!r}")
        self._part = name

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part == self.file_field:
            self.file_bytes += end - start
            if self.file_bytes > self.max_file_bytes:
                raise TooLarge(
                    f"The file is over the upload limit of {_size(self.max_file_bytes)}.",
                    details={"max_bytes": self.max_file_bytes},
                )
            self._pending.append(data[start:end])
            self.pending_bytes += end - start
            return
        self._text += data[start:end]
        if len(self._text) > _MAX_TEXT_BYTES:
            message = f"'{self._part}' is longer than {_MAX_TEXT_BYTES} bytes"
            raise _field_error(str(self._part), message)

    def _part_end(self) -> None:
        if self._part is None or self._part == self.file_field:
            return
        try:
            self.fields[self._part] = self._text.decode("utf-8")
        except UnicodeDecodeError:
            raise _field_error(self._part, f"'{self._part}' is not valid UTF-8") from None

    def _end(self) -> None:
        self.ended = True
