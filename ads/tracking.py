"""Signed beacon URLs: what a player fires back after an ad, and the check that it is ours.

A beacon's query names the event, the ids of one served ad and when it was served, then a tag::

    /api/v1/track?event=start&c=<campaign id>&k=<creative id>&a=<ad serving id>
        &r=<request id>&t=<served at, unix seconds>[&d=<device key>][&g=<place>]&s=<tag>

``d`` is there when the player named its device (an advertising id): a keyed hash of that id,
not the id, so reach can be counted (distinct devices) without the id leaving the ad server.
``g`` is the viewer's place when the ad request stated one (ISO 3166: ``US`` or ``US-CA``), so
delivery can be reported by place whoever fires the beacon.

The tags of one ad come from a single keyed SHAKE256 call over its ids (KMAC-style: the key fills
the first block of the sponge, the message follows), read out as one 16-byte tag per event, so each
beacon URL is bound to its event (a quartile URL cannot be turned into an impression or a click)
for the price of one hash per ad instead of one MAC per URL. It is a PRF-based MAC like
HMAC-SHA256 (SHA-3's sponge has no length extension, so it needs no HMAC nesting; KMAC is the
standardised form of the same idea). The error beacon ends with
``&code=[ERRORCODE]``, outside the tag, so the player can put the VAST error code there.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NotRequired, TypedDict, Unpack
from urllib.parse import quote

from ads.errors import BeaconExpired, InvalidBeacon, InvalidSignature
from ads.templates import Part

IMPRESSION = "impression"
CLICK = "click"
ERROR = "error"
PLAYER_EVENTS: tuple[str, ...] = (
    "start",
    "firstQuartile",
    "midpoint",
    "thirdQuartile",
    "complete",
    "skip",
    "pause",
    "resume",
    "mute",
    "unmute",
)
"""Events a player reports through ``<Tracking event=…>``, in the order they are listed."""
TAGGED_EVENTS: tuple[str, ...] = (IMPRESSION, *PLAYER_EVENTS, CLICK, ERROR)
"""Every event, in the order of its tag in an ad's tag stream (never reorder: tags would break)."""
EVENTS = frozenset(TAGGED_EVENTS)
TAG_SLOT = {event: index for index, event in enumerate(TAGGED_EVENTS)}
"""Event → index of its tag in :attr:`SignedBeacons.values`."""
IDS_SLOT = len(TAGGED_EVENTS)
"""Index of the ids query (``a=…&r=…&t=…`` and ``&d=…``) in :attr:`SignedBeacons.values`."""
_PLAYER_EVENT_SET = frozenset(PLAYER_EVENTS)
ERROR_CODE_MACRO = "[ERRORCODE]"
DEFAULT_CLOCK_SKEW_SECONDS = 30.0

_PATHS = {IMPRESSION: "/api/v1/impression", CLICK: "/api/v1/click"}
_TRACK_PATH = "/api/v1/track"
_BASE_URL = re.compile(r"https?://(?:[A-Za-z0-9\-._~:/@!$'()*+,;=\[\]]|%[0-9A-Fa-f]{2})+", re.I)
_TAG_BYTES = 16
_SPONGE_RATE = 136
"""SHAKE256's block size: the key block fills exactly one, so key and message never blur."""
_KEY_CONTEXT = b"ctv-adserver beacon tags v2\x00"
_UNRESERVED = string.ascii_letters + string.digits + "_.~-"
"""What ``quote(value, safe='')`` leaves as it is."""
_MAX_TIME_DIGITS = 12
_DEVICE_KEY_BYTES = 8
_DEVICE_KEY = re.compile(rf"[0-9a-f]{{{2 * _DEVICE_KEY_BYTES}}}")
_PLACE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
"""A place as ads/geo.py names it: an ISO 3166-1 alpha-2 country, then a 3166-2 region."""
_DEVICE_CONTEXT = b"ctv-adserver device keys v1\x00"


@dataclass(frozen=True, slots=True)
class TrackingUrls:
    """Every beacon URL of one served ad: absolute and URI-safe (only ``&`` needs escaping in
    XML; nothing needs escaping in a JSON string).
    """

    by_event: Mapping[str, str]
    """Event → URL, in the order players are told about them: impression, the signer's
    ``player_events``, click, error."""

    @property
    def impression(self) -> str:
        return self.by_event[IMPRESSION]

    @property
    def click(self) -> str:
        return self.by_event[CLICK]

    @property
    def error(self) -> str:
        return self.by_event[ERROR]

    @property
    def events(self) -> tuple[tuple[str, str], ...]:
        """``(event, url)`` for each player event, in the signer's ``player_events`` order."""
        return tuple([item for item in self.by_event.items() if item[0] in _PLAYER_EVENT_SET])


