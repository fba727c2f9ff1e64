"""Privacy signals of an ad request, and what they allow done with the device's advertising id.

The id is read for two things: frequency caps (how many ads of a campaign a device saw) and
reach (the device key the beacons carry). Both are off when the player says the user limited
ad tracking (OpenRTB ``device.lmt`` or ``device.dnt``, VAST ``[LIMITADTRACKING]``) or that the
app is directed at children (``regs.coppa``, COPPA). Where GDPR applies (``regs.gdpr``, VAST
``[REGULATIONS]`` naming ``gdpr``; or, by the :class:`GdprPolicy`, for requests that do not say
whether it applies from viewers in :data:`GDPR_COUNTRIES`, or for every request), the user's IAB
TCF v2 consent string decides: reading the id needs consent to purpose 1 (store and/or access
information on a device); caps need purpose 2 (use limited data to select advertising) and
reach purpose 7 (measure advertising performance), each by consent or legitimate interest; with
``vendor_id`` set (the server's own id in the Global Vendor List) the string must give that
vendor consent too. No string, or one that does not decode, is no consent. A request that says
nothing is taken as allowing both (an unfilled macro says nothing).

The ad is served either way: these signals limit what is remembered of the device, not whether
the viewer sees an ad.
"""

from __future__ import annotations

import base64
import binascii
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

STORE_ON_DEVICE, SELECT_ADS, MEASURE_ADS = 1, 2, 7
"""The TCF purposes the device id needs: read it, cap by it, count reach by it."""
MAX_CONSENT_CHARS = 4096
"""Longer consent strings are not decoded (no consent)."""

# TCF v2 core segment: bit offsets and widths of the fields read here.
_VERSION = (0, 6)
_PURPOSES_CONSENT = 152
_PURPOSES_LEGITIMATE_INTEREST = 176
_VENDOR_SECTION = 213
_CORE_BITS = _VENDOR_SECTION + 17
"""The core segment up to the vendor section's MaxVendorId and IsRangeEncoding."""


class Limit(enum.StrEnum):
    """Why the device id went unused (the decision metrics count each)."""

    LIMIT_AD_TRACKING = "lmt"
    CHILD_DIRECTED = "coppa"
    NO_GDPR_CONSENT = "gdpr"


@dataclass(frozen=True, slots=True)
class DeviceUse:
    """What a request lets the server do with its device id."""

    caps: bool
    reach: bool
    limit: Limit | None = None
    """Why ``caps`` or ``reach`` is off, or None (COPPA first: it also keeps out the campaigns
    that exclude child-directed apps)."""

    @property
    def child_directed(self) -> bool:
        return self.limit is Limit.CHILD_DIRECTED


FULL_USE = DeviceUse(caps=True, reach=True)

GDPR_COUNTRIES = frozenset(
    # The European Union's 27 members, the rest of the EEA, the United Kingdom (UK GDPR) and
    # Switzerland (revFADP; the TCF is used there too).
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
        "GB",
        "CH",
    ]
)


class GdprScope(enum.StrEnum):
    """Which requests GDPR is taken to apply to when they do not say (``GDPR_APPLIES``)."""

    SIGNALLED = "signalled"
    """Only those that say it applies."""
    BY_PLACE = "by_place"
    """Also those, not saying, whose viewer is in :data:`GDPR_COUNTRIES`."""
    ALWAYS = "always"
    """Every request, whatever it says (a publisher whose audience is all in Europe)."""


@dataclass(frozen=True, slots=True)
class GdprPolicy:
    """How this server applies GDPR: its scope, and its own Global Vendor List id, if any."""

    scope: GdprScope = GdprScope.SIGNALLED
    vendor_id: int | None = None

    def applies(self, stated: bool | None, places: Callable[[], frozenset[str]]) -> bool:
        """Whether GDPR applies to a request that ``stated`` so (None: it did not say), whose
        viewer's ``places`` are read only when they decide."""
        if self.scope is GdprScope.ALWAYS:
            return True
        if stated is not None:
            return stated
        return self.scope is GdprScope.BY_PLACE and not places().isdisjoint(GDPR_COUNTRIES)


