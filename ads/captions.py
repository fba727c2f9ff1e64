"""Closed captions of a creative: the WebVTT files players show with the ad.

TV ads are captioned for viewers who cannot hear them, and CTV players take captions as files
beside the video (VAST 4.1+ ``<ClosedCaptionFiles>``, one per language). An upload is WebVTT, or
SubRip (``.srt``, what most caption tools export), converted here to WebVTT. It is read as a
player's parser would read it and refused with the line that is wrong: text that is not UTF-8,
a timing that does not parse, a cue that ends before it starts or starts before the cue before
it, a cue past the ad's end (a caption nobody would see). What is stored is the WebVTT text:
UTF-8 without a byte order mark, lines ending in LF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ads.errors import DomainError

CAPTION_MIME = "text/vtt"
MAX_CAPTION_BYTES = 256 * 1024
"""An ad's captions are a few kilobytes; a bigger file is not captions for an ad."""
MAX_CUES = 2_000
MAX_CAPTION_LANGUAGES = 20
END_TOLERANCE_MS = 1_000
"""How far past the ad's end a cue may run (caption tools round the programme's length up)."""

SourceFormat = Literal["webvtt", "srt"]

_LANGUAGE = re.compile(r"([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|[0-9]{3}))?", re.ASCII)
_VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_VTT_TIMING = re.compile(rf"{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?")
_SRT_TIME = r"(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{1,3})"
_SRT_TIMING = re.compile(rf"{_SRT_TIME}[ \t]*-->[ \t]*{_SRT_TIME}(?:[ \t].*)?")
_SRT_KEPT_TAG = re.compile(r"</?[biu]>", re.IGNORECASE)
_SRT_DROPPED_MARKUP = re.compile(r"</?font\b[^>]*>|\{\\[^}]*\}", re.IGNORECASE)
"""SubRip's font tags and the ``{\\an8}`` position codes some tools write: WebVTT has neither."""


_NOT_CUES = frozenset({"NOTE", "STYLE", "REGION"})
"""WebVTT's comment, style sheet and region blocks: read past."""


class CaptionsRejected(DomainError):
    """The uploaded file is not captions a player can show with this ad."""

    status_code = 422
    code = "captions_invalid"

    def __init__(self, message: str, *, field: str = "file") -> None:
        super().__init__(message, details=[{"field": field, "message": message}])


@dataclass(frozen=True, slots=True)
class Captions:
    """An accepted caption file, as stored and served."""

    text: str
    """WebVTT, UTF-8 without BOM, LF line ends."""
    cues: int
    last_end_ms: int
    source_format: SourceFormat


def caption_language(raw: str) -> str:
    """The language tag as stored and served: an ISO 639 code with an optional script and
    region (``en``, ``es-MX``, ``zh-Hant-TW``, ``es-419``), in BCP 47's cases.
    :class:`CaptionsRejected` (field ``language``) for anything else."""
    match = _LANGUAGE.fullmatch(raw.strip().replace("_", "-").lower())
    if match is None:
        raise CaptionsRejected(
            "the language must be an ISO 639 code with an optional region,"
            f" such as en, es-MX or pt-BR; got {raw[:40]!r}",
            field="language",
        )
    language, script, region = match.groups()
    return "-".join(
        part for part in (language, script and script.title(), region and region.upper()) if part
    )


def read_captions(data: bytes, *, duration_ms: int) -> Captions:
    """``data`` (WebVTT or SubRip) checked against an ad of ``duration_ms`` and given back as
    WebVTT. :class:`CaptionsRejected` saying what is wrong, and where."""
    if len(data) > MAX_CAPTION_BYTES:
        raise CaptionsRejected(f"caption files are limited to {MAX_CAPTION_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaptionsRejected(
            f"captions must be UTF-8 text (byte {exc.start} is not): WebVTT or SubRip (.srt)"
        ) from None
    if "\x00" in text:
        raise CaptionsRejected("captions must be text: the file holds NUL bytes")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = _blocks(lines)
    if _is_webvtt_signature(lines[0]):
        return _checked_webvtt(lines, blocks, duration_ms)
    if blocks and blocks[0][1][0].strip().isdigit():  # SubRip starts with a cue number
        return _converted_srt(blocks, duration_ms)
    raise CaptionsRejected(
        "not a caption file: WebVTT starts with a WEBVTT line, SubRip with a cue number"
    )


def _is_webvtt_signature(line: str) -> bool:
    return line == "WEBVTT" or line.startswith(("WEBVTT ", "WEBVTT\t"))


_Block = tuple[int, list[str]]
"""A run of non-blank lines and the line number (1-based) it starts on."""