class AdIds(TypedDict):
    """What the beacons of one served ad identify."""

    ad_serving_id: str
    request_id: str
    campaign_id: str
    creative_id: str
    served_at: int
    device: NotRequired[str | None]
    """The device key (:meth:`BeaconSigner.device_key`) when the request named a device."""
    place: NotRequired[str | None]
    """The viewer's place (ISO 3166) when the request stated one."""


@dataclass(slots=True)  # built per request: a frozen init costs twice as much
class SignedBeacons:
    """The signed, per-request part of one served ad's beacon URLs.

    ``values`` holds one hex tag per event at :data:`TAG_SLOT` indices, then the URL-encoded ids
    query at :data:`IDS_SLOT`; a beacon URL is its event's constant prefix (see
    :meth:`BeaconSigner.url_parts`) with these filled in.
    """

    campaign_id: str
    creative_id: str
    values: list[str]


@dataclass(frozen=True, slots=True)
class Beacon:
    """A verified beacon. ``event_id`` is the same for a replay, so counting it once is easy."""

    event: str
    ad_serving_id: str
    request_id: str
    campaign_id: str
    creative_id: str
    served_at: int
    event_id: str
    error_code: int | None = None
    """The VAST error code of an ``error`` beacon; None when the player left the macro."""
    device: str | None = None
    """The device key the ad was served to, when the player named its device."""
    place: str | None = None
    """The viewer's place (ISO 3166) the ad request stated, if it did."""


class _TagStream:
    """Keyed SHAKE256 over an ad's ids, read out as one tag per event of :data:`TAGGED_EVENTS`."""

    def __init__(self, secret: str | bytes) -> None:
        block = (_KEY_CONTEXT + hashlib.sha256(_key_bytes(secret)).digest()).ljust(
            _SPONGE_RATE, b"\x00"
        )
        self._keyed = hashlib.shake_256(block)

    def tags(self, campaign: str, creative: str, ids_query: str) -> list[str]:
        """Hex tags, in :data:`TAGGED_EVENTS` order, of one ad: its URL-encoded campaign and
        creative ids and its ids query."""
        mac = self._keyed.copy()
        mac.update(f"{campaign}&{creative}&{ids_query}".encode())
        return mac.digest(_TAG_BYTES * len(TAGGED_EVENTS)).hex(" ", _TAG_BYTES).split()


