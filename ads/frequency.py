"""Frequency caps: at most ``max_ads`` ads of one campaign per device, or per household, in
any ``hours`` window.

Caps count the ads *served* to a device (an impression needs a serve first, so capping serves
caps impressions too), known by the advertising id players send (OpenRTB's ``device.ifa``).
A household cap counts the ads served to every screen of a home: the home is known by its
internet address (all its devices share one IPv4 address, or one IPv6 /64 prefix), which is
only ever kept as a keyed hash.
:class:`ExposureLog` is what one process knows of recent serves: per device and campaign, the
times of the last serves a cap can need; past ``max_devices`` it forgets the device seen longest
ago, so memory stays bounded however many devices come by.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ads.networks import Address

MAX_CAP_ADS = 100
"""The largest ``max_ads`` of a cap (and how many serves are kept per device and campaign)."""
MAX_CAP_HOURS = 24 * 30
"""The longest window of a cap: 30 days."""
_DEVICE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
"""Advertising ids (UUIDs and the like: 36 characters). Brackets, braces and ``%`` are left out
and 8 characters are needed, so that a macro the player did not fill in (``[IFA]``, ``{ifa}``,
``%%IFA%%``) or a placeholder such as ``-1`` is no device at all (else every player sending it
would share one device, and one cap)."""
_OPTED_OUT = re.compile(r"[0-]+")
"""An all-zero advertising id: the user limited ad tracking, so there is no device to count."""


class CapScope(StrEnum):
    """Whom a cap counts the ads of: one device, or every device of a household."""

    DEVICE = "device"
    HOUSEHOLD = "household"


HOUSEHOLD_PREFIX = "hh:"
"""Starts the key a household's serves are kept under (beside the devices' advertising ids)."""
_HOUSEHOLD_IPV6_PREFIX = 64
"""An IPv6 home network: providers delegate a /64 (or shorter) to each home, and its devices
make up addresses within it."""


@dataclass(frozen=True, slots=True)
class FrequencyCap:
    max_ads: int
    hours: int
    scope: CapScope = CapScope.DEVICE

    @property
    def window_seconds(self) -> int:
        return self.hours * 3600

    def __str__(self) -> str:
        base = f"{self.max_ads}/{self.hours}"
        return base if self.scope is CapScope.DEVICE else f"{base}/{self.scope}"

    @classmethod
    def parse(cls, text: str) -> FrequencyCap:
        """Inverse of ``str()``: ``"3/24"`` is three ads a day per device, ``"3/24/household"``
        per household."""
        max_ads, hours, *scope = text.split("/")
        return cls(max_ads=int(max_ads), hours=int(hours), scope=CapScope(*scope or ["device"]))


def cap_holder(cap: FrequencyCap | None, device: str | None, home: str | None) -> str | None:
    """Whose serves a campaign's ``cap`` counts: the ``device``'s or the household's (``home``,
    its key); None without a cap, or when the one it counts is not known."""
    if cap is None:
        return None
    return home if cap.scope is CapScope.HOUSEHOLD else device


def household_network(address: Address | None) -> str | None:
    """The part of a device's address its whole household shares: an IPv4 address as it is
    (a home's devices leave through one router), an IPv6 address's /64 network. None for an
    address no home is known by: none, or not a public internet address (private and
    carrier-grade NAT ranges hold many homes behind one address; loopback, link-local,
    documentation and reserved ranges hold none)."""
    if address is None or not address.is_global:
        return None
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    return str(ipaddress.IPv6Network((address, _HOUSEHOLD_IPV6_PREFIX), strict=False))


@dataclass(frozen=True, slots=True)
class Exposure:
    """One ad served to a device; ``ad_serving_id`` tells copies of it apart from other serves."""

    device: str
    campaign_id: str
    at: float
    """Unix seconds."""
    ad_serving_id: str


def device_id(value: Any) -> str | None:
    """The advertising id to cap by, or None: missing, not 8-128 letters, digits or ``._:-``,
    or all zeros (limit ad tracking)."""
    if not isinstance(value, str) or not _DEVICE_ID.fullmatch(value):
        return None
    return None if _OPTED_OUT.fullmatch(value) else value


def request_ifa(device: Mapping[str, Any] | None) -> Any:
    """The ``ifa`` of an OpenRTB-style ``device`` object, as sent (see :func:`device_id`)."""
    return None if device is None else device.get("ifa")


def request_ip(device: Mapping[str, Any] | None) -> Any:
    """The address an OpenRTB-style ``device`` object states (``ip``, else ``ipv6``), as sent."""
    return None if device is None else device.get("ip") or device.get("ipv6")


class ExposureLog:
    """Recent serves per device and campaign, for :meth:`allows` to check caps against."""

    __slots__ = ("_devices", "_max_devices")

    def __init__(self, *, max_devices: int = 1_000_000) -> None:
        self._max_devices = max_devices
        self._devices: OrderedDict[str, dict[str, list[tuple[float, str]]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._devices)

    def knows(self, device: str) -> bool:
        return device in self._devices

    def devices(self) -> list[str]:
        """Every device kept, the one seen longest ago first."""
        return list(self._devices)

    def allows(self, device: str, campaign_id: str, cap: FrequencyCap, now: float) -> bool:
        """Whether one more ad of ``campaign_id`` keeps ``device`` within ``cap`` at ``now``."""
        campaigns = self._devices.get(device)
        if campaigns is None:
            return True
        served = campaigns.get(campaign_id)
        if served is None or len(served) < cap.max_ads:
            return True
        return served[-cap.max_ads][0] <= now - cap.window_seconds

    def remember(self, device: str) -> dict[str, list[tuple[float, str]]]:
        """``device``'s serves by campaign, the device now the most recently seen (an empty
        entry when it had none: what the shared store said of it is known)."""
        campaigns = self._devices.get(device)
        if campaigns is None:
            campaigns = self._devices[device] = {}
            if len(self._devices) > self._max_devices:
                self._devices.popitem(last=False)  # the device seen longest ago
        else:
            self._devices.move_to_end(device)
        return campaigns

    def record(self, exposure: Exposure) -> None:
        """One serve; a copy of one already recorded (same ad serving id) changes nothing."""
        served = self.remember(exposure.device).setdefault(exposure.campaign_id, [])
        entry = (exposure.at, exposure.ad_serving_id)
        if not served or served[-1][0] < exposure.at:
            served.append(entry)  # the usual case: this replica's own serve
        elif entry not in served:
            served.append(entry)
            served.sort()
        if len(served) > MAX_CAP_ADS:
            del served[0]

    def merge(self, exposures: Iterable[Exposure]) -> None:
        """Serves made elsewhere (another replica, or the shared store)."""
        for exposure in exposures:
            self.record(exposure)


def encode_batch(exposures: Iterable[Exposure], *, origin: str) -> str:
    """A batch of serves as one replica publishes it to the others."""
    rows = [[e.device, e.campaign_id, e.at, e.ad_serving_id] for e in exposures]
    return json.dumps({"origin": origin, "serves": rows}, separators=(",", ":"))


def decode_batch(message: bytes | str, *, origin: str) -> list[Exposure]:
    """The serves another replica published; [] for our own batch or a malformed message."""
    try:
        body = json.loads(message)
        if body["origin"] == origin:
            return []
        return [
            Exposure(str(device), str(campaign), float(at), str(serving))
            for device, campaign, at, serving in body["serves"]
        ]
    except (ValueError, KeyError, TypeError):
        return []
