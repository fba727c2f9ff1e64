"""Synthetic test media written with PyAV: moving colour bars with a sine tone.

Tests and the demo use these files instead of checked-in binaries. Encoding favours speed
(libx264 ``ultrafast``, libvpx ``realtime``): a 30 s 1080p MP4 at 10 fps takes a few seconds.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np
import numpy.typing as npt
from av.audio.stream import AudioStream
from av.container import OutputContainer

Container = Literal["mp4", "mov", "webm", "mkv"]

_AUDIO_RATE = 48_000
_AUDIO_FRAME_SAMPLES = 1024
_TONE_HZ = 440.0
# Colour bars (white, yellow, cyan, green, magenta, red, blue) as 8-bit Y, U, V.
_BARS_YUV = np.array(
    [
        [235, 128, 128],
        [210, 16, 146],
        [170, 166, 16],
        [145, 54, 34],
        [106, 202, 222],
        [81, 90, 240],
        [41, 240, 110],
    ],
    dtype=np.uint8,
)
_FORMATS: dict[Container, str] = {"mp4": "mp4", "mov": "mov", "webm": "webm", "mkv": "matroska"}


def write_synthetic_video(
    path: Path,
    *,
    width: int,
    height: int,
    duration_s: float,
    fps: int = 15,
    audio: bool = True,
    container: Container = "mp4",
    faststart: bool = False,
    tone_amplitude: float = 0.2,
) -> Path:
    """Write a video of scrolling colour bars and a moving box to ``path`` and return it.

    H.264 + AAC in ``mp4``/``mov``/``mkv``, VP8 + Opus in ``webm``. ``width`` and ``height``
    must be even (yuv420p). ``faststart`` puts the MP4 ``moov`` box before ``mdat``. The tone's
    peak is ``tone_amplitude`` of full scale on both channels (0.2: about -14.7 LUFS).
    """
    if width % 2 or height % 2:
        raise ValueError(f"width and height must be even, got {width}x{height}")
    frame_count = max(1, round(duration_s * fps))
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), mode="w", format=_FORMATS[container], options=options) as out:
        if container == "webm":
            video = out.add_stream(
                "libvpx", rate=fps, options={"deadline": "realtime", "cpu-used": "8"}
            )
        else:
            video = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        tone = _add_tone_stream(out, opus=container == "webm") if audio else None
        bars = _bar_planes(width, height)
        for index in range(frame_count):
            frame = av.VideoFrame.from_ndarray(
                _pattern(bars, width=width, height=height, index=index), format="yuv420p"
            )
            frame.pts, frame.time_base = index, Fraction(1, fps)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if tone is not None:
            _encode_tone(out, tone, duration_s=frame_count / fps, amplitude=tone_amplitude)
    return path


def write_synthetic_audio(path: Path, *, duration_s: float) -> Path:
    """Write an audio-only MP4 (AAC sine tone) to ``path`` and return it."""
    with av.open(str(path), mode="w", format="mp4") as out:
        _encode_tone(out, _add_tone_stream(out, opus=False), duration_s=duration_s, amplitude=0.2)
    return path


def _add_tone_stream(out: OutputContainer, *, opus: bool) -> AudioStream:
    stream = out.add_stream("libopus" if opus else "aac", rate=_AUDIO_RATE)
    stream.layout = "stereo"
    return stream


def _encode_tone(
    out: OutputContainer, stream: AudioStream, *, duration_s: float, amplitude: float
) -> None:
    total = round(duration_s * _AUDIO_RATE)
    resampler = av.AudioResampler(
        format=stream.format, layout="stereo", rate=_AUDIO_RATE, frame_size=stream.frame_size
    )
    for start in range(0, total, _AUDIO_FRAME_SAMPLES):
        count = min(_AUDIO_FRAME_SAMPLES, total - start)
        t = (np.arange(start, start + count) / _AUDIO_RATE).astype(np.float32)
        mono = (amplitude * np.sin(2 * np.pi * _TONE_HZ * t)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(np.stack([mono, mono]), format="fltp", layout="stereo")
        frame.sample_rate, frame.pts = _AUDIO_RATE, start
        for resampled in resampler.resample(frame):
            out.mux(stream.encode(resampled))
    for resampled in resampler.resample(None):
        out.mux(stream.encode(resampled))
    out.mux(stream.encode(None))


def _bar_planes(width: int, height: int) -> npt.NDArray[np.uint8]:
    """Y, U, V bar rows twice as wide as the frame so a sliding window scrolls them."""
    columns = np.arange(2 * width) * len(_BARS_YUV) // width % len(_BARS_YUV)
    return _BARS_YUV[columns].T.copy()


def _pattern(
    bars: npt.NDArray[np.uint8], *, width: int, height: int, index: int
) -> npt.NDArray[np.uint8]:
    """One yuv420p frame, shape ``(height * 3 // 2, width)``: bars scroll, a grey box bounces."""
    shift = (index * 8) % width
    y = np.repeat(bars[0:1, shift : shift + width], height, axis=0)
    box = max(16, height // 6)
    top = (index * 6) % max(1, height - box)
    left = (index * 10) % max(1, width - box)
    y[top : top + box, left : left + box] = 16 + (index * 5) % 200
    u = np.repeat(bars[1:2, shift : shift + width : 2], height // 2, axis=0)
    v = np.repeat(bars[2:3, shift : shift + width : 2], height // 2, axis=0)
    return np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(height * 3 // 2, width)
