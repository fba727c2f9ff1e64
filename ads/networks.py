"""IP networks: the operator's lists of address ranges, and the address a request came from.

Lists are CIDR ranges (``203.0.113.0/24``, ``2001:db8::/32``; a bare address is a one-address
range) separated by commas or new lines, ``#`` starting a comment, so a file of a cloud
provider's published ranges can be used as it is. A list is matched by bisection over its merged
ranges: thousands of data-centre ranges cost one lookup.

Where a request came from: an ad-insertion server fetching for a device says so in
``X-Device-IP`` (IAB SSAI guidelines). Otherwise the connection's peer is the client, unless it
is one of the operator's trusted proxies (the load balancer, the Serve ingress): then the
right-most ``X-Forwarded-For`` entry its proxy appended is, and so on leftwards while the hops
are trusted. Entries left of the first untrusted hop are the client's own word and are never
believed. Pure: no I/O beyond :func:`read_list`'s one file read.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEVICE_IP = b"x-device-ip"
"""The header an ad-insertion server puts the device's address in (IAB SSAI guidelines)."""
FORWARDED_FOR = b"x-forwarded-for"
MAX_FORWARDED_HOPS = 20
"""Hops of ``X-Forwarded-For`` looked at: a longer chain is a client's padding, not proxies."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=65_536)
def parse_address(text: str) -> Address | None:
    """The IP address ``text`` holds (an IPv4-mapped IPv6 address as its IPv4 address, a
    bracketed or zone-suffixed IPv6 address without them), or None when it is not one.
    Cached: a proxy's address and a device's, beacon after beacon, are parsed once."""
    text = text.strip().strip("[]")
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class NetworkList:
    """A set of IPv4 and IPv6 ranges, each version's kept merged and sorted."""

    ranges: tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]] = ((), ())
    """(IPv4, IPv6) ranges as (first, last) integers."""
    count: int = 0
    """Ranges as listed (before merging), for the operator's log line."""
    _starts: tuple[tuple[int, ...], tuple[int, ...]] = field(
        init=False, repr=False, compare=False, default=((), ())
    )

    def __post_init__(self) -> None:
        starts = tuple(tuple(first for first, _ in ranges) for ranges in self.ranges)
        object.__setattr__(self, "_starts", starts)

    @classmethod
    def parse(cls, text: str, *, source: str = "list") -> NetworkList:
        """The ranges ``text`` lists; ``ValueError`` naming ``source``'s line and entry that is
        not an address or a CIDR range."""
        found: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
        for number, line in enumerate(text.splitlines(), start=1):
            for entry in line.split("#", 1)[0].split(","):
                entry = entry.strip()
                if not entry:
                    continue
                try:
                    network = ipaddress.ip_network(entry, strict=False)
                except ValueError:
                    raise ValueError(
                        f"{source}, line {number}: {entry[:60]!r} is not an IP address or a "
                        "CIDR range (e.g. 203.0.113.0/24, 2001:db8::/32)"
                    ) from None
                first, last = int(network.network_address), int(network.broadcast_address)
                found[network.version == 6].append((first, last))
        return cls(
            ranges=(_merged(found[0]), _merged(found[1])), count=len(found[0]) + len(found[1])
        )

    def __bool__(self) -> bool:
        return self.count > 0

    def __add__(self, other: NetworkList) -> NetworkList:
        return NetworkList(
            ranges=(
                _merged([*self.ranges[0], *other.ranges[0]]),
                _merged([*self.ranges[1], *other.ranges[1]]),
            ),
            count=self.count + other.count,
        )

    def holds(self, address: Address) -> bool:
        """Whether ``address`` lies in one of the ranges."""
        version = address.version == 6
        value = int(address)
        at = bisect_right(self._starts[version], value) - 1
        return at >= 0 and value <= self.ranges[version][at][1]


NO_NETWORKS = NetworkList()


def _merged(ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """``ranges`` sorted, overlapping and adjacent ones joined."""
    out: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return tuple(out)


def read_list(path: Path) -> NetworkList:
    """The ranges listed in the file at ``path``; ``ValueError`` saying which entry is wrong."""
    return NetworkList.parse(path.read_text(encoding="utf-8"), source=str(path))


def client_address(
    headers: Iterable[tuple[bytes, bytes]], peer: str | None, trusted: NetworkList
) -> Address | None:
    """The address of the device a request (raw ASGI header pairs, names lower-case) is
    about: ``X-Device-IP`` when an ad-insertion server sent one, else the first hop from the
    right, starting at the connection's ``peer``, that is not a ``trusted`` proxy. None when
    that cannot be told (no peer known, or a hop that is not an address)."""
    forwarded: list[str] = []
    for name, value in headers:
        if name == DEVICE_IP:
            return parse_address(value.decode("latin-1"))
        if name == FORWARDED_FOR:
            forwarded.extend(value.decode("latin-1").split(","))
    return _first_untrusted(peer, tuple(forwarded[-MAX_FORWARDED_HOPS:]), trusted)


def _first_untrusted(
    peer: str | None, forwarded: tuple[str, ...], trusted: NetworkList
) -> Address | None:
    address = parse_address(peer) if peer else None
    hops = list(forwarded)
    while address is not None and trusted.holds(address) and hops:
        address = parse_address(hops.pop())
    return address
