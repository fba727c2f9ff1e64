from __future__ import annotations

import struct
from itertools import pairwise
from pathlib import Path

import av
import pytest

from ads.renditions import RenditionSpec, plan_renditions
from media.errors import TranscodeFailed
from media.probe import probe_video
from media.transcode import transcode

SMALL = RenditionSpec(name="180p", width=320, height=180, video_kbps=400, audio_kbps=96)


def top_level_boxes(path: Path) -> list[str]:
    data = path.read_bytes()
    boxes, position = [], 0
    while position < len(data):
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        boxes.append(kind.decode())
        position += size
    return boxes


def keyframe_times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        return [
            float(packet.pts * packet.time_base)
            for packet in container.demux(container.streams.video[0])
            if packet.is_keyframe and packet.pts is not None
        ]


def test_30s_1080p_source_becomes_a_ladder_of_valid_mp4s(
    source_1080p_30s: Path, tmp_path: Path
) -> None:
    source = probe_video(source_1080p_30s, max_bytes=100_000_000, max_duration_s=60)
    ladder = plan_renditions(source.width, source.height, bitrate_kbps=source.bitrate_kbps)
    # The 1080p rung re-encodes at the source size; the three scaled rungs keep the test short.
    scaled = [spec for spec in ladder if spec.height < source.height]
    assert [spec.name for spec in scaled] == ["720p", "540p", "360p"]

    for spec in scaled:
        output = tmp_path / f"{spec.name}.mp4"
        info = transcode(source_1080p_30s, output, spec)

        assert info == probe_video(output, max_bytes=100_000_000, max_duration_s=60)
        assert (info.width, info.height) == (spec.width, spec.height)
        assert (info.video_codec, info.audio_codec, info.mime) == ("h264", "aac", "video/mp4")
        assert abs(info.duration_ms - source.duration_ms) < 100
        keyframes = keyframe_times(output)
        assert max(b - a for a, b in pairwise(keyframes)) <= 2.0


def test_output_is_fast_start_h264_high_yuv420p_with_48khz_audio(
    short_mp4: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out.mp4"
    transcode(short_mp4, output, SMALL)

    assert top_level_boxes(output).index("moov") < top_level_boxes(output).index("mdat")
    with av.open(str(output)) as container, av.open(str(short_mp4)) as source:
        video = container.streams.video[0]
        assert video.frames == source.streams.video[0].frames
        assert video.codec_context.profile == "High"
        assert video.codec_context.pix_fmt == "yuv420p"
        assert container.streams.audio[0].sample_rate == 48_000


def test_reports_progress_up_to_one(short_mp4: Path, tmp_path: Path) -> None:
    progress: list[float] = []

    transcode(short_mp4, tmp_path / "out.mp4", SMALL, on_progress=progress.append)

    assert len(progress) > 10
    assert progress == sorted(progress)
    assert 0 < progress[0] < 0.2
    assert progress[-1] == 1.0


def test_a_silent_source_gets_a_silent_aac_track(silent_mp4: Path, tmp_path: Path) -> None:
    info = transcode(silent_mp4, tmp_path / "out.mp4", SMALL)

    assert info.audio_codec == "aac"
    assert abs(info.duration_ms - 1000) < 100


def test_failure_is_typed_and_leaves_no_output(text_as_mp4: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"

    with pytest.raises(TranscodeFailed, match="could not be transcoded") as caught:
        transcode(text_as_mp4, output, SMALL)

    assert caught.value.code == "media_transcode_failed"
    assert not output.exists()
