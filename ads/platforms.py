"""Device platforms: which kind of screen, and which TV operating system, a request comes from.

Players describe their device in OpenRTB terms (``device.os``, ``make``, ``model``, ``ua``,
``devicetype``) or only by their User-Agent. :func:`platform_of` reads those into one of
:class:`Platform`, so a campaign can be limited to, say, Roku and Fire TV, or to TV screens.
The same reading classifies the User-Agents beacons arrive with, for delivery by platform.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    """Where an ad plays. The TV ones come first; ``other_tv`` is a TV screen (by its device
    type) whose system is none of the named ones."""

    ROKU = "roku"
    FIRE_TV = "fire_tv"
    ANDROID_TV = "android_tv"
    APPLE_TV = "apple_tv"
    SAMSUNG_TV = "samsung_tv"
    LG_TV = "lg_tv"
    VIZIO_TV = "vizio_tv"
    OTHER_TV = "other_tv"
    GAME_CONSOLE = "game_console"
    MOBILE = "mobile"
    DESKTOP = "desktop"


LABELS: Mapping[Platform, str] = {
    Platform.ROKU: "Roku",
    Platform.FIRE_TV: "Amazon Fire TV",
    Platform.ANDROID_TV: "Android TV / Google TV",
    Platform.APPLE_TV: "Apple TV",
    Platform.SAMSUNG_TV: "Samsung TV (Tizen)",
    Platform.LG_TV: "LG TV (webOS)",
    Platform.VIZIO_TV: "Vizio TV (SmartCast)",
    Platform.OTHER_TV: "Other TVs and set-top boxes",
    Platform.GAME_CONSOLE: "Game consoles",
    Platform.MOBILE: "Phones and tablets",
    Platform.DESKTOP: "Computers (web)",
}
TV_PLATFORMS = frozenset(
    {
        Platform.ROKU,
        Platform.FIRE_TV,
        Platform.ANDROID_TV,
        Platform.APPLE_TV,
        Platform.SAMSUNG_TV,
        Platform.LG_TV,
        Platform.VIZIO_TV,
        Platform.OTHER_TV,
    }
)
"""The big screen: what "CTV only" means."""

_TV_TYPES = frozenset({"3", "7", "ctv", "tv", "connected_tv", "connectedtv", "stb", "set_top_box"})
"""Device types of a TV screen: OpenRTB ``devicetype`` 3 (connected TV) and 7 (set-top box),
or the names players use for them."""
_MOBILE_TYPES = frozenset({"1", "4", "5", "mobile", "phone", "tablet"})
_DESKTOP_TYPES = frozenset({"2", "pc", "desktop", "computer", "web"})
_FIRE_TV_MODEL = re.compile(r"\bAFT[A-Z0-9]{1,8}\b")
"""Fire TV devices name their model ``AFTS``, ``AFTMM``, ``AFTKA``… in the User-Agent."""
_MOBILE_WORDS = re.compile(r"\b(?:iphone|ipad|ipod|ios|ipados)\b")
_RULES: tuple[tuple[Platform, tuple[str, ...]], ...] = (
    (Platform.ROKU, ("roku",)),
    (Platform.FIRE_TV, ("fire tv", "firetv")),
    (Platform.VIZIO_TV, ("vizio", "smartcast", "conjure")),
    (Platform.SAMSUNG_TV, ("tizen",)),
    (Platform.LG_TV, ("webos", "web0s", "netcast")),
    (Platform.APPLE_TV, ("tvos", "appletv", "apple tv")),
    (Platform.GAME_CONSOLE, ("xbox", "playstation", "nintendo")),
    (
        Platform.ANDROID_TV,
        ("android tv", "androidtv", "google tv", "googletv", "crkey", "chromecast", "bravia"),
    ),
)
"""Words that name a platform anywhere in the os, make, model or User-Agent (lower-cased), in
the order they are tried: Fire TV and Vizio before Android TV, whose words their agents hold."""
_FIRE_OS_WORDS = ("fire os", "fireos")
"""Fire TV's system, and the Fire tablets' too: a TV only by its device type."""
_DESKTOP_WORDS = ("windows", "macintosh", "mac os", "macos", "x11")
_CACHE_SIZE = 4096


def platform_of(
    *,
    os: str | None = None,
    make: str | None = None,
    model: str | None = None,
    user_agent: str | None = None,
    device_type: str | int | None = None,
) -> Platform | None:
    """The platform these describe, or None when they do not tell (nothing sent, an unfilled
    macro, an agent no rule knows)."""
    kind = str(device_type).strip().lower() if device_type is not None else ""
    tv = kind in _TV_TYPES
    text = " ".join(part for part in (os, make, model, user_agent) if isinstance(part, str))
    if user_agent and _FIRE_TV_MODEL.search(user_agent):
        return Platform.FIRE_TV
    hay = text.lower()
    for platform, words in _RULES:
        if any(word in hay for word in words):
            return platform
    if "samsung" in hay and (tv or "smart-tv" in hay or "smarttv" in hay):
        return Platform.SAMSUNG_TV
    if ("amazon" in hay or any(word in hay for word in _FIRE_OS_WORDS)) and tv:
        return Platform.FIRE_TV
    if any(word in hay for word in _FIRE_OS_WORDS):
        return Platform.MOBILE
    if "android" in hay:
        return Platform.ANDROID_TV if tv else Platform.MOBILE
    if tv:
        return Platform.OTHER_TV
    if kind in _MOBILE_TYPES or _MOBILE_WORDS.search(hay):
        return Platform.MOBILE
    if kind in _DESKTOP_TYPES or any(word in hay for word in _DESKTOP_WORDS):
        return Platform.DESKTOP
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def remembered_platform_of(**description: Any) -> Platform | None:
    """:func:`platform_of`, remembering the last few thousand distinct descriptions (players
    send the same few agents over and over)."""
    return platform_of(**description)


def device_platform(device: Mapping[str, Any] | None, user_agent: str | None) -> Platform | None:
    """The platform of an OpenRTB-style ``device`` object (a server fetching ads for a player
    describes the player there), or failing that of the request's ``user_agent``."""
    if device is None:
        return remembered_platform_of(user_agent=user_agent)
    raw_kind = device.get("devicetype", device.get("type"))
    kind = raw_kind if isinstance(raw_kind, str | int) else None
    described = remembered_platform_of(
        os=_text(device.get("os")),
        make=_text(device.get("make")),
        model=_text(device.get("model")),
        user_agent=_text(device.get("ua")),
        device_type=kind,
    )
    if described not in (None, Platform.OTHER_TV) or not user_agent:
        return described
    return remembered_platform_of(user_agent=user_agent, device_type=kind) or described
