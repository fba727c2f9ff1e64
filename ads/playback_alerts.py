"""Playback alerts: when players start failing to play a campaign's ads, and when they play again.

A campaign is *failing* when, over the last hour or so, :data:`ads.player_errors.WARN_AT` of the
ads players tried to play failed before they played (the campaign page's and the digest's rule),
out of at least :data:`MIN_TRIES` tries (fewer say too little). Once failing, it *plays again*
only below :data:`PLAYING_AT`, so that a campaign hovering at the line is not news every minute;
with too few tries to tell it stays as it was. Pure: the catalog sync checks the active campaigns
every minute (storage/playback_alerts.py) and writes each change of state into the campaign's
history, where the webhook picks it up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ads.player_errors import WARN_AT, ErrorCount, failure_rate, lost_before_play, top_code
from ads.vast_errors import vast_error

MIN_TRIES = 50
"""Fewer ads tried than this say too little to call a campaign failing or playing again."""
PLAYING_AT = WARN_AT / 2
"""The failure rate a failing campaign must fall below to play again."""

FAILING, PLAYING = "failing", "playing"
"""The states a playback entry of the history moves between (``changes["playback"]``)."""


def playback_change(
    *, flagged: bool, impressions: int, codes: Sequence[ErrorCount]
) -> dict[str, list[Any]] | None:
    """The history entry's ``changes`` when a campaign (``flagged`` failing or not) changes
    state, from its ``impressions`` and its error beacons per code over the window; None when
    it stays as it was."""
    lost = lost_before_play(codes)
    tries = impressions + lost
    if tries < MIN_TRIES:
        return None
    rate = failure_rate(impressions, lost)
    failing = rate >= PLAYING_AT if flagged else rate >= WARN_AT
    if failing == flagged:
        return None
    before, after = (FAILING, PLAYING) if flagged else (PLAYING, FAILING)
    return {
        "playback": [before, after],
        "failure_rate": [None, rate],
        "tries": [None, tries],
        "error_code": [None, top_code(codes) if failing else None],
    }


def describe(changes: dict[str, list[Any]]) -> str:
    """``players failing to play its ads: 12.5% of 400 tries in the last hour, mostly 405
    (…)`` for a playback entry."""
    state = changes.get("playback", [None, "?"])[-1]
    rate = changes.get("failure_rate", [None, None])[-1]
    tries = changes.get("tries", [None, None])[-1]
    what = "players play its ads again" if state == PLAYING else "players failing to play its ads"
    if rate is None or tries is None:
        return what
    text = f"{what}: {rate * 100:.1f}% of {tries:,} tries failed in the last hour"
    if state == FAILING:
        code = changes.get("error_code", [None, None])[-1]
        named = "without a code" if code is None else str(code)
        text += f", mostly {named} ({vast_error(code).meaning})"
    return text