class NotTcfString(ValueError):
    """The text is not an IAB TCF v2 consent string."""


@dataclass(frozen=True, slots=True)
class _Bits:
    """A big-endian bit string read by offset."""

    value: int
    size: int

    @classmethod
    def of(cls, data: bytes) -> _Bits:
        return cls(int.from_bytes(data, "big"), len(data) * 8)

    def uint(self, offset: int, width: int) -> int:
        if offset + width > self.size:
            raise NotTcfString("the consent string ends early")
        return (self.value >> (self.size - offset - width)) & ((1 << width) - 1)

    def flag(self, offset: int) -> bool:
        return bool(self.uint(offset, 1))


@dataclass(frozen=True, slots=True)
class TcfConsent:
    """What a TCF v2 string's core segment grants (purposes and vendors are 1-based)."""

    purposes_consent: frozenset[int]
    purposes_legitimate_interest: frozenset[int]
    core: _Bits
    """The segment itself, for :meth:`vendor_consent` to read (a vendor set is never built:
    a crafted string's ranges could name every one of 65,535 vendors)."""

    def purpose(self, purpose: int) -> bool:
        """Consent or legitimate interest for ``purpose``."""
        return purpose in self.purposes_consent or purpose in self.purposes_legitimate_interest

    def vendor_consent(self, vendor: int) -> bool:
        """Whether ``vendor`` has consent: its bit, or a range of the list naming it;
        :class:`NotTcfString` when the section is cut short or out of order."""
        bits, at = self.core, _VENDOR_SECTION
        max_vendor = bits.uint(at, 16)
        if not bits.flag(at + 16):
            return 1 <= vendor <= max_vendor and bits.flag(at + 16 + vendor)
        entries = bits.uint(at + 17, 12)
        at += 29
        for _ in range(entries):
            is_range = bits.flag(at)
            first = bits.uint(at + 1, 16)
            last = bits.uint(at + 17, 16) if is_range else first
            at += 33 if is_range else 17
            if not 1 <= first <= last <= max_vendor:
                raise NotTcfString("a vendor range out of order")
            if first <= vendor <= last:
                return True
        return False

    @classmethod
    def parse(cls, text: str) -> TcfConsent:
        """:class:`NotTcfString` when ``text`` is not a TCF v2 string."""
        core = text.split(".", 1)[0]
        if not core or len(core) > MAX_CONSENT_CHARS:
            raise NotTcfString("no consent string")
        try:
            data = base64.urlsafe_b64decode(core + "=" * (-len(core) % 4))
        except (binascii.Error, ValueError):
            raise NotTcfString("not base64url") from None
        bits = _Bits.of(data)
        if bits.size < _CORE_BITS:
            raise NotTcfString("the consent string ends early")
        if bits.uint(*_VERSION) != 2:
            raise NotTcfString("not a TCF v2 string")
        return cls(
            purposes_consent=_set_bits(bits, _PURPOSES_CONSENT, 24),
            purposes_legitimate_interest=_set_bits(bits, _PURPOSES_LEGITIMATE_INTEREST, 24),
            core=bits,
        )


def _set_bits(bits: _Bits, offset: int, count: int) -> frozenset[int]:
    """The 1-based numbers of the set bits of a ``count``-bit field."""
    field = bits.uint(offset, count)
    return frozenset(n + 1 for n in range(count) if field >> (count - 1 - n) & 1)


