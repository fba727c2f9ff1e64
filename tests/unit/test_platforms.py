"""Platform reading from OpenRTB device fields and User-Agents, and platform targeting."""

from __future__ import annotations

import pytest

from ads.platforms import (
    TV_PLATFORMS,
    Platform,
    device_platform,
    platform_of,
    remembered_platform_of,
)
from ads.targeting import plays_on
from tests.unit.catalog_factories import campaign

AGENTS = {
    "Roku/DVP-12.5 (12.5.0.4142-AE)": Platform.ROKU,
    "Mozilla/5.0 (Linux; Android 9; AFTKA Build/PS7624.3337N; wv) AppleWebKit/537.36": (
        Platform.FIRE_TV
    ),
    "Mozilla/5.0 (Linux; Android 11; AFTMM Build/RS8101.1849N) Chrome/108.0": Platform.FIRE_TV,
    "Mozilla/5.0 (Linux; Android 12; BRAVIA 4K VH2 Build/STT2.221011.001)": Platform.ANDROID_TV,
    "Mozilla/5.0 (Linux; Android 12.0; Build/STTL.240206.004) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 CrKey/1.56.500000 DeviceType/AndroidTV": (
        Platform.ANDROID_TV
    ),
    "AppleCoreMedia/1.0.0.21K69 (Apple TV; U; CPU OS 17_1 like Mac OS X; en_us)": (
        Platform.APPLE_TV
    ),
    "Mozilla/5.0 (SMART-TV; LINUX; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "7.0 TV Safari/537.36": Platform.SAMSUNG_TV,
    "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 Chrome/87.0 WebAppManager": (
        Platform.LG_TV
    ),
    "Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 Chrome/92.0 Safari/537.36 CrKey/1.0.999999 "
    "VIZIO SmartCast(Conjure/MTKF-6.0.38.3-1)": Platform.VIZIO_TV,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 Edge/44.18363": (
        Platform.GAME_CONSOLE
    ),
    "Mozilla/5.0 (PlayStation; PlayStation 5/6.50) AppleWebKit/605.1.15": Platform.GAME_CONSOLE,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148": (
        Platform.MOBILE
    ),
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 Chrome/120.0 Mobile": (
        Platform.MOBILE
    ),
    "Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 Silk/120.3": Platform.MOBILE,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36": (
        Platform.DESKTOP
    ),
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.2": (
        Platform.DESKTOP
    ),
}


@pytest.mark.parametrize(("agent", "platform"), AGENTS.items())
def test_user_agents_name_their_platform(agent: str, platform: Platform) -> None:
    assert platform_of(user_agent=agent) is platform


@pytest.mark.parametrize(
    ("fields", "platform"),
    [
        ({"os": "RokuOS", "make": "Roku", "device_type": "ctv"}, Platform.ROKU),
        ({"os": "Fire OS", "make": "Amazon", "device_type": 3}, Platform.FIRE_TV),
        ({"os": "Fire OS", "make": "Amazon", "device_type": 5}, Platform.MOBILE),
        ({"os": "Android", "make": "Amazon", "device_type": "ctv"}, Platform.FIRE_TV),
        ({"os": "Android", "make": "Sony", "device_type": 3}, Platform.ANDROID_TV),
        ({"os": "Android", "make": "Samsung", "device_type": 4}, Platform.MOBILE),
        ({"os": "Tizen", "make": "Samsung"}, Platform.SAMSUNG_TV),
        ({"make": "Samsung", "device_type": "ctv"}, Platform.SAMSUNG_TV),
        ({"os": "tvOS", "make": "Apple"}, Platform.APPLE_TV),
        ({"os": "iOS", "make": "Apple"}, Platform.MOBILE),
        ({"os": "webOS TV", "make": "LG"}, Platform.LG_TV),
        ({"os": "Linux", "make": "Hisense", "device_type": 7}, Platform.OTHER_TV),
        ({"device_type": "desktop"}, Platform.DESKTOP),
    ],
)
def test_openrtb_device_fields_name_their_platform(
    fields: dict[str, str | int], platform: Platform
) -> None:
    assert platform_of(**fields) is platform  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [{}, {"user_agent": "[DEVICEUA]"}, {"user_agent": "curl/8.5.0"}, {"os": "Linux"}],
)
def test_nothing_telling_reads_as_no_platform(fields: dict[str, str]) -> None:
    assert platform_of(**fields) is None


def test_the_tv_platforms_are_those_of_the_big_screen() -> None:
    assert Platform.ROKU in TV_PLATFORMS and Platform.OTHER_TV in TV_PLATFORMS
    assert not {Platform.MOBILE, Platform.DESKTOP, Platform.GAME_CONSOLE} & TV_PLATFORMS


def test_reader_takes_the_device_object_before_the_request_agent() -> None:
    desktop, roku = AGENTS_BY_PLATFORM[Platform.DESKTOP], AGENTS_BY_PLATFORM[Platform.ROKU]
    assert device_platform({"os": "RokuOS", "ifa": "x"}, desktop) is Platform.ROKU
    assert device_platform({"ua": "Roku/DVP-12.5"}, desktop) is Platform.ROKU
    assert device_platform({"os": "iOS", "make": "Apple"}, roku) is Platform.MOBILE
    assert device_platform({"ifa": "x", "os": 7, "devicetype": [3]}, desktop) is Platform.DESKTOP
    assert device_platform({"type": "ctv"}, roku) is Platform.ROKU
    assert device_platform({"type": "ctv"}, "curl/8.5.0") is Platform.OTHER_TV
    assert device_platform({"type": "ctv"}, None) is Platform.OTHER_TV
    assert device_platform(None, desktop) is Platform.DESKTOP
    assert device_platform({}, None) is None


def test_reader_answers_repeated_devices_the_same_and_stays_bounded() -> None:
    for n in range(10_000):
        assert remembered_platform_of(user_agent=f"Roku/DVP-{n}") is Platform.ROKU
    assert remembered_platform_of(user_agent="Roku/DVP-1") is Platform.ROKU
    assert remembered_platform_of.cache_info().currsize <= 4096


AGENTS_BY_PLATFORM = {platform: agent for agent, platform in AGENTS.items()}


def test_untargeted_campaigns_play_everywhere_targeted_ones_only_where_named() -> None:
    assert plays_on(campaign(1), None)
    assert plays_on(campaign(1), Platform.MOBILE)
    targeted = campaign(2, target_platforms=frozenset({Platform.ROKU, Platform.FIRE_TV}))
    assert plays_on(targeted, Platform.FIRE_TV)
    assert not plays_on(targeted, Platform.APPLE_TV)
    assert not plays_on(targeted, None)
