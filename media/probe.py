"""Validate an uploaded creative by its bytes and describe it.

The checks run from cheap to expensive, and each failure is a typed :class:`MediaRejected`:
size limit; ISO-BMFF ``ftyp`` box with an MP4 brand (QuickTime, WebM/Matroska and anything
else refused); a walk of the top-level boxes, which must tile the file exactly (a truncated
upload leaves a box running past the end) and hold a ``moov`` and an ``mdat``; then PyAV
demuxes every packet without decoding (a sample table that points past the data is caught by
counting packets) and decodes the first video frame. A 30 s 1080p file probes in tens of ms.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
from av.stream import Disposition
from av.video.stream import VideoStream

from media.errors import Corrupt, NotMp4, NoVideo, TooLarge, TooLong

MP4_MIME = "video/mp4"
MP4_BRANDS = frozenset(
    {
        "isom",
        "iso2",
        "iso3",
        "iso4",
        "iso5",
        "iso6",
        "iso7",
        "iso8",
        "iso9",
        "mp41",
        "mp42",
        "mp71",
        "avc1",
        "dash",
        "msdh",
        "msix",
        "cmfc",
        "M4V ",
        "M4VH",
        "M4VP",
    }
)
_QUICKTIME_BRAND = "qt  "
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_MAX_TOP_LEVEL_BOXES = 100_000


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a valid MP4 creative holds; ``audio_codec`` is None for a silent video."""

    container: str
    duration_ms: int
    width: int
    height: int
    video_codec: str
    audio_codec: str | None
    bitrate_kbps: int
    size_bytes: int
    mime: str


def probe_video(path: Path, *, max_bytes: int, max_duration_s: float) -> MediaInfo:
    """Check that ``path`` is a complete, playable MP4 video within the limits and describe it.

    Raises :class:`TooLarge` (413), or :class:`NotMp4`, :class:`Corrupt`, :class:`NoVideo`,
    :class:`TooLong` (all 422 :class:`MediaRejected`). Never trusts the file name.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(
            f"The file is {_human_size(size)}; the limit is {_human_size(max_bytes)}.",
            details={"size_bytes": size, "max_bytes": max_bytes},
        )
    with path.open("rb") as file:
        _check_mp4_brand(file)
        _check_box_layout(file, size=size)
    try:
        info = _demux(path, size=size)
    except av.FFmpegError as exc:
        raise Corrupt(f"The MP4 cannot be read: {exc.strerror or exc}.") from exc
    if info.duration_ms > max_duration_s * 1000:
        raise TooLong(
            f"The video runs {info.duration_ms / 1000:.1f} s; the limit is {max_duration_s:g} s.",
            details={"duration_ms": info.duration_ms, "max_duration_s": max_duration_s},
        )
    return info


def _check_mp4_brand(file: BinaryIO) -> None:
    head = file.read(8)
    if head.startswith(_EBML_MAGIC):
        raise NotMp4("The file is WebM/Matroska; upload an MP4 (H.264) instead.")
    if len(head) < 8 or head[4:8] != b"ftyp":
        raise NotMp4("The file is not an MP4 video (no ISO-BMFF 'ftyp' box at its start).")
    box_size = struct.unpack(">I", head[:4])[0]
    if box_size < 16 or box_size % 4 or box_size > 4096:
        raise NotMp4("The file is not an MP4 video (its 'ftyp' box is malformed).")
    body = file.read(box_size - 8)
    if len(body) != box_size - 8:
        raise Corrupt("The MP4 is truncated inside its 'ftyp' box.")
    major = body[:4].decode("latin-1")
    compatible = {body[i : i + 4].decode("latin-1") for i in range(8, len(body), 4)}
    if major == _QUICKTIME_BRAND:
        raise NotMp4("The file is a QuickTime MOV; export it as MP4 (H.264) instead.")
    if major not in MP4_BRANDS and not compatible & MP4_BRANDS:
        raise NotMp4(
            f"The file's brand {major.strip()!r} is not an MP4 video brand.",
            details={"major_brand": major, "compatible_brands": sorted(compatible)},
        )


def _check_box_layout(file: BinaryIO, *, size: int) -> None:
    """The top-level boxes must tile the file exactly and include ``moov`` and ``mdat``."""
    seen: set[bytes] = set()
    position = 0
    for _ in range(_MAX_TOP_LEVEL_BOXES):
        if position == size:
            break
        file.seek(position)
        header = file.read(16)
        if len(header) < 8:
            raise Corrupt("The MP4 is truncated: it ends inside a box header.")
        box_size, box_type = struct.unpack(">I4s", header[:8])
        header_size = 8
        if box_size == 1:
            if len(header) < 16:
                raise Corrupt("The MP4 is truncated: it ends inside a box header.")
            box_size, header_size = struct.unpack(">Q", header[8:16])[0], 16
        elif box_size == 0:
            box_size = size - position
        name = box_type.decode("latin-1")
        if not all(0x20 <= byte < 0x7F for byte in box_type) or box_size < header_size:
            raise Corrupt(f"The MP4 is damaged: invalid box {name!r} at byte {position}.")
        if position + box_size > size:
            raise Corrupt(
                f"The MP4 is truncated: box {name!r} needs {box_size} bytes"
                f" but only {size - position} remain.",
                details={"box": name, "offset": position, "size_bytes": size},
            )
        seen.add(box_type)
        position += box_size
    else:
        raise Corrupt(f"The MP4 has more than {_MAX_TOP_LEVEL_BOXES} top-level boxes.")
    missing = [name.decode() for name in (b"moov", b"mdat") if name not in seen]
    if missing:
        raise Corrupt(f"The MP4 is incomplete: no {' or '.join(missing)} box.")


def _demux(path: Path, *, size: int) -> MediaInfo:
    with av.open(str(path), mode="r", format="mp4") as container:
        video = _main_video_stream(container.streams.video)
        audio = container.streams.audio[0] if container.streams.audio else None
        duration_ms = (container.duration or 0) * 1000 // av.time_base
        if duration_ms <= 0:
            raise Corrupt("The MP4 has no duration.")
        if video.codec_context.width <= 0 or video.codec_context.height <= 0:
            raise Corrupt("The video track has no picture size.")
        video.thread_type = "AUTO"
        streams = [video] if audio is None else [video, audio]
        counts = dict.fromkeys(streams, 0)
        decoded = False
        for packet in container.demux(streams):
            if packet.size == 0:
                continue
            counts[packet.stream] += 1
            if packet.stream is video and not decoded:
                decoded = bool(video.decode(packet))
        decoded = decoded or bool(video.decode(None))
        for stream, count in counts.items():
            if count < stream.frames:
                raise Corrupt(
                    f"The MP4 is truncated: its {stream.type} track lists {stream.frames}"
                    f" samples but only {count} are in the file."
                )
        if not decoded:
            raise Corrupt("The video track cannot be decoded.")
        bitrate = container.bit_rate or size * 8_000 // max(duration_ms, 1)
        return MediaInfo(
            container="mp4",
            duration_ms=duration_ms,
            width=video.codec_context.width,
            height=video.codec_context.height,
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None else None,
            bitrate_kbps=round(bitrate / 1000),
            size_bytes=size,
            mime=MP4_MIME,
        )


def _main_video_stream(streams: tuple[VideoStream, ...]) -> VideoStream:
    """The first moving-picture track; cover art (``attached_pic``) does not count."""
    for stream in streams:
        if not stream.disposition & Disposition.attached_pic:
            return stream
    raise NoVideo("The MP4 has no video track (audio-only files are not creatives).")


def _human_size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size} bytes"