class BeaconSigner:
    """Builds signed beacon URLs under ``base_url``; build once per process and reuse."""

    def __init__(
        self,
        secret: str | bytes,
        *,
        base_url: str,
        player_events: Sequence[str] = PLAYER_EVENTS,
    ) -> None:
        unsupported = set(player_events) - set(PLAYER_EVENTS)
        if unsupported:
            raise ValueError(f"unsupported player events: {sorted(unsupported)}")
        if not _BASE_URL.fullmatch(base_url):
            raise ValueError(
                f"base_url must be an absolute http(s) URL without query or fragment: {base_url!r}"
            )
        base = base_url.rstrip("/")
        self._tags = _TagStream(secret)
        self._devices = hashlib.blake2b(
            key=hashlib.sha256(_DEVICE_CONTEXT + _key_bytes(secret)).digest(),
            digest_size=_DEVICE_KEY_BYTES,
        )
        self._prefixes = {
            event: f"{base}{_PATHS.get(event, _TRACK_PATH)}?event={event}&" for event in EVENTS
        }
        self.player_events = tuple(player_events)
        self.listed_events = (IMPRESSION, *self.player_events, CLICK, ERROR)
        """Events players are told about, in the order they are listed."""

    def device_key(self, device_id: str) -> str:
        """The key beacons carry for an advertising id: 16 hex characters of a keyed BLAKE2b,
        the same on every replica (and for every campaign) while the secret stays."""
        hasher = self._devices.copy()
        hasher.update(device_id.encode())
        return hasher.hexdigest()

    def sign(
        self,
        *,
        ad_serving_id: str,
        request_id: str,
        campaign_id: str,
        creative_id: str,
        served_at: int,
        device: str | None = None,
        place: str | None = None,
    ) -> SignedBeacons:
        """The tags and ids query of one served ad (one hash, whatever the number of events);
        ``device``: its :meth:`device_key`, and ``place``: the viewer's (ISO 3166), carried and
        signed with the ids."""
        ids = _ids_query(ad_serving_id, request_id, str(served_at), device, place)
        campaign, creative = _encoded(campaign_id), _encoded(creative_id)
        values = self._tags.tags(campaign, creative, ids)
        values.append(ids)
        return SignedBeacons(campaign_id=campaign, creative_id=creative, values=values)

    def url_parts(
        self, event: str, *, campaign_id: str, creative_id: str, xml: bool = False
    ) -> list[Part]:
        """The beacon URL of ``event`` for one campaign and creative, with the ids query and the
        tag left as :data:`IDS_SLOT` and :data:`TAG_SLOT` holes; ``xml``: ``&`` as ``&amp;``
        (the ids query put in the hole must then be escaped the same way)."""
        if event not in EVENTS:
            raise ValueError(f"unknown beacon event {event!r}")
        return self._parts(event, _encoded(campaign_id), _encoded(creative_id), xml=xml)

    def _parts(self, event: str, campaign: str, creative: str, *, xml: bool) -> list[Part]:
        """:meth:`url_parts` for ids already URL-encoded: the one statement of the URL layout."""
        amp = "&amp;" if xml else "&"
        head = f"{self._prefixes[event]}c={campaign}&k={creative}&"
        return [head.replace("&", amp), IDS_SLOT, f"{amp}s=", TAG_SLOT[event], _suffix(event, amp)]

    def urls(self, signed: SignedBeacons) -> TrackingUrls:
        """Every listed beacon URL of a signed ad."""
        return TrackingUrls({event: self._url(event, signed) for event in self.listed_events})

    def url(self, event: str, **ids: Unpack[AdIds]) -> str:
        """The beacon URL of one ``event``; ``ValueError`` for an event we do not track."""
        if event not in EVENTS:
            raise ValueError(f"unknown beacon event {event!r}")
        return self._url(event, self.sign(**ids))

    def tracking_urls(self, **ids: Unpack[AdIds]) -> TrackingUrls:
        """All listed beacon URLs of one decision."""
        return self.urls(self.sign(**ids))

    def _url(self, event: str, signed: SignedBeacons) -> str:
        parts = self._parts(event, signed.campaign_id, signed.creative_id, xml=False)
        return "".join(p if isinstance(p, str) else signed.values[p] for p in parts)


class BeaconVerifier:
    """Checks beacons signed with ``secret``, or with ``previous`` (the secret before a
    rotation, so URLs already handed to players keep verifying); build once per process."""

    def __init__(self, secret: str | bytes, *, previous: str | bytes | None = None) -> None:
        self._keys = [_TagStream(secret)]
        if previous is not None:
            self._keys.append(_TagStream(previous))

    def verify(
        self,
        params: Mapping[str, str],
        *,
        max_age_seconds: float,
        now: float,
        clock_skew_seconds: float = DEFAULT_CLOCK_SKEW_SECONDS,
    ) -> Beacon:
        """The beacon in a query's decoded ``params`` (``now`` in unix seconds), or:

        - :class:`InvalidBeacon`: a parameter missing or malformed, an unknown event, an error
          code that is not three digits, or sent more than ``clock_skew_seconds`` before it was
          served;
        - :class:`InvalidSignature`: the tag is missing or does not match (forged or altered,
          or the tag of another event);
        - :class:`BeaconExpired`: served more than ``max_age_seconds`` before ``now``.
        """
        event = _required(params, "event")
        if event not in EVENTS:
            raise InvalidBeacon(f"unknown beacon event {event!r}")
        campaign_id, creative_id = _required(params, "c"), _required(params, "k")
        ad_serving_id, request_id = _required(params, "a"), _required(params, "r")
        raw_served_at = _required(params, "t")
        served_at = _unix_seconds(raw_served_at)
        error_code = _error_code(params.get("code")) if event == ERROR else None
        device = params.get("d")
        if device is not None and not _DEVICE_KEY.fullmatch(device):
            raise InvalidBeacon("beacon device key 'd' must be 16 lowercase hex digits")
        place = params.get("g")
        if place is not None and not _PLACE.fullmatch(place):
            raise InvalidBeacon("beacon place 'g' must be an ISO 3166 code such as US or US-CA")
        message = (
            _encoded(campaign_id),
            _encoded(creative_id),
            _ids_query(ad_serving_id, request_id, raw_served_at, device, place),
        )
        _check_tag([key.tags(*message)[TAG_SLOT[event]] for key in self._keys], params.get("s"))
        _check_age(now - served_at, max_age_seconds=max_age_seconds, skew=clock_skew_seconds)
        return Beacon(
            event=event,
            ad_serving_id=ad_serving_id,
            request_id=request_id,
            campaign_id=campaign_id,
            creative_id=creative_id,
            served_at=served_at,
            event_id=f"{ad_serving_id}:{event}",
            error_code=error_code,
            device=device,
            place=place,
        )


