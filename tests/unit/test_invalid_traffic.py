"""Invalid traffic: which beacons are robots or prefetches, and whose User-Agent is judged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.invalid_traffic import InvalidReason, InvalidTrafficFilter, device_agent, is_robot
from ads.networks import NetworkList

PLAYERS = [
    "Roku/DVP-14.0 (14.0.4.1234-AE)",
    "Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (SMART-TV; LINUX; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "7.0 TV Safari/537.36",
    "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/87.0.4280.88 Safari/537.36 WebAppManager",
    "AppleCoreMedia/1.0.0.21K69 (Apple TV; U; CPU OS 17_2 like Mac OS X; en_us)",
    "ExoPlayerLib/2.19.1",
    "okhttp/4.12.0",
    "Dalvik/2.1.0 (Linux; U; Android 12; CUBOT KINGKONG 7 Build/SP1A.210812.016)",
    "Mozilla/5.0 (Linux; Android 10; CUBOT_X19) AppleWebKit/537.36 Chrome/118.0 Mobile",
    "python-httpx/0.27.0",
    "Mozilla/5.0 (PlayStation; PlayStation 5/6.50) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox Series X) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/48.0.2564.82 Safari/537.36 Edge/20.02",
]


def invalid_reason(headers: list[tuple[bytes, bytes]], agent: str | None) -> InvalidReason | None:
    """The judgement with no networks excluded."""
    return InvalidTrafficFilter().reason(headers, agent, None)


ROBOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "AdsBot-Google (+http://www.google.com/adsbot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
    "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
    "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
    "Datadog/Synthetics",
    "CCBot/2.0 (https://commoncrawl.org/faq/)",
    "some-crawler",
]


@pytest.mark.parametrize("agent", PLAYERS)
def test_players_and_http_libraries_are_not_robots(agent: str) -> None:
    assert not is_robot(agent)
    assert invalid_reason([(b"user-agent", agent.encode())], agent) is None


@pytest.mark.parametrize("agent", ROBOTS)
def test_declared_robots_are_invalid(agent: str) -> None:
    assert invalid_reason([], agent) is InvalidReason.ROBOT
    assert invalid_reason([], agent.upper()) is InvalidReason.ROBOT


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (b"sec-purpose", b"prefetch"),
        (b"sec-purpose", b"prefetch;prerender"),
        (b"purpose", b"Prefetch"),
        (b"x-purpose", b"preview"),
        (b"x-moz", b"prefetch"),
    ],
)
def test_prefetches_are_invalid_whoever_sends_them(name: bytes, value: bytes) -> None:
    assert invalid_reason([(name, value)], PLAYERS[0]) is InvalidReason.PREFETCH


def test_other_purposes_and_no_agent_count() -> None:
    assert invalid_reason([(b"sec-purpose", b"prerender-until-script")], None) is None
    assert invalid_reason([(b"x-purpose", b"")], "") is None


def test_an_insertion_servers_device_agent_is_the_one_judged() -> None:
    ssai = [(b"user-agent", b"Go-http-client/1.1"), (b"x-device-user-agent", PLAYERS[0].encode())]
    assert device_agent(ssai) == PLAYERS[0]
    assert device_agent(list(reversed(ssai))) == PLAYERS[0]
    assert device_agent([(b"user-agent", b"Roku/DVP-9")]) == "Roku/DVP-9"
    assert device_agent([(b"x-device-user-agent", b"")]) is None
    robot_behind_ssai = [(b"user-agent", b"ssai/1"), (b"x-device-user-agent", ROBOTS[0].encode())]
    agent = device_agent(robot_behind_ssai)
    assert invalid_reason(robot_behind_ssai, agent) is InvalidReason.ROBOT


def test_a_robot_naming_itself_past_the_judged_length_is_missed() -> None:
    assert not is_robot("x" * 600 + " Googlebot/2.1")
    assert is_robot("x" * 400 + " Googlebot/2.1")


@given(st.text(max_size=300))
def test_any_agent_is_judged_without_error(agent: str) -> None:
    assert invalid_reason([(b"user-agent", agent.encode("utf-8", "replace"))], agent) in (
        None,
        InvalidReason.ROBOT,
    )


EXCLUDED = InvalidTrafficFilter(
    excluded=NetworkList.parse("198.51.100.0/24, 2001:db8:bad::/48"),
    trusted=NetworkList.parse("127.0.0.0/8, 10.0.0.0/8"),
)


@pytest.mark.parametrize(
    ("headers", "peer", "reason"),
    [
        ([], "198.51.100.7", InvalidReason.NETWORK),
        ([], "203.0.113.9", None),
        ([(b"x-forwarded-for", b"198.51.100.7")], "127.0.0.1", InvalidReason.NETWORK),
        (
            [(b"x-forwarded-for", b"2001:db8:bad::1, 10.1.2.3")],
            "::ffff:127.0.0.1",
            InvalidReason.NETWORK,
        ),
        # A device in an excluded network cannot hide behind an address it writes itself.
        ([(b"x-forwarded-for", b"203.0.113.9")], "198.51.100.7", InvalidReason.NETWORK),
        # ... and one outside it cannot be excluded by one either.
        ([(b"x-forwarded-for", b"198.51.100.7, 203.0.113.9")], "127.0.0.1", None),
        # An ad-insertion server in a data centre says which device it fetches for.
        ([(b"x-device-ip", b"203.0.113.9")], "198.51.100.7", None),
        ([(b"x-device-ip", b"198.51.100.8")], "203.0.113.1", InvalidReason.NETWORK),
        # Unknowable: counted.
        ([(b"x-forwarded-for", b"unknown")], "127.0.0.1", None),
        ([], None, None),
    ],
)
def test_excluded_networks_judge_the_device_address(
    headers: list[tuple[bytes, bytes]], peer: str | None, reason: InvalidReason | None
) -> None:
    assert EXCLUDED.reason(headers, PLAYERS[0], peer) is reason


def test_declared_reasons_come_before_the_network() -> None:
    assert EXCLUDED.reason([], ROBOTS[0], "198.51.100.7") is InvalidReason.ROBOT
    prefetch = [(b"sec-purpose", b"prefetch")]
    assert EXCLUDED.reason(prefetch, PLAYERS[0], "198.51.100.7") is InvalidReason.PREFETCH
