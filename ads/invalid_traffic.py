"""General invalid traffic (GIVT): beacons that no viewer's playback sent.

An ad server that bills impressions must keep out what identifies itself as not a viewer,
without needing analysis (the MRC's "general" invalid traffic): robots that say they are robots,
and prefetches. A beacon is judged by the headers it arrives with:

- ``robot``: its User-Agent names a crawler, spider or bot (``Googlebot``, ``AdsBot-Google``,
  ``bingbot``, link previewers such as ``Slackbot`` or ``facebookexternalhit``), a headless
  browser, or a monitoring or page-speed service;
- ``prefetch``: a browser or proxy fetched the URL ahead of time, as it says with
  ``Sec-Purpose``/``Purpose: prefetch``, ``X-Purpose: preview`` or ``X-Moz: prefetch``;
- ``network``: it came from a network the operator excludes (data centres, the publisher's
  own offices and test devices; ``IVT_EXCLUDED_NETWORKS``), judged by the device's address as
  :func:`ads.networks.client_address` finds it. The address is judged, never stored.

A server that fires beacons for a player (server-side ad insertion) passes the device's own
User-Agent in ``X-Device-User-Agent``, as the IAB's SSAI guidelines ask: that is the one judged
and recorded. HTTP libraries (``okhttp``, ``python-httpx``) are not robots here: players and
ad-insertion servers use them.

Invalid beacons are answered like any other (a robot learns nothing), cost nothing, count in no
delivery figure and do not take the beacon's id: the viewer's own beacon of the same ad still
counts. Pure: the beacon endpoints and the sinks apply it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from ads.networks import NO_NETWORKS, NetworkList, client_address

DEVICE_USER_AGENT = b"x-device-user-agent"
"""The header an ad-insertion server puts the device's User-Agent in (IAB SSAI guidelines)."""


class InvalidReason(enum.StrEnum):
    """Why a beacon was not counted."""

    ROBOT = "robot"
    PREFETCH = "prefetch"
    NETWORK = "network"


LABELS: Mapping[InvalidReason, str] = {
    InvalidReason.ROBOT: "Robots and crawlers",
    InvalidReason.PREFETCH: "Prefetches",
    InvalidReason.NETWORK: "Excluded networks",
}

_ROBOT = re.compile(
    r"""
    [a-z]*(?:bot|crawler|spider)(?:[/_;:)\s-]|$)   # Googlebot/2.1, AdsBot-Google, Baiduspider
    | \bcrawl | \bslurp\b | facebookexternalhit | \bembedly\b | \bpreview\b
    | headless | phantomjs | \bpuppeteer\b | \bplaywright\b | \bselenium\b | \bwebdriver\b
    | lighthouse | \bptst\b | gtmetrix | pingdom | uptimerobot | statuscake | site24x7
    | synthetics
    """,
    re.IGNORECASE | re.VERBOSE,
)
_NOT_ROBOTS = re.compile(r"cubot", re.IGNORECASE)
"""Devices whose names end in "bot" (Cubot phones)."""
_PREFETCH_HEADERS = {
    b"sec-purpose": ("prefetch",),
    b"purpose": ("prefetch",),
    b"x-purpose": ("preview", "prefetch"),
    b"x-moz": ("prefetch",),
}
MAX_AGENT_CHARS = 512
"""Longer User-Agents are judged by their start (robots name themselves early)."""


@lru_cache(maxsize=4096)
def is_robot(user_agent: str) -> bool:
    """Whether ``user_agent`` declares a robot: a crawler, a headless browser, a monitor."""
    head = user_agent[:MAX_AGENT_CHARS]
    match = _ROBOT.search(head)
    return match is not None and not _NOT_ROBOTS.match(match.group(0))


def device_agent(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The User-Agent of the device a request is about (raw ASGI header pairs):
    ``X-Device-User-Agent`` when an ad-insertion server sent one, else ``User-Agent``."""
    own = device = None
    for name, value in headers:
        if name == DEVICE_USER_AGENT:
            device = value.decode("latin-1")
        elif name == b"user-agent":
            own = value.decode("latin-1")
    return device or own


@dataclass(frozen=True)
class InvalidTrafficFilter:
    """Judges beacons: the declared rules always, the operator's ``excluded`` networks when
    there are any (the device's address found through the ``trusted`` proxies)."""

    excluded: NetworkList = NO_NETWORKS
    trusted: NetworkList = NO_NETWORKS

    def reason(
        self, headers: Iterable[tuple[bytes, bytes]], user_agent: str | None, peer: str | None
    ) -> InvalidReason | None:
        """Why a beacon arriving with ``headers`` (raw ASGI pairs, names lower-case) over a
        connection from ``peer``, from the device of ``user_agent``, is invalid traffic, or
        None when it counts."""
        for name, value in headers:
            purposes = _PREFETCH_HEADERS.get(name)
            if purposes and any(p in value.decode("latin-1").lower() for p in purposes):
                return InvalidReason.PREFETCH
        if user_agent and is_robot(user_agent):
            return InvalidReason.ROBOT
        if self.excluded:
            address = client_address(headers, peer, self.trusted)
            if address is not None and self.excluded.holds(address):
                return InvalidReason.NETWORK
        return None
