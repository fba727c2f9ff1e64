"""The CTV rendition ladder: which H.264 files to encode from an uploaded source.

Rungs are named by the short side of the picture (1080p, 720p, 540p, 360p) so portrait sources
get the same ladder. A rung is used only when the source is at least that big (no upscaling);
its width keeps the source aspect ratio, rounded to even numbers as yuv420p needs. A source's
bitrate caps every rung, since re-encoding cannot add quality the source does not have.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class RenditionSpec:
    """One target encoding: picture size and H.264/AAC bitrates."""

    name: str
    width: int
    height: int
    video_kbps: int
    audio_kbps: int


@dataclass(frozen=True, slots=True)
class _Rung:
    short_side: int
    video_kbps: int
    audio_kbps: int


# Bitrates for 16:9 H.264 at up to 30 fps, in line with common CTV ad specs.
LADDER: tuple[_Rung, ...] = (
    _Rung(short_side=1080, video_kbps=6000, audio_kbps=128),
    _Rung(short_side=720, video_kbps=3500, audio_kbps=128),
    _Rung(short_side=540, video_kbps=2000, audio_kbps=128),
    _Rung(short_side=360, video_kbps=800, audio_kbps=96),
)


def plan_renditions(width: int, height: int, *, bitrate_kbps: int = 0) -> list[RenditionSpec]:
    """The renditions to encode for a ``width`` x ``height`` source, largest first.

    Every rung no bigger than the source; a source smaller than the lowest rung gets one
    rendition at its own (even) size. ``bitrate_kbps`` (0 = unknown) caps each rung's video
    bitrate. ``ValueError`` if the size is not positive.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"source size must be positive, got {width}x{height}")
    if bitrate_kbps < 0:
        raise ValueError(f"source bitrate must not be negative, got {bitrate_kbps}")
    short_side = min(width, height)
    rungs = [rung for rung in LADDER if rung.short_side <= short_side]
    if not rungs:
        rungs = [replace(LADDER[-1], short_side=short_side)]
    return [_spec(rung, width=width, height=height, cap_kbps=bitrate_kbps) for rung in rungs]


def _spec(rung: _Rung, *, width: int, height: int, cap_kbps: int) -> RenditionSpec:
    scale = rung.short_side / min(width, height)
    out_width = _even(width * scale, limit=width)
    out_height = _even(height * scale, limit=height)
    video_kbps = min(rung.video_kbps, cap_kbps) if cap_kbps else rung.video_kbps
    return RenditionSpec(
        name=f"{min(out_width, out_height)}p",
        width=out_width,
        height=out_height,
        video_kbps=video_kbps,
        audio_kbps=rung.audio_kbps,
    )


def _even(value: float, *, limit: int) -> int:
    """The even integer nearest ``value`` that does not exceed ``limit`` (but at least 2)."""
    return max(2, min(round(value / 2) * 2, limit - limit % 2))
