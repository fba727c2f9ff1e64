"""Targeting: the publisher's apps (channels), the device platforms, the content (IAB
categories of the show being watched), the places (ads/geo.py) and the publisher's own
key-values (``genre=comedy``, ``show=the-heist``, ``live=true``) a campaign may run on.

Apps are named by their bundle or store id as players report them (OpenRTB ``app.bundle``:
``com.example.tv`` on Android TV and Fire TV, ``151908`` on Roku, ``id1234567890`` for tvOS),
compared without regard to case. A campaign without target apps runs in every app; one with
them runs only where the request names one of those apps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote

from ads.platforms import Platform
from ads.separation import CATEGORY_CODE, family

MAX_TARGET_APPS = 100
MAX_REQUEST_CONTENT_CATEGORIES = 20
"""Content categories read from one request; more are left unread."""
_BUNDLE = re.compile(r"[A-Za-z0-9._:\-]{1,255}")
MAX_TARGET_KEYS = 10
MAX_TARGET_VALUES = 50
"""Values one key of a campaign's key-values may list."""
MAX_REQUEST_KEYS = 20
MAX_REQUEST_VALUES = 10
"""Keys, and values per key, read from one request; more are left unread."""
_KEY = re.compile(r"[a-z0-9_]{1,40}")
_VALUE = re.compile(r"[a-z0-9_.:\-]{1,100}")
KeyValues = Mapping[str, frozenset[str]]
"""A request's key-values: each key's values, lower-case."""
NO_KEY_VALUES: KeyValues = {}


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


def check_key_values(raw: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """A campaign's key-values as stored (keys and values trimmed and lower-case, values once
    each, sorted); ``ValueError`` saying what is wrong."""
    if len(raw) > MAX_TARGET_KEYS:
        raise ValueError(f"at most {MAX_TARGET_KEYS} keys")
    checked: dict[str, list[str]] = {}
    for key, values in raw.items():
        name = key.strip().lower()
        if not _KEY.fullmatch(name):
            raise ValueError(f"key {key[:50]!r}: 1-40 letters, digits and _ (genre, show_id)")
        if name in checked:
            raise ValueError(f"key {name!r} is given twice")
        cleaned = sorted({value.strip().lower() for value in values})
        if not 1 <= len(cleaned) <= MAX_TARGET_VALUES:
            raise ValueError(f"key {name!r}: 1-{MAX_TARGET_VALUES} values")
        for value in cleaned:
            if not _VALUE.fullmatch(value):
                raise ValueError(
                    f"key {name!r}: value {value[:50]!r} is not 1-100 letters, digits and . _ : -"
                )
        checked[name] = cleaned
    return checked


def request_key_values(raw: Any) -> KeyValues:
    """The key-values a request states: the JSON ``key_values`` object (a value, or a list of
    them, per key) or a VAST tag's ``cust_params`` (a query string, URL-encoded in the tag as
    Google Ad Manager's: ``cust_params=genre%3Dcomedy%2Cdrama%26live%3Dtrue``; encoded twice
    is read too), lower-case, the first
    :data:`MAX_REQUEST_KEYS` keys and :data:`MAX_REQUEST_VALUES` values of each. What is not a
    key or value (an unfilled macro, say) tells nothing and is skipped."""
    if isinstance(raw, str):
        raw = raw[:4096] if "=" in raw else unquote(raw[:4096])  # encoded once more
        pairs: dict[str, list[Any]] = {}
        for key, value in parse_qsl(raw, keep_blank_values=False):
            pairs.setdefault(key, []).extend(value.split(","))
        raw = pairs
    if not isinstance(raw, dict):
        return NO_KEY_VALUES
    read: dict[str, frozenset[str]] = {}
    for key, values in list(raw.items())[:MAX_REQUEST_KEYS]:
        listed = values if isinstance(values, list) else [values]
        kept = frozenset(
            v.strip().lower()
            for v in listed[:MAX_REQUEST_VALUES]
            if isinstance(v, str) and _VALUE.fullmatch(v.strip().lower())
        )
        if isinstance(key, str) and _KEY.fullmatch(key.strip().lower()) and kept:
            read[key.strip().lower()] = kept
    return read


def keyed_for(target_keys: tuple[tuple[str, frozenset[str]], ...], stated: KeyValues) -> bool:
    """Whether a campaign limited to ``target_keys`` may serve a request stating these
    key-values: for each of its keys the request states one of its values."""
    return all(not values.isdisjoint(stated.get(key, ())) for key, values in target_keys)
