"""Targeting: the publisher's apps (channels), the device platforms, the content (IAB
categories of the show being watched) and the places (ads/geo.py) a campaign may run on.

Apps are named by their bundle or store id as players report them (OpenRTB ``app.bundle``:
``com.example.tv`` on Android TV and Fire TV, ``151908`` on Roku, ``id1234567890`` for tvOS),
compared without regard to case. A campaign without target apps runs in every app; one with
them runs only where the request names one of those apps.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from ads.platforms import Platform
from ads.separation import CATEGORY_CODE, family

MAX_TARGET_APPS = 100
MAX_REQUEST_CONTENT_CATEGORIES = 20
"""Content categories read from one request; more are left unread."""
_BUNDLE = re.compile(r"[A-Za-z0-9._:\-]{1,255}")


def check_app_bundle(value: str) -> str:
    """An app bundle as a campaign stores it (trimmed, lower-case); ``ValueError`` saying why
    it is not one."""
    value = value.strip()
    if not _BUNDLE.fullmatch(value):
        raise ValueError(
            "an app bundle is 1-255 letters, digits and . _ : - (e.g. com.example.tv or 151908)"
        )
    return value.lower()


def request_app_bundle(raw: Any) -> str | None:
    """The app a request names (as the player sent it), lower-case; None when it names none, or
    something that is not a bundle (an unfilled ``[APPBUNDLE]`` macro, say)."""
    if not isinstance(raw, str) or not _BUNDLE.fullmatch(raw):
        return None
    return raw.lower()


class Targeted(Protocol):
    """What a campaign is limited to (a catalog campaign, or a targeting being forecast)."""

    @property
    def target_apps(self) -> frozenset[str]: ...
    @property
    def target_platforms(self) -> frozenset[Platform]: ...
    @property
    def target_content(self) -> frozenset[str]: ...
    @property
    def target_geo(self) -> frozenset[str]: ...


def runs_in(campaign: Targeted, app: str | None) -> bool:
    """Whether ``campaign`` may serve a request from ``app`` (:func:`request_app_bundle`)."""
    return not campaign.target_apps or app in campaign.target_apps


def plays_on(campaign: Targeted, platform: Platform | None) -> bool:
    """Whether ``campaign`` may serve a request from ``platform`` (None: not known; see
    :func:`ads.platforms.platform_of`)."""
    return not campaign.target_platforms or platform in campaign.target_platforms


def request_content_categories(raw: Any) -> frozenset[str]:
    """The IAB content categories a request says its content is in: OpenRTB's ``content.cat``
    (a list) or a VAST tag's ``content_cat`` (comma-separated), upper-cased, the first
    :data:`MAX_REQUEST_CONTENT_CATEGORIES` read. What is not a category code (an unfilled macro,
    a typo) tells nothing and is skipped: the player still gets the untargeted campaigns."""
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list):
        return frozenset()
    codes = (c.strip().upper() for c in raw[:MAX_REQUEST_CONTENT_CATEGORIES] if isinstance(c, str))
    return frozenset(code for code in codes if CATEGORY_CODE.fullmatch(code))


def shows_in(campaign: Targeted, content: frozenset[str]) -> bool:
    """Whether ``campaign`` may serve in content of these categories
    (:func:`request_content_categories`): one of them is a target, or in a targeted family."""
    targets = campaign.target_content
    return not targets or any(code in targets or family(code) in targets for code in content)


def located_in(campaign: Targeted, places: frozenset[str]) -> bool:
    """Whether ``campaign`` may serve a viewer in these places (:func:`ads.geo.request_places`:
    a country, and maybe one of its regions): one of them is a target."""
    targets = campaign.target_geo
    return not targets or not targets.isdisjoint(places)
