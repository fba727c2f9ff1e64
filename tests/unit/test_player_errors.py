"""The player-error report: errors split by code, creative and platform, with the failure rate;
the campaigns the digest names."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from ads.platforms import Platform
from ads.player_errors import (
    AgentErrors,
    CampaignFailures,
    ErrorCount,
    FailingCampaign,
    failing_campaigns,
    player_error_report,
)
from ads.vast_errors import ErrorFamily

START = datetime(2026, 12, 1, tzinfo=UTC)
END = datetime(2026, 12, 8, tzinfo=UTC)
ROKU = "Roku/DVP-12.5 (12.5.0.4142-AE)"
WEBOS = "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36"
SPOT, TEASER, GONE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def report(
    counts: list[ErrorCount], agents: list[AgentErrors], *, impressions: int = 100
) -> dict[str, Any]:
    return player_error_report(
        campaign_id=uuid.uuid4(),
        start=START,
        end=END,
        impressions=impressions,
        read=(counts, agents),
        creative_names={SPOT: "Spot 30s", TEASER: "Teaser 15s"},
    ).model_dump(by_alias=True)


def test_errors_are_split_by_code_creative_and_platform_with_the_failure_rate() -> None:
    counts = [
        ErrorCount(SPOT, 403, errors=6, after_impression=0),
        ErrorCount(SPOT, 405, errors=2, after_impression=2),
        ErrorCount(TEASER, 402, errors=3, after_impression=1),
        ErrorCount(GONE, None, errors=1, after_impression=0),
    ]
    agents = [
        AgentErrors(WEBOS, 403, 6),
        AgentErrors(ROKU, 402, 3),
        AgentErrors(ROKU, 405, 2),
        AgentErrors(None, None, 1),
    ]
    got = report(counts, agents, impressions=91)
    # 12 errors, 9 of ads that never played: 9 of the 100 ads players tried (91 + 9).
    assert (got["errors"], got["before_play"], got["failure_rate"]) == (12, 9, 0.09)
    assert got["impressions"] == 91 and (got["from"], got["to"]) == (START, END)
    codes = [(r["code"], r["errors"], r["before_play"], r["share"]) for r in got["codes"]]
    assert codes == [(403, 6, 6, 0.5), (402, 3, 2, 0.25), (405, 2, 0, 0.1667), (None, 1, 1, 0.0833)]
    assert got["codes"][0]["meaning"] == "No video file the player can play"
    assert got["codes"][0]["family"] == ErrorFamily.VIDEO
    creatives = [
        (r["creative_id"], r["name"], r["errors"], r["before_play"], r["top_code"])
        for r in got["creatives"]
    ]
    assert creatives == [
        (SPOT, "Spot 30s", 8, 6, 403),
        (TEASER, "Teaser 15s", 3, 2, 402),
        (GONE, None, 1, 1, None),
    ]
    platforms = [(r["platform"], r["label"], r["errors"], r["top_code"]) for r in got["platforms"]]
    assert platforms == [
        (Platform.LG_TV, "LG TV (webOS)", 6, 403),
        (Platform.ROKU, "Roku", 5, 402),
        (None, "Unknown device", 1, None),
    ]


def test_errors_of_agents_not_read_count_as_an_unknown_device_listed_last() -> None:
    counts = [ErrorCount(SPOT, 401, errors=10, after_impression=0)]
    got = report(counts, [AgentErrors(ROKU, 401, 3)], impressions=0)
    assert [(r["label"], r["errors"]) for r in got["platforms"]] == [
        ("Roku", 3),
        ("Unknown device", 7),
    ]
    assert got["failure_rate"] == 1.0  # no ad played at all


def test_no_errors_is_an_empty_report_and_a_timeout_leaves_the_split_out() -> None:
    empty = report([], [], impressions=0)
    assert (empty["errors"], empty["failure_rate"], empty["codes"]) == (0, 0.0, [])
    timed_out = player_error_report(
        campaign_id=uuid.uuid4(),
        start=START,
        end=END,
        impressions=40,
        read=None,
        creative_names={},
    )
    assert timed_out.codes is None and timed_out.creatives == [] and timed_out.impressions == 40


def test_campaigns_failing_one_ad_in_fifty_or_more_are_listed_worst_first() -> None:
    a, b, c = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
    campaigns = [
        CampaignFailures(a, "Two in a hundred", 98, [ErrorCount(None, 405, 2, 0)]),
        CampaignFailures(b, "One in a hundred", 99, [ErrorCount(None, 402, 1, 0)]),
        CampaignFailures(
            c,
            "Half",
            10,
            [ErrorCount(None, 403, 10, 0), ErrorCount(None, 402, 30, 30)],  # 30 during play
        ),
    ]
    assert failing_campaigns(campaigns) == [
        FailingCampaign(c, "Half", 0.5, 402),  # most errors are 402s, most losses 403s
        FailingCampaign(a, "Two in a hundred", 0.02, 405),
    ]
    never_played = CampaignFailures(a, "Dark", 0, [ErrorCount(None, None, 3, 0)])
    assert failing_campaigns([never_played]) == [FailingCampaign(a, "Dark", 1.0, None)]
