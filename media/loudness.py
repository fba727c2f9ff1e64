"""Measure loudness (ITU-R BS.1770-4 / EBU R128) of audio as the renditions carry it.

FFmpeg's ``ebur128`` filter does the metering (K-weighting, gated integration, 4x oversampled
true peak): it is maintained against the standard's test signals, so it is used through PyAV
rather than written again. Audio is measured as stereo at 48 kHz, the layout and rate every
rendition is encoded in (media/transcode.py): a 5.1 source is measured as the downmix players
get, so the gain worked out from it is the one that reaches the target.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler

from ads.loudness import SILENCE_LUFS, Loudness, linear_gain
from media.errors import Corrupt

RATE = 48_000
LAYOUT = "stereo"
FORMAT = "fltp"
_INTEGRATED = "lavfi.r128.I"
_TRUE_PEAK = "lavfi.r128.true_peak"


def stereo_resampler(frame_size: int | None = None) -> AudioResampler:
    """Planar float stereo at 48 kHz: what the meter reads and the AAC encoder takes."""
    return AudioResampler(format=FORMAT, layout=LAYOUT, rate=RATE, frame_size=frame_size)


class LoudnessMeter:
    """Takes planar float stereo 48 kHz frames in order; :meth:`result` once they are all in."""

    def __init__(self) -> None:
        self._graph = av.filter.Graph()
        source = self._graph.add_abuffer(
            format=FORMAT, sample_rate=RATE, layout=LAYOUT, time_base=Fraction(1, RATE)
        )
        meter = self._graph.add("ebur128", "metadata=1:peak=true")
        sink = self._graph.add("abuffersink")
        source.link_to(meter)
        meter.link_to(sink)
        self._graph.configure()
        self._last: dict[str, str] = {}

    def add(self, frame: AudioFrame) -> None:
        self._graph.push(frame)
        self._drain()

    def result(self) -> Loudness:
        """The whole programme's integrated loudness and true peak (silence when nothing came)."""
        self._graph.push(None)
        self._drain()
        integrated = float(self._last.get(_INTEGRATED, SILENCE_LUFS))
        peak = float(self._last.get(_TRUE_PEAK, 0.0))
        if peak <= 0.0 or integrated <= SILENCE_LUFS:
            return Loudness(SILENCE_LUFS, None)
        return Loudness(round(integrated, 2), round(20 * math.log10(peak), 2))

    def _drain(self) -> None:
        while True:
            try:
                frame = self._graph.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            if _INTEGRATED in frame.metadata:  # the flush's last partial frame carries none
                self._last = dict(frame.metadata)


def measure_loudness(path: Path) -> Loudness:
    """The loudness of the first audio track of ``path`` (a file :func:`media.probe.probe_video`
    accepted); silence for a file without audio. :class:`Corrupt` if the audio cannot be
    decoded (the probe reads its packets, not its sound)."""
    meter = LoudnessMeter()
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.audio:
                return meter.result()
            audio = container.streams.audio[0]
            resampler = stereo_resampler()
            for frame in container.decode(audio):
                for resampled in resampler.resample(frame):
                    meter.add(resampled)
            for resampled in resampler.resample(None):
                meter.add(resampled)
    except av.FFmpegError as exc:
        raise Corrupt(f"The MP4's audio cannot be decoded: {exc.strerror or exc}.") from exc
    return meter.result()


def amplified(frame: AudioFrame, gain_db: float) -> AudioFrame:
    """``frame`` (planar float) with every sample multiplied by the gain; the frame itself when
    the gain is 0 dB."""
    if gain_db == 0.0:
        return frame
    samples = frame.to_ndarray() * np.float32(linear_gain(gain_db))
    out = AudioFrame.from_ndarray(samples, format=frame.format.name, layout=frame.layout.name)
    out.sample_rate, out.pts, out.time_base = frame.sample_rate, frame.pts, frame.time_base
    return out