def beacon_url(
    *,
    secret: str | bytes,
    base_url: str,
    event: str,
    ad_serving_id: str,
    request_id: str,
    campaign_id: str,
    creative_id: str,
    served_at: int,
) -> str:
    """One signed beacon URL; per request, prefer a long-lived :class:`BeaconSigner`."""
    return BeaconSigner(secret, base_url=base_url).url(
        event,
        ad_serving_id=ad_serving_id,
        request_id=request_id,
        campaign_id=campaign_id,
        creative_id=creative_id,
        served_at=served_at,
    )


def verify_beacon(
    params: Mapping[str, str],
    *,
    secret: str | bytes,
    max_age_seconds: float,
    now: float,
    clock_skew_seconds: float = DEFAULT_CLOCK_SKEW_SECONDS,
) -> Beacon:
    """:meth:`BeaconVerifier.verify` with a one-off verifier."""
    return BeaconVerifier(secret).verify(
        params, max_age_seconds=max_age_seconds, now=now, clock_skew_seconds=clock_skew_seconds
    )


def _key_bytes(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def _ids_query(
    ad_serving_id: str,
    request_id: str,
    served_at: str,
    device: str | None,
    place: str | None = None,
) -> str:
    """``a=…&r=…&t=…`` (then ``&d=…`` with a device key, ``&g=…`` with a place): the
    per-request part of a beacon query, URL-encoded (a device key is hex and a place letters,
    digits and a dash: nothing to encode)."""
    if not ad_serving_id.strip(_UNRESERVED) and not request_id.strip(_UNRESERVED):
        ids = f"a={ad_serving_id}&r={request_id}&t={served_at}"  # the usual case
    else:
        ids = f"a={_encoded(ad_serving_id)}&r={_encoded(request_id)}&t={_encoded(served_at)}"
    if device is not None:
        ids = f"{ids}&d={device}"
    return ids if place is None else f"{ids}&g={place}"


def _encoded(value: str) -> str:
    """``value`` as a query value (what ``parse_qsl`` decodes back to ``value``)."""
    if not value.strip(_UNRESERVED):  # only unreserved characters (regex-free: hot path)
        return value
    return quote(value, safe="", errors="surrogatepass")


def _check_tag(expected: list[str], tag: str | None) -> None:
    """``tag`` must equal one of ``expected`` (one per accepted key, all compared)."""
    if not tag:
        raise InvalidSignature("beacon signature is missing")
    if not tag.isascii() or not sum(hmac.compare_digest(tag, e) for e in expected):
        raise InvalidSignature("beacon signature does not match its parameters")


def _suffix(event: str, amp: str) -> str:
    """What follows the tag: the error beacon's code macro, for the player to fill."""
    return f"{amp}code={ERROR_CODE_MACRO}" if event == ERROR else ""


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if value is None:
        raise InvalidBeacon(f"beacon parameter {name!r} is missing")
    return value


def _unix_seconds(raw: str) -> int:
    if not (len(raw) <= _MAX_TIME_DIGITS and raw.isascii() and raw.isdigit()):
        raise InvalidBeacon("beacon time 't' must be whole unix seconds")
    return int(raw)


def _error_code(raw: str | None) -> int | None:
    """The player's VAST error code; None when it was not substituted into the macro."""
    if raw is None or raw == ERROR_CODE_MACRO:
        return None
    if not (len(raw) == 3 and raw.isascii() and raw.isdigit()):
        raise InvalidBeacon("error 'code' must be a three-digit VAST error code")
    return int(raw)


def _check_age(age: float, *, max_age_seconds: float, skew: float) -> None:
    if age > max_age_seconds:
        raise BeaconExpired(f"beacon is {age:.0f} s old; the limit is {max_age_seconds:.0f} s")
    if age < -skew:
        raise InvalidBeacon(f"beacon time is {-age:.0f} s in the future")