def _blocks(lines: list[str]) -> list[_Block]:
    """The runs of non-blank lines, each with the line number it starts on."""
    blocks: list[_Block] = []
    current: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _checked_webvtt(lines: list[str], blocks: list[_Block], duration_ms: int) -> Captions:
    header_start, header = blocks[0]
    if any("-->" in line for line in header[1:]):
        raise CaptionsRejected(
            f"line {header_start + 1}: WebVTT wants a blank line between the header and a cue"
        )
    timings = _Timings(duration_ms)
    for start, block in blocks[1:]:
        head = block[0]
        keyword = head.split(maxsplit=1)[0]
        if keyword in _NOT_CUES and "-->" not in head:
            if any("-->" in line for line in block):
                raise CaptionsRejected(f"line {start}: a {keyword} block holds '-->'")
            continue
        at = 0 if "-->" in head else 1
        if at >= len(block) or "-->" not in block[at]:
            raise CaptionsRejected(f"line {start}: a cue without a timing line")
        match = _VTT_TIMING.fullmatch(block[at])
        if match is None:
            raise CaptionsRejected(
                f"line {start + at}: the timing must read 00:00:01.000 --> 00:00:03.500,"
                f" got {block[at][:60]!r}"
            )
        for offset, line in enumerate(block[at + 1 :], start=at + 1):
            if "-->" in line:
                raise CaptionsRejected(f"line {start + offset}: cue text holds '-->'")
        timings.add(_ms(*match.groups()[:4]), _ms(*match.groups()[4:]), line=start + at)
    text = "\n".join(lines).rstrip("\n") + "\n"
    return timings.captions(text, "webvtt")


def _converted_srt(blocks: list[_Block], duration_ms: int) -> Captions:
    timings = _Timings(duration_ms)
    out = ["WEBVTT", ""]
    for start, block in blocks:
        if not block[0].strip().isdigit() or len(block) < 2:
            raise CaptionsRejected(
                f"line {start}: a SubRip cue is a number, a timing line, then its text"
            )
        match = _SRT_TIMING.fullmatch(block[1].strip())
        if match is None:
            raise CaptionsRejected(
                f"line {start + 1}: the timing must read 00:00:01,000 --> 00:00:03,500,"
                f" got {block[1][:60]!r}"
            )
        begin, end = _ms(*match.groups()[:4]), _ms(*match.groups()[4:])
        timings.add(begin, end, line=start + 1)
        out += [
            block[0].strip(),
            f"{_vtt_time(begin)} --> {_vtt_time(end)}",
            *(_webvtt_text(line) for line in block[2:]),
            "",
        ]
    return timings.captions("\n".join(out), "srt")


class _Timings:
    """The cues' times, checked one by one against each other and the ad's length."""

    def __init__(self, duration_ms: int) -> None:
        self._duration_ms = duration_ms
        self._cues = 0
        self._last_start = 0
        self._last_end = 0

    def add(self, start: int, end: int, *, line: int) -> None:
        if end <= start:
            raise CaptionsRejected(f"line {line}: the cue ends at or before its start")
        if start < self._last_start:
            raise CaptionsRejected(f"line {line}: the cue starts before the cue above it")
        if start >= self._duration_ms or end > self._duration_ms + END_TOLERANCE_MS:
            raise CaptionsRejected(
                f"line {line}: the cue runs to {_vtt_time(end)}, past the ad's end at"
                f" {_vtt_time(self._duration_ms)}"
            )
        self._cues += 1
        if self._cues > MAX_CUES:
            raise CaptionsRejected(f"line {line}: more than {MAX_CUES} cues")
        self._last_start, self._last_end = start, max(end, self._last_end)

    def captions(self, text: str, source: SourceFormat) -> Captions:
        if not self._cues:
            raise CaptionsRejected("the file holds no cues")
        return Captions(
            text=text, cues=self._cues, last_end_ms=self._last_end, source_format=source
        )


def _ms(hours: str | None, minutes: str, seconds: str, fraction: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(
        fraction.ljust(3, "0")
    )


def _vtt_time(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _webvtt_text(line: str) -> str:
    """A SubRip text line as WebVTT cue text: its bold/italic/underline tags kept, font tags
    and position codes dropped, every other ``&``, ``<`` and ``>`` escaped (WebVTT would read
    them as markup)."""
    line = _SRT_DROPPED_MARKUP.sub("", line)
    pieces, last = [], 0
    for tag in _SRT_KEPT_TAG.finditer(line):
        pieces += [_escaped(line[last : tag.start()]), tag.group().lower()]
        last = tag.end()
    pieces.append(_escaped(line[last:]))
    return "".join(pieces)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
