"""Who asks for ads: a sample of the requests' app, platform, content categories and viewer's
places, kept per day, so a forecast can say what share of the supply a campaign's targeting reaches.

Each decision replica records one request in :data:`SAMPLE_EVERY` (the same request mix, at a
fraction of the cost); the share of sampled requests a targeting matches, applied to the
expected requests, is that targeting's supply. Pure: storage/inventory.py keeps the counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ads.platforms import Platform
from ads.targeting import located_in, plays_on, runs_in, shows_in

SAMPLE_EVERY = 16
"""One request in this many is sampled (per replica)."""
_SEPARATOR = "|"
"""Between a profile's parts: no bundle, platform name, category or place code holds one."""


@dataclass(frozen=True, slots=True)
class RequestProfile:
    """What targeting reads off one request."""

    app: str | None = None
    platform: Platform | None = None
    content: frozenset[str] = frozenset()
    geo: frozenset[str] = frozenset()

    def key(self) -> str:
        """The profile as one string (a Redis hash field): ``app|platform|IAB1,IAB17|US,US-CA``
        (without the last part when no place is known: the key samples had before places)."""
        parts = [
            self.app or "",
            self.platform.value if self.platform else "",
            ",".join(sorted(self.content)),
        ]
        if self.geo:
            parts.append(",".join(sorted(self.geo)))
        return _SEPARATOR.join(parts)

    @classmethod
    def parse(cls, key: str) -> RequestProfile:
        """Inverse of :meth:`key` (a key without places, as sampled before they were, has
        none); ``ValueError`` for a malformed one."""
        app, platform, content, *geo = key.split(_SEPARATOR)
        if len(geo) > 1:
            raise ValueError(f"a request profile has at most 4 parts: {key!r}")
        return cls(
            app=app or None,
            platform=Platform(platform) if platform else None,
            content=frozenset(code for code in content.split(",") if code),
            geo=frozenset(code for code in geo[0].split(",") if code) if geo else frozenset(),
        )


@dataclass(frozen=True, slots=True)
class Targeting:
    """A campaign's targeting as the forecast weighs it (the campaign form's, or a saved one's)."""

    target_apps: frozenset[str] = frozenset()
    target_platforms: frozenset[Platform] = frozenset()
    target_content: frozenset[str] = frozenset()
    target_geo: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(
            self.target_apps or self.target_platforms or self.target_content or self.target_geo
        )

    def reaches(self, profile: RequestProfile) -> bool:
        return (
            runs_in(self, profile.app)
            and plays_on(self, profile.platform)
            and shows_in(self, profile.content)
            and located_in(self, profile.geo)
        )


@dataclass(frozen=True, slots=True)
class Reach:
    """The share of the sampled requests a targeting reaches, and how many were sampled."""

    share: float
    samples: int


def merged_samples(
    archived: Mapping[date, Mapping[str, int]], live: Mapping[date, Mapping[str, int]]
) -> Counter[str]:
    """The requests sampled over the days of both copies (Redis's and the archive's), by
    profile key: each day's count the larger of the two, summed over the days."""
    summed: Counter[str] = Counter()
    for day in archived.keys() | live.keys():
        kept, current = archived.get(day, {}), live.get(day, {})
        for profile in kept.keys() | current.keys():
            summed[profile] += max(kept.get(profile, 0), current.get(profile, 0))
    return summed


def reach(samples: Mapping[str, int], targeting: Targeting) -> Reach | None:
    """How much of the sampled supply (profile key → requests) ``targeting`` reaches; None
    when nothing was sampled. Keys that do not parse (written by another version) are skipped."""
    total = matched = 0
    for key, count in samples.items():
        try:
            profile = RequestProfile.parse(key)
        except ValueError:
            continue
        total += count
        if targeting.reaches(profile):
            matched += count
    return Reach(share=matched / total, samples=total) if total else None
