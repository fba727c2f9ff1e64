"""IP networks: operator lists and the address a request came from."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.networks import NetworkList, client_address, parse_address, read_list

TRUSTED = NetworkList.parse("127.0.0.0/8\n10.0.0.0/8  # the VPC\n::1")


def test_a_list_matches_its_ranges_and_nothing_else() -> None:
    networks = NetworkList.parse("203.0.113.0/24, 198.51.100.7\n2001:db8::/32 # docs")
    assert networks.count == 3
    for inside in ("203.0.113.0", "203.0.113.255", "198.51.100.7", "2001:db8:ffff::1"):
        assert networks.holds(ipaddress.ip_address(inside)), inside
    for outside in ("203.0.112.255", "203.0.114.0", "198.51.100.8", "2001:db9::", "::1"):
        assert not networks.holds(ipaddress.ip_address(outside)), outside


def test_an_empty_list_holds_nothing_and_is_false() -> None:
    empty = NetworkList.parse("# nothing yet\n\n , \n")
    assert not empty
    assert not empty.holds(ipaddress.ip_address("0.0.0.0"))


def test_overlapping_and_adjacent_ranges_merge() -> None:
    networks = NetworkList.parse("10.0.0.0/25, 10.0.0.128/25, 10.0.0.5, 10.0.1.0/24")
    first, last = ipaddress.ip_address("10.0.0.0"), ipaddress.ip_address("10.0.1.255")
    assert networks.ranges[0] == ((int(first), int(last)),)
    assert networks.count == 4


def test_a_wrong_entry_is_named_with_its_line() -> None:
    with pytest.raises(ValueError, match=re.escape("ranges.txt, line 2: '10.0.0.0/33' is not")):
        NetworkList.parse("10.0.0.0/8\n10.0.0.0/33", source="ranges.txt")
    with pytest.raises(ValueError, match=re.escape("'example.com' is not")):
        NetworkList.parse("example.com")


def test_lists_add_up(tmp_path: Path) -> None:
    listed = tmp_path / "ranges.txt"
    listed.write_text("# cloud\n192.0.2.0/24\n", encoding="utf-8")
    both = NetworkList.parse("198.51.100.0/24") + read_list(listed)
    assert both.count == 2
    assert both.holds(ipaddress.ip_address("192.0.2.9"))
    assert both.holds(ipaddress.ip_address("198.51.100.9"))


@given(
    st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(8, 32)), max_size=12),
    st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=30),
)
def test_bisection_agrees_with_the_standard_library(
    listed: list[tuple[int, int]], probes: list[int]
) -> None:
    networks = [ipaddress.ip_network((value, prefix), strict=False) for value, prefix in listed]
    parsed = NetworkList.parse(",".join(map(str, networks)))
    for probe in probes:
        address = ipaddress.ip_address(probe)
        assert parsed.holds(address) == any(address in n for n in networks)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        (" 203.0.113.9 ", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("unknown", None),
        ("203.0.113.9:443", None),
        ("", None),
    ],
)
def test_addresses_parse_as_proxies_write_them(text: str, expected: str | None) -> None:
    address = parse_address(text)
    assert (str(address) if address else None) == expected


def forwarded(chain: str) -> list[tuple[bytes, bytes]]:
    return [(b"x-forwarded-for", chain.encode())]


@pytest.mark.parametrize(
    ("headers", "peer", "expected"),
    [
        ([], "203.0.113.9", "203.0.113.9"),
        ([], "127.0.0.1", "127.0.0.1"),  # a local proxy that says nothing: as far as we know
        (forwarded("203.0.113.9"), "127.0.0.1", "203.0.113.9"),
        (forwarded("203.0.113.9, 10.0.4.4"), "127.0.0.1", "203.0.113.9"),
        # Two headers are one list, in order.
        ([*forwarded("203.0.113.9"), *forwarded("10.0.4.4")], "127.0.0.1", "203.0.113.9"),
        # Left of the first untrusted hop is the client's word.
        (forwarded("192.0.2.1, 203.0.113.9"), "127.0.0.1", "203.0.113.9"),
        # An untrusted peer's header is not read at all.
        (forwarded("192.0.2.1"), "203.0.113.9", "203.0.113.9"),
        # All hops trusted: the left-most.
        (forwarded("10.9.9.9, 10.0.4.4"), "127.0.0.1", "10.9.9.9"),
        (forwarded("garbage, 10.0.4.4"), "127.0.0.1", None),
        ([(b"x-device-ip", b"192.0.2.1"), *forwarded("203.0.113.9")], "127.0.0.1", "192.0.2.1"),
        ([(b"x-device-ip", b"nonsense")], "203.0.113.9", None),
        ([], None, None),
        ([], "not-an-address", None),
    ],
)
def test_the_client_address_is_the_first_untrusted_hop(
    headers: list[tuple[bytes, bytes]], peer: str | None, expected: str | None
) -> None:
    address = client_address(headers, peer, TRUSTED)
    assert (str(address) if address else None) == expected


def test_a_padded_chain_is_cut_to_its_last_hops() -> None:
    chain = ", ".join(["10.0.0.1"] * 50)
    address = client_address(forwarded(chain), "127.0.0.1", TRUSTED)
    assert str(address) == "10.0.0.1"
