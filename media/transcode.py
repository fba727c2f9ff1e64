"""Encode a validated source into one CTV rendition: H.264 (yuv420p) + AAC in fast-start MP4.

One call makes one rendition, so renditions run as independent (retryable, parallel) tasks;
decoding a 30 s 1080p source costs under a second, so sharing one decode across a ladder buys
nothing on small machines. Frame timestamps pass through unchanged (variable frame rates
survive). The audio gets one linear gain (``gain_db``, see ads/loudness.py), which is how
renditions reach the publisher's loudness target. A silent source gets a silent AAC track: SSAI
stitchers and many CTV players expect audio in every ad. The output is probed before it is
returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Final, Literal

import av
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import InputContainer, OutputContainer
from av.video.reformatter import Interpolation, VideoReformatter
from av.video.stream import VideoStream

from ads.renditions import RenditionSpec
from media.errors import TranscodeFailed
from media.loudness import RATE as AUDIO_RATE
from media.loudness import amplified, stereo_resampler
from media.probe import MediaInfo, probe_video

H264_ENCODER: Final[Literal["libx264", "h264"]] = (
    "libx264" if "libx264" in av.codecs_available else "h264"
)
AAC_ENCODER: Final = "aac"
X264_PRESET: Final = "veryfast"
KEYFRAME_INTERVAL_S: Final = 2
_AUDIO_FRAME_SAMPLES = 1024
_PROGRESS_STEP = 0.01
# Write the moov box before mdat, so players can start before the whole file has arrived.
_FASTSTART = {"movflags": "+faststart"}

ProgressCallback = Callable[[float], None]
"""Receives the fraction of the source encoded so far, from 0.0 to 1.0."""


def transcode(
    src_path: Path,
    dst_path: Path,
    spec: RenditionSpec,
    *,
    on_progress: ProgressCallback | None = None,
    threads: int = 0,
    gain_db: float = 0.0,
) -> MediaInfo:
    """Encode ``src_path`` (a source that passed :func:`probe_video`) into ``dst_path``.

    Returns the output's probe. ``on_progress`` hears each further 1 % of the source's
    duration encoded, then 1.0. ``threads`` caps decoder and encoder threads (0 = FFmpeg's
    choice, about one per core). ``gain_db`` scales the audio. Raises :class:`TranscodeFailed`,
    removing ``dst_path``, if FFmpeg fails.
    """
    try:
        with (
            av.open(str(src_path), mode="r") as source,
            av.open(str(dst_path), mode="w", format="mp4", options=_FASTSTART) as output,
        ):
            _encode(source, output, spec, on_progress=on_progress, threads=threads, gain_db=gain_db)
        info = probe_video(dst_path, max_bytes=dst_path.stat().st_size, max_duration_s=math.inf)
    except av.FFmpegError as exc:
        dst_path.unlink(missing_ok=True)
        raise TranscodeFailed(f"The video could not be transcoded: {exc.strerror or exc}.") from exc
    if on_progress is not None:
        on_progress(1.0)
    return info


def _encode(
    source: InputContainer,
    output: OutputContainer,
    spec: RenditionSpec,
    *,
    on_progress: ProgressCallback | None,
    threads: int,
    gain_db: float,
) -> None:
    src_video = source.streams.video[0]
    src_audio = source.streams.audio[0] if source.streams.audio else None
    src_video.thread_type, src_video.codec_context.thread_count = "AUTO", threads
    duration_s = (source.duration or 0) / av.time_base
    video = _add_video(output, spec, source=src_video, threads=threads)
    audio = _add_audio(output, spec)
    scaler = VideoReformatter()
    resampler = stereo_resampler(frame_size=_AUDIO_FRAME_SAMPLES)
    reported = 0.0
    streams = [src_video] if src_audio is None else [src_video, src_audio]
    for packet in source.demux(streams):
        if packet.stream is src_audio:
            for audio_frame in src_audio.decode(packet):
                for resampled in resampler.resample(audio_frame):
                    output.mux(audio.encode(amplified(resampled, gain_db)))
            continue
        for frame in src_video.decode(packet):
            scaled = scaler.reformat(
                frame,
                width=spec.width,
                height=spec.height,
                format="yuv420p",
                interpolation=Interpolation.BICUBIC,
            )
            output.mux(video.encode(scaled))
            done = min(frame.time or 0.0, duration_s) / duration_s if duration_s else 0.0
            if on_progress is not None and done - reported >= _PROGRESS_STEP:
                reported = done
                on_progress(done)
    output.mux(video.encode(None))
    if src_audio is None:
        for silent in _silence(duration_s):
            output.mux(audio.encode(silent))
    for resampled in resampler.resample(None):
        output.mux(audio.encode(amplified(resampled, gain_db)))
    output.mux(audio.encode(None))


def _add_video(
    output: OutputContainer, spec: RenditionSpec, *, source: VideoStream, threads: int
) -> VideoStream:
    rate = source.average_rate or source.guessed_rate or Fraction(30)
    video = output.add_stream(
        H264_ENCODER,
        rate=rate,
        options={
            "preset": X264_PRESET,
            "profile": "high",
            "maxrate": f"{spec.video_kbps * 3 // 2}k",
            "bufsize": f"{spec.video_kbps * 2}k",
        },
    )
    video.width, video.height, video.pix_fmt = spec.width, spec.height, "yuv420p"
    video.bit_rate = spec.video_kbps * 1000
    video.codec_context.gop_size = max(1, round(rate * KEYFRAME_INTERVAL_S))
    video.codec_context.thread_count = threads
    if source.time_base is not None:
        video.codec_context.time_base = source.time_base
    return video


def _add_audio(output: OutputContainer, spec: RenditionSpec) -> AudioStream:
    audio = output.add_stream(AAC_ENCODER, rate=AUDIO_RATE)
    audio.layout = "stereo"
    audio.bit_rate = spec.audio_kbps * 1000
    return audio


def _silence(duration_s: float) -> Iterator[AudioFrame]:
    """Stereo 48 kHz silence covering ``duration_s``, in encoder-sized frames."""
    for start in range(0, math.ceil(duration_s * AUDIO_RATE), _AUDIO_FRAME_SAMPLES):
        frame = AudioFrame(format="fltp", layout="stereo", samples=_AUDIO_FRAME_SAMPLES)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, start, Fraction(1, AUDIO_RATE)
        yield frame
