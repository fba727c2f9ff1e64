"""Media fixtures, each written once per test run with PyAV (see media/synthetic.py)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from media.synthetic import write_synthetic_audio, write_synthetic_video


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def source_1080p_30s(media_dir: Path) -> Path:
    """30 s 1920x1080 H.264/AAC at 10 fps, ``moov`` at the end (as most editors write it)."""
    return write_synthetic_video(
        media_dir / "source-1080p.mp4", width=1920, height=1080, duration_s=30, fps=10
    )


@pytest.fixture(scope="session")
def short_mp4(media_dir: Path) -> Path:
    """2 s 640x360 H.264/AAC, ``moov`` at the end."""
    return write_synthetic_video(media_dir / "short.mp4", width=640, height=360, duration_s=2)


@pytest.fixture(scope="session")
def short_faststart_mp4(media_dir: Path) -> Path:
    """2 s 640x360 H.264/AAC with ``moov`` before ``mdat``."""
    return write_synthetic_video(
        media_dir / "short-faststart.mp4", width=640, height=360, duration_s=2, faststart=True
    )


@pytest.fixture(scope="session")
def silent_mp4(media_dir: Path) -> Path:
    """1 s 320x180 H.264 without an audio track."""
    return write_synthetic_video(
        media_dir / "silent.mp4", width=320, height=180, duration_s=1, audio=False
    )


@pytest.fixture(scope="session")
def audio_only_mp4(media_dir: Path) -> Path:
    return write_synthetic_audio(media_dir / "audio-only.mp4", duration_s=1)


@pytest.fixture(scope="session")
def mov_file(media_dir: Path) -> Path:
    """A QuickTime MOV (brand ``qt  ``) given an .mp4 name."""
    return write_synthetic_video(
        media_dir / "quicktime.mp4", width=320, height=180, duration_s=1, container="mov"
    )


@pytest.fixture(scope="session")
def webm_file(media_dir: Path) -> Path:
    """VP8/Opus WebM given an .mp4 name."""
    return write_synthetic_video(
        media_dir / "webm.mp4", width=320, height=180, duration_s=1, container="webm"
    )


@pytest.fixture(scope="session")
def mkv_file(media_dir: Path) -> Path:
    """H.264/AAC Matroska given an .mp4 name."""
    return write_synthetic_video(
        media_dir / "matroska.mp4", width=320, height=180, duration_s=1, container="mkv"
    )


@pytest.fixture(scope="session")
def text_as_mp4(media_dir: Path) -> Path:
    path = media_dir / "notes.mp4"
    path.write_text("This is not a video, whatever its name says.\n" * 20)
    return path


@pytest.fixture(scope="session")
def truncated_mp4(media_dir: Path, short_mp4: Path) -> Path:
    """The first 60 % of an upload: ``mdat`` runs past the end and ``moov`` is missing."""
    data = short_mp4.read_bytes()
    path = media_dir / "truncated.mp4"
    path.write_bytes(data[: len(data) * 6 // 10])
    return path


@pytest.fixture(scope="session")
def truncated_open_ended_mp4(media_dir: Path, short_faststart_mp4: Path) -> Path:
    """Fast-start MP4 whose ``mdat`` says "to end of file" (size 0), cut at 60 %.

    The box layout looks whole; only the sample table shows that frames are missing.
    """
    data = bytearray(short_faststart_mp4.read_bytes())
    mdat = data.find(b"mdat") - 4
    data[mdat : mdat + 4] = bytes(4)
    path = media_dir / "truncated-open-ended.mp4"
    path.write_bytes(data[: len(data) * 6 // 10])
    return path


@pytest.fixture(scope="session")
def zero_duration_mp4(media_dir: Path) -> Path:
    """A one-frame MP4 whose movie, track, media and sample durations are all patched to 0."""
    source = write_synthetic_video(
        media_dir / "one-frame.mp4", width=320, height=180, duration_s=0, audio=False
    )
    data = bytearray(source.read_bytes())
    # Offsets of the 32-bit duration after each box's type (version 0 boxes).
    for box, offset in ((b"mvhd", 20), (b"tkhd", 24), (b"mdhd", 20), (b"elst", 12)):
        start = data.find(box) + offset
        data[start : start + 4] = bytes(4)
    stts = data.find(b"stts")
    assert struct.unpack(">I", data[stts + 8 : stts + 12]) == (1,), "one stts entry expected"
    data[stts + 16 : stts + 20] = bytes(4)
    path = media_dir / "zero-duration.mp4"
    path.write_bytes(data)
    return path
