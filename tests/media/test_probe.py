from __future__ import annotations

from pathlib import Path

import pytest

from ads.errors import DomainError
from media.errors import Corrupt, MediaRejected, NotMp4, NoVideo, TooLarge, TooLong
from media.probe import MediaInfo, probe_video


def probe(path: Path) -> MediaInfo:
    """Probe with limits no fixture reaches."""
    return probe_video(path, max_bytes=100_000_000, max_duration_s=60)


def test_describes_a_valid_mp4(short_mp4: Path) -> None:
    info = probe(short_mp4)

    assert info == MediaInfo(
        container="mp4",
        duration_ms=2000,
        width=640,
        height=360,
        video_codec="h264",
        audio_codec="aac",
        bitrate_kbps=info.bitrate_kbps,
        size_bytes=short_mp4.stat().st_size,
        mime="video/mp4",
    )
    assert info.bitrate_kbps > 0


def test_describes_a_30s_1080p_source(source_1080p_30s: Path) -> None:
    info = probe(source_1080p_30s)

    assert (info.width, info.height, info.duration_ms) == (1920, 1080, 30_000)


def test_accepts_fast_start_and_silent_videos(short_faststart_mp4: Path, silent_mp4: Path) -> None:
    assert probe(short_faststart_mp4).duration_ms == 2000
    assert probe(silent_mp4).audio_codec is None


@pytest.mark.parametrize(
    ("fixture", "error", "message"),
    [
        ("text_as_mp4", NotMp4, "no ISO-BMFF 'ftyp' box"),
        ("mov_file", NotMp4, "QuickTime MOV"),
        ("webm_file", NotMp4, "WebM/Matroska"),
        ("mkv_file", NotMp4, "WebM/Matroska"),
        ("truncated_mp4", Corrupt, "truncated: box 'mdat'"),
        ("truncated_open_ended_mp4", Corrupt, "truncated: its video track lists"),
        ("zero_duration_mp4", Corrupt, "no duration"),
        ("audio_only_mp4", NoVideo, "no video track"),
    ],
)
def test_rejects_what_is_not_a_complete_mp4_video(
    request: pytest.FixtureRequest, fixture: str, error: type[MediaRejected], message: str
) -> None:
    path: Path = request.getfixturevalue(fixture)

    with pytest.raises(error, match=message) as caught:
        probe(path)

    assert caught.value.status_code == 422
    assert isinstance(caught.value, DomainError)


def test_rejects_a_file_over_the_size_limit(short_mp4: Path) -> None:
    size = short_mp4.stat().st_size

    with pytest.raises(TooLarge, match=f"is {size} bytes; the limit is 1000 bytes") as caught:
        probe_video(short_mp4, max_bytes=1000, max_duration_s=60)

    assert caught.value.status_code == 413
    assert caught.value.to_body()["error"]["details"] == {"size_bytes": size, "max_bytes": 1000}


def test_rejects_a_video_over_the_duration_limit(short_mp4: Path) -> None:
    with pytest.raises(TooLong, match=r"runs 2\.0 s; the limit is 1\.5 s") as caught:
        probe_video(short_mp4, max_bytes=100_000_000, max_duration_s=1.5)

    assert caught.value.to_body()["error"]["code"] == "media_too_long"


def test_rejects_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.touch()

    with pytest.raises(NotMp4):
        probe(empty)


def test_rejects_an_iso_bmff_file_without_an_mp4_brand(tmp_path: Path, short_mp4: Path) -> None:
    data = bytearray(short_mp4.read_bytes())
    ftyp_size = int.from_bytes(data[:4], "big")
    data[8:12] = b"3gp4"
    data[16:ftyp_size] = b"3gp4" * ((ftyp_size - 16) // 4)
    path = tmp_path / "phone.mp4"
    path.write_bytes(data)

    with pytest.raises(NotMp4, match="brand '3gp4'"):
        probe(path)


def test_accepts_an_unknown_major_brand_with_a_compatible_mp4_brand(
    tmp_path: Path, short_mp4: Path
) -> None:
    data = bytearray(short_mp4.read_bytes())
    data[8:12] = b"XAVC"
    path = tmp_path / "camera.mp4"
    path.write_bytes(data)

    assert probe(path).width == 640


def test_rejects_garbage_after_a_valid_ftyp_box(tmp_path: Path, short_mp4: Path) -> None:
    ftyp = short_mp4.read_bytes()[:32]
    path = tmp_path / "garbage.mp4"
    path.write_bytes(ftyp + (b"\x00\x00\x00\x10\xff\xfe\xfd\xfc" + bytes(8)) * 4)

    with pytest.raises(Corrupt, match="damaged"):
        probe(path)


def test_rejects_an_mp4_whose_video_cannot_be_decoded(tmp_path: Path, short_mp4: Path) -> None:
    data = bytearray(short_mp4.read_bytes())
    mdat = data.find(b"mdat") + 4
    data[mdat : mdat + 4000] = b"\xff" * 4000
    path = tmp_path / "scrambled.mp4"
    path.write_bytes(data)

    with pytest.raises(Corrupt):
        probe(path)
