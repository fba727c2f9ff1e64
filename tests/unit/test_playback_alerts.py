"""Playback alerts (pure): when a campaign's ads fail to play often enough to be news, and when
they play again."""

from __future__ import annotations

import pytest

from ads.notifications import notified, text
from ads.playback_alerts import FAILING, MIN_TRIES, PLAYING, describe, playback_change
from ads.player_errors import ErrorCount
from tests.unit.test_notifications import entry


def errors(*counts: tuple[int | None, int, int]) -> list[ErrorCount]:
    """Error beacons per (code, errors, of which after the impression)."""
    return [ErrorCount(None, code, n, after) for code, n, after in counts]


def test_too_few_tries_say_nothing_either_way() -> None:
    lost = errors((405, MIN_TRIES - 1, 0))
    assert playback_change(flagged=False, impressions=0, codes=lost) is None
    assert playback_change(flagged=True, impressions=MIN_TRIES - 1, codes=[]) is None


def test_one_ad_in_fifty_lost_before_it_played_is_failing() -> None:
    # 49 played, 1 lost before playing (and 3 stopped during playback: not lost tries).
    change = playback_change(flagged=False, impressions=49, codes=errors((405, 1, 0), (402, 3, 3)))
    assert change == {
        "playback": [PLAYING, FAILING],
        "failure_rate": [None, 0.02],
        "tries": [None, 50],
        "error_code": [None, 402],  # the code of most errors, as the digest names it
    }
    assert playback_change(flagged=False, impressions=50, codes=errors((405, 1, 0))) is None
    assert playback_change(flagged=True, impressions=49, codes=errors((405, 1, 0))) is None


@pytest.mark.parametrize(
    ("impressions", "lost", "playing_again"),
    [(99, 1, False), (199, 1, True), (1_000, 0, True)],
)
def test_a_failing_campaign_plays_again_only_below_half_the_warning_rate(
    impressions: int, lost: int, playing_again: bool
) -> None:
    change = playback_change(flagged=True, impressions=impressions, codes=errors((405, lost, 0)))
    if not playing_again:  # 1.0% is not under 1%
        assert change is None
        return
    assert change is not None
    assert change["playback"] == [FAILING, PLAYING] and change["error_code"] == [None, None]


def test_the_alert_names_the_rate_the_tries_and_the_code() -> None:
    failing = playback_change(flagged=False, impressions=300, codes=errors((405, 100, 0)))
    assert failing is not None
    assert describe(failing) == (
        "players failing to play its ads: 25.0% of 400 tries failed in the last hour, mostly 405"
        " (The player could not display the video file)"
    )
    uncoded = playback_change(flagged=False, impressions=10, codes=errors((None, 90, 0)))
    assert uncoded is not None
    assert ", mostly without a code (No code given" in describe(uncoded)
    again = playback_change(flagged=True, impressions=2_000, codes=[])
    assert again is not None
    assert (
        describe(again) == "players play its ads again: 0.0% of 2,000 tries failed in the last hour"
    )


def test_playback_alerts_are_news() -> None:
    change = playback_change(flagged=False, impressions=0, codes=errors((403, 60, 0)))
    assert change is not None
    news = entry("playback", change, actor="ad server (automatic)")
    assert notified(news)
    assert text(news).startswith(
        'Campaign “Spring <Sale> & "more"”: players failing to play its ads: 100.0% of 60 tries'
    )
    assert text(news).endswith("by ad server (automatic)")
