"""Commercial loudness: how loud an ad is, how loud it should be and the gain that gets it there.

TV viewers notice an ad louder than the show around it, and US broadcast law (the CALM Act,
through ATSC A/85) holds ads to the programme's target: -24 LKFS integrated loudness (ITU-R
BS.1770), within ±2 dB, with true peaks at or under -2 dBTP. Europe's EBU R128 says -23 LUFS
and -1 dBTP. Publishers' CTV ad specs follow one or the other, so the target is a setting.

The renditions of an upload are normalized by one linear gain (no compressor or limiter: the
advertiser's mix stays as it was made). Where reaching the target would push the true peak
over the ceiling, the gain stops at the ceiling and the rendition ends up quieter than the
target; that is reported, not hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

SILENCE_LUFS = -70.0
"""BS.1770's absolute gate: programme at or below it is measured as silence."""
MAX_GAIN_DB = 20.0
"""The most a quiet source is raised: more lifts its noise floor into the break."""


@dataclass(frozen=True, slots=True)
class Loudness:
    """A measurement: integrated loudness (LUFS, as LKFS) and the highest true peak (dBTP;
    None when there is no sound at all)."""

    integrated_lufs: float
    true_peak_dbtp: float | None

    @property
    def silent(self) -> bool:
        return self.integrated_lufs <= SILENCE_LUFS or self.true_peak_dbtp is None


@dataclass(frozen=True, slots=True)
class LoudnessPolicy:
    """The publisher's target (setting ``LOUDNESS_TARGET_LUFS``), the true-peak ceiling
    (``LOUDNESS_MAX_TRUE_PEAK_DBTP``) and the tolerance around the target (A/85: 2 dB)."""

    target_lufs: float = -24.0
    max_true_peak_dbtp: float = -2.0
    tolerance_lu: float = 2.0


class LoudnessVerdict(StrEnum):
    SILENT = "silent"
    ON_TARGET = "on_target"
    TOO_LOUD = "too_loud"
    TOO_QUIET = "too_quiet"


def verdict(loudness: Loudness, policy: LoudnessPolicy) -> LoudnessVerdict:
    """Where ``loudness`` stands against the policy's target and tolerance."""
    if loudness.silent:
        return LoudnessVerdict.SILENT
    off = loudness.integrated_lufs - policy.target_lufs
    if off > policy.tolerance_lu:
        return LoudnessVerdict.TOO_LOUD
    if off < -policy.tolerance_lu:
        return LoudnessVerdict.TOO_QUIET
    return LoudnessVerdict.ON_TARGET


Limit = Literal["peak", "max_gain"]
"""What holds a gain back from the target: the true-peak ceiling, or :data:`MAX_GAIN_DB`."""


@dataclass(frozen=True, slots=True)
class Normalization:
    """The gain (dB) the renditions get and what holds it back from the target, if anything."""

    gain_db: float
    limited_by: Limit | None = None


UNCHANGED = Normalization(0.0)


def normalization(source: Loudness | None, policy: LoudnessPolicy) -> Normalization:
    """The one gain that takes ``source`` to the target without its true peak passing the
    ceiling; :data:`UNCHANGED` for silence or a source never measured (None)."""
    if source is None or source.silent:
        return UNCHANGED
    assert source.true_peak_dbtp is not None  # not silent
    wanted = policy.target_lufs - source.integrated_lufs
    headroom = policy.max_true_peak_dbtp - source.true_peak_dbtp
    # A source already peaking over the ceiling gets cut even when the target asks for more.
    gain = min(wanted, headroom, MAX_GAIN_DB)
    if gain >= wanted:
        return Normalization(round(wanted, 2))
    return Normalization(round(gain, 2), "peak" if gain == headroom else "max_gain")


def linear_gain(gain_db: float) -> float:
    """The sample multiplier of a gain in dB."""
    return float(10 ** (gain_db / 20))


class LoudnessReport(BaseModel):
    """A creative's loudness as the API shows it: the upload against the target, the gain its
    renditions got and, once they are made, the quietest or loudest of them (the one furthest
    from the target) with its verdict."""

    target_lufs: float
    max_true_peak_dbtp: float
    source_lufs: float
    source_true_peak_dbtp: float | None
    source_verdict: LoudnessVerdict
    gain_db: float | None = None
    limited_by: Limit | None = None
    served_lufs: float | None = None
    served_true_peak_dbtp: float | None = None
    served_verdict: LoudnessVerdict | None = None


def loudness_report(
    source: Loudness | None,
    served: Sequence[Loudness],
    policy: LoudnessPolicy,
    *,
    applied: Normalization | None = None,
) -> LoudnessReport | None:
    """The report of an upload measured as ``source`` whose renditions measured ``served``
    (made with the ``applied`` gain); None for a creative never measured (a VAST tag, an old
    upload)."""
    if source is None:
        return None
    report = LoudnessReport(
        target_lufs=policy.target_lufs,
        max_true_peak_dbtp=policy.max_true_peak_dbtp,
        source_lufs=source.integrated_lufs,
        source_true_peak_dbtp=source.true_peak_dbtp,
        source_verdict=verdict(source, policy),
    )
    if not served:
        return report
    worst = max(served, key=lambda r: abs(r.integrated_lufs - policy.target_lufs))
    return report.model_copy(
        update={
            "gain_db": None if applied is None else applied.gain_db,
            "limited_by": None if applied is None else applied.limited_by,
            "served_lufs": worst.integrated_lufs,
            "served_true_peak_dbtp": max(
                (r.true_peak_dbtp for r in served if r.true_peak_dbtp is not None), default=None
            ),
            "served_verdict": verdict(worst, policy),
        }
    )