@lru_cache(maxsize=4096)
def gdpr_use(consent: str | None, *, vendor_id: int | None) -> DeviceUse:
    """What a TCF ``consent`` string (None: none sent) allows where GDPR applies; cached, since
    a viewer's string comes with each of its requests (an entry is the string and a flag)."""
    refused = DeviceUse(caps=False, reach=False, limit=Limit.NO_GDPR_CONSENT)
    try:
        granted = TcfConsent.parse(consent) if consent else None
        if (
            granted is None
            or STORE_ON_DEVICE not in granted.purposes_consent
            or (vendor_id is not None and not granted.vendor_consent(vendor_id))
        ):
            return refused
    except NotTcfString:
        return refused
    caps, reach = granted.purpose(SELECT_ADS), granted.purpose(MEASURE_ADS)
    return DeviceUse(caps, reach, None if caps and reach else Limit.NO_GDPR_CONSENT)


def _says_yes(value: Any) -> bool:
    """An OpenRTB flag set: 1 (or true, or "1"); anything else is not set."""
    return value is True or value == 1 or value == "1"


def _flag(value: Any) -> bool | None:
    """An OpenRTB flag as stated: set, cleared (0, false or "0"), or None when not stated."""
    if _says_yes(value):
        return True
    return False if value is False or value == 0 or value == "0" else None


def _field(container: Mapping[str, Any] | None, name: str) -> Any:
    """``container[name]``, else ``container["ext"][name]`` (OpenRTB 2.5 put it there)."""
    if not container:
        return None
    value = container.get(name)
    if value is None:
        ext = container.get("ext")
        if isinstance(ext, Mapping):
            value = ext.get(name)
    return value


def openrtb_use(
    device: Mapping[str, Any] | None,
    regs: Mapping[str, Any] | None,
    user: Mapping[str, Any] | None,
    *,
    gdpr: GdprPolicy,
    places: Callable[[], frozenset[str]],
) -> DeviceUse:
    """What an OpenRTB-style JSON ad request allows (its ``device``, ``regs`` and ``user``,
    the viewer's ``places`` where ``gdpr`` needs them)."""
    if regs and _says_yes(regs.get("coppa")):
        return DeviceUse(caps=False, reach=False, limit=Limit.CHILD_DIRECTED)
    if device and (_says_yes(device.get("lmt")) or _says_yes(device.get("dnt"))):
        return DeviceUse(caps=False, reach=False, limit=Limit.LIMIT_AD_TRACKING)
    if not gdpr.applies(_flag(_field(regs, "gdpr")), places):
        return FULL_USE
    consent = _field(user, "consent")
    return gdpr_use(consent if isinstance(consent, str) else None, vendor_id=gdpr.vendor_id)


TAG_PARAMETERS = ("lmt", "regs", "gdpr", "coppa", "gdpr_consent")
"""The VAST tag parameters privacy is read from (a VMAP hands them on to its breaks)."""


def tag_use(
    query: Mapping[str, str], *, gdpr: GdprPolicy, places: Callable[[], frozenset[str]]
) -> DeviceUse:
    """What a VAST tag's ``query`` allows: ``lmt`` (``[LIMITADTRACKING]``: 1 limited), ``regs``
    (``[REGULATIONS]``: a comma list of the regulations that apply, ``coppa`` and/or ``gdpr``;
    ``coppa=1`` and ``gdpr=1`` or ``gdpr=0`` say the same) and ``gdpr_consent``
    (``[GDPRCONSENT]``); unfilled macros say nothing."""
    regulations = query.get("regs", "")
    named = {part.strip().lower() for part in regulations.split(",")}
    if "coppa" in named or query.get("coppa") == "1":
        return DeviceUse(caps=False, reach=False, limit=Limit.CHILD_DIRECTED)
    if query.get("lmt") == "1":
        return DeviceUse(caps=False, reach=False, limit=Limit.LIMIT_AD_TRACKING)
    stated = _flag(query.get("gdpr"))
    if regulations and not regulations.startswith("["):  # a filled [REGULATIONS] lists them all
        stated = "gdpr" in named or stated is True
    if not gdpr.applies(stated, places):
        return FULL_USE
    return gdpr_use(query.get("gdpr_consent"), vendor_id=gdpr.vendor_id)
