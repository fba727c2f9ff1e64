"""Loudness rules (ads/loudness.py): verdicts against the target and the one gain renditions get."""

from __future__ import annotations

import pytest

from ads.loudness import (
    MAX_GAIN_DB,
    SILENCE_LUFS,
    UNCHANGED,
    Loudness,
    LoudnessPolicy,
    LoudnessVerdict,
    Normalization,
    linear_gain,
    loudness_report,
    normalization,
    verdict,
)

A85 = LoudnessPolicy()  # -24 LUFS, -2 dBTP, ±2 LU
SILENT = Loudness(SILENCE_LUFS, None)


@pytest.mark.parametrize(
    ("integrated", "expected"),
    [
        (-24.0, LoudnessVerdict.ON_TARGET),
        (-22.0, LoudnessVerdict.ON_TARGET),
        (-26.0, LoudnessVerdict.ON_TARGET),
        (-21.9, LoudnessVerdict.TOO_LOUD),
        (-26.1, LoudnessVerdict.TOO_QUIET),
        (-14.7, LoudnessVerdict.TOO_LOUD),
    ],
)
def test_verdict_holds_the_target_within_its_tolerance(
    integrated: float, expected: LoudnessVerdict
) -> None:
    assert verdict(Loudness(integrated, -10.0), A85) is expected


def test_silence_is_its_own_verdict_and_gets_no_gain() -> None:
    assert verdict(SILENT, A85) is LoudnessVerdict.SILENT
    assert verdict(Loudness(-75.0, -60.0), A85) is LoudnessVerdict.SILENT
    assert normalization(SILENT, A85) is UNCHANGED
    assert normalization(None, A85) is UNCHANGED


def test_a_loud_upload_is_turned_down_to_the_target() -> None:
    assert normalization(Loudness(-14.67, -13.68), A85) == Normalization(-9.33)


def test_a_quiet_upload_is_raised_to_the_target_when_its_peaks_allow() -> None:
    assert normalization(Loudness(-30.0, -12.0), A85) == Normalization(6.0)


def test_raising_stops_at_the_true_peak_ceiling() -> None:
    # 6 dB would be needed, but the peaks sit 3 dB under the -2 dBTP ceiling.
    assert normalization(Loudness(-30.0, -5.0), A85) == Normalization(3.0, "peak")


def test_an_upload_peaking_over_the_ceiling_is_cut_even_when_quiet() -> None:
    # Quieter than the target, but its peaks pass the ceiling: the ceiling wins.
    assert normalization(Loudness(-26.0, -0.5), A85) == Normalization(-1.5, "peak")
    # Loud and peaky: the target's cut is deeper than the ceiling's, so the target decides.
    assert normalization(Loudness(-10.0, 0.0), A85) == Normalization(-14.0)


def test_a_near_silent_upload_is_raised_at_most_max_gain() -> None:
    gain = normalization(Loudness(-60.0, -45.0), A85)
    assert gain == Normalization(MAX_GAIN_DB, "max_gain")


def test_the_target_is_the_publishers() -> None:
    r128 = LoudnessPolicy(target_lufs=-23.0, max_true_peak_dbtp=-1.0)
    assert normalization(Loudness(-14.0, -3.0), r128) == Normalization(-9.0)
    assert verdict(Loudness(-24.5, -9.0), r128) is LoudnessVerdict.ON_TARGET


def test_linear_gain() -> None:
    assert linear_gain(0.0) == 1.0
    assert linear_gain(-20.0) == pytest.approx(0.1)
    assert linear_gain(6.0206) == pytest.approx(2.0, rel=1e-4)


def test_report_of_an_upload_never_measured_is_none() -> None:
    assert loudness_report(None, [], A85) is None


def test_report_before_the_renditions_exist_has_only_the_upload() -> None:
    report = loudness_report(Loudness(-14.67, -13.68), [], A85)
    assert report is not None
    assert (report.source_lufs, report.source_verdict) == (-14.67, LoudnessVerdict.TOO_LOUD)
    assert (report.target_lufs, report.max_true_peak_dbtp) == (-24.0, -2.0)
    assert (report.served_lufs, report.served_verdict, report.gain_db) == (None, None, None)


def test_report_names_the_rendition_furthest_from_the_target() -> None:
    served = [Loudness(-24.05, -22.3), Loudness(-23.4, -21.9), Loudness(-24.2, -22.5)]
    report = loudness_report(Loudness(-14.67, -13.68), served, A85, applied=Normalization(-9.33))
    assert report is not None
    assert report.served_lufs == -23.4
    assert report.served_true_peak_dbtp == -21.9
    assert report.served_verdict is LoudnessVerdict.ON_TARGET
    assert (report.gain_db, report.limited_by) == (-9.33, None)


def test_report_of_a_peak_limited_upload_says_what_held_it_back() -> None:
    report = loudness_report(
        Loudness(-30.0, -5.0),
        [Loudness(-27.0, -2.1)],
        A85,
        applied=Normalization(3.0, "peak"),
    )
    assert report is not None
    assert report.served_verdict is LoudnessVerdict.TOO_QUIET
    assert report.limited_by == "peak"
