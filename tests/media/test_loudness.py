"""Loudness metering (media/loudness.py) and normalized renditions (media/transcode.py)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from ads.loudness import Loudness, LoudnessPolicy, LoudnessVerdict, normalization, verdict
from ads.renditions import RenditionSpec
from media.loudness import RATE, LoudnessMeter, amplified, measure_loudness
from media.synthetic import write_synthetic_video
from media.transcode import transcode

SMALL = RenditionSpec(name="180p", width=320, height=180, video_kbps=300, audio_kbps=96)
A85 = LoudnessPolicy()


def tone(hz: float, *, left: float, right: float, seconds: float) -> Loudness:
    """Meter a stereo sine of peak ``left`` / ``right`` (of full scale) fed in 1024-sample
    frames."""
    meter = LoudnessMeter()
    total = int(seconds * RATE)
    for start in range(0, total, 1024):
        t = np.arange(start, min(start + 1024, total)) / RATE
        wave = np.sin(2 * np.pi * hz * t).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(
            np.stack([left * wave, right * wave]), format="fltp", layout="stereo"
        )
        frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
        meter.add(frame)
    return meter.result()


def test_the_standards_reference_tone_measures_minus_3_01() -> None:
    # BS.1770: a 997 Hz sine at 0 dBFS in one front channel reads -3.01 LKFS.
    measured = tone(997, left=1.0, right=0.0, seconds=10)
    assert measured.integrated_lufs == pytest.approx(-3.01, abs=0.05)
    assert measured.true_peak_dbtp == pytest.approx(0.0, abs=0.1)


def test_half_the_amplitude_measures_6_db_less() -> None:
    full = tone(997, left=1.0, right=1.0, seconds=4)
    half = tone(997, left=0.5, right=0.5, seconds=4)
    assert full.integrated_lufs - half.integrated_lufs == pytest.approx(6.02, abs=0.05)
    assert full.integrated_lufs == pytest.approx(0.0, abs=0.05)  # both channels: +3 dB


def test_a_file_without_audio_is_silent(silent_mp4: Path) -> None:
    assert verdict(measure_loudness(silent_mp4), A85) is LoudnessVerdict.SILENT


def test_an_uploaded_tone_measures_as_its_level_says(tmp_path: Path) -> None:
    loud = write_synthetic_video(tmp_path / "loud.mp4", width=320, height=180, duration_s=3)
    quiet = write_synthetic_video(
        tmp_path / "quiet.mp4", width=320, height=180, duration_s=3, tone_amplitude=0.05
    )
    # A 440 Hz sine of peak 0.2 on both channels: -0.691 + 10 log10(2 x 0.2² / 2) ≈ -14.7.
    assert measure_loudness(loud).integrated_lufs == pytest.approx(-14.7, abs=0.3)
    assert measure_loudness(loud).integrated_lufs - measure_loudness(
        quiet
    ).integrated_lufs == pytest.approx(12.04, abs=0.2)


@pytest.mark.parametrize("amplitude", [0.2, 0.02])
def test_renditions_reach_the_target_from_a_loud_or_a_quiet_upload(
    tmp_path: Path, amplitude: float
) -> None:
    source = write_synthetic_video(
        tmp_path / "source.mp4", width=320, height=180, duration_s=3, tone_amplitude=amplitude
    )
    measured = measure_loudness(source)
    gain = normalization(measured, A85)
    assert gain.limited_by is None
    assert (gain.gain_db < 0) == (amplitude == 0.2)

    output = tmp_path / "out.mp4"
    transcode(source, output, SMALL, gain_db=gain.gain_db)
    served = measure_loudness(output)

    assert served.integrated_lufs == pytest.approx(-24.0, abs=0.3)
    assert served.true_peak_dbtp is not None and served.true_peak_dbtp <= -2.0
    assert verdict(served, A85) is LoudnessVerdict.ON_TARGET


def test_amplified_scales_every_sample_and_leaves_0_db_alone() -> None:
    samples = np.array([[0.5, -0.25, 0.1], [0.2, 0.0, -0.4]], dtype=np.float32)
    frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
    frame.sample_rate, frame.pts, frame.time_base = RATE, 2048, Fraction(1, RATE)

    assert amplified(frame, 0.0) is frame
    halved = amplified(frame, -6.0206)
    assert np.allclose(halved.to_ndarray(), samples / 2, atol=1e-6)
    assert (halved.sample_rate, halved.pts, halved.time_base) == (RATE, 2048, Fraction(1, RATE))
