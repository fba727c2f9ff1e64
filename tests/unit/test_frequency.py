"""Frequency caps (pure): the exposure log, the cap check and device ids."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ads.frequency import (
    MAX_CAP_ADS,
    CapScope,
    Exposure,
    ExposureLog,
    FrequencyCap,
    cap_holder,
    decode_batch,
    device_id,
    encode_batch,
    household_network,
    request_ifa,
    request_ip,
)
from ads.networks import parse_address

HOUR = 3600.0
_SERVING_IDS = itertools.count()


def serve(log: ExposureLog, device: str, campaign: str, at: float) -> None:
    log.record(Exposure(device, campaign, at, f"ad-{next(_SERVING_IDS)}"))


@settings(max_examples=300, deadline=None)
@given(
    max_ads=st.integers(1, 5),
    hours=st.integers(1, 48),
    gaps=st.lists(st.floats(0, 30 * HOUR, allow_nan=False), min_size=1, max_size=60),
)
def test_served_through_the_check_no_window_holds_more_than_the_cap(
    max_ads: int, hours: int, gaps: list[float]
) -> None:
    cap = FrequencyCap(max_ads=max_ads, hours=hours)
    log = ExposureLog()
    now, served = 0.0, []
    for gap in gaps:
        now += gap
        if log.allows("tv", "c", cap, now):
            serve(log, "tv", "c", now)
            served.append(now)
    for index, start in enumerate(served):
        in_window = [t for t in served[index:] if t < start + cap.window_seconds]
        assert len(in_window) <= max_ads
    # Refused only when the cap was really reached within the window.
    if served and not log.allows("tv", "c", cap, now):
        assert len([t for t in served if t > now - cap.window_seconds]) >= max_ads


def test_caps_count_per_device_and_campaign() -> None:
    cap = FrequencyCap(max_ads=1, hours=24)
    log = ExposureLog()
    serve(log, "tv-1", "c1", 0)
    assert not log.allows("tv-1", "c1", cap, 10)
    assert log.allows("tv-1", "c2", cap, 10)
    assert log.allows("tv-2", "c1", cap, 10)
    assert log.allows("tv-1", "c1", cap, 24 * HOUR)  # the window has passed


def test_copies_of_one_serve_count_once_and_late_ones_keep_order() -> None:
    cap = FrequencyCap(max_ads=2, hours=1)
    log = ExposureLog()
    first = Exposure("tv", "c", 100.0, "a1")
    log.merge([first, first, first])
    assert log.allows("tv", "c", cap, 101)
    log.merge([Exposure("tv", "c", 50.0, "a0")])  # heard late from another replica
    assert not log.allows("tv", "c", cap, 101)
    assert log.allows("tv", "c", cap, 50 + HOUR)  # the older one left the window first


def test_only_the_serves_a_cap_can_need_are_kept() -> None:
    log = ExposureLog()
    for number in range(MAX_CAP_ADS + 20):
        serve(log, "tv", "c", float(number))
    cap = FrequencyCap(max_ads=MAX_CAP_ADS, hours=1)
    assert not log.allows("tv", "c", cap, MAX_CAP_ADS + 20.0)


def test_the_device_seen_longest_ago_is_forgotten_past_the_bound() -> None:
    log = ExposureLog(max_devices=2)
    serve(log, "a", "c", 1)
    serve(log, "b", "c", 2)
    serve(log, "a", "c", 3)  # a is now the most recent
    serve(log, "d", "c", 4)
    assert len(log) == 2 and log.knows("a") and log.knows("d") and not log.knows("b")


def test_a_cap_round_trips_as_text() -> None:
    assert str(FrequencyCap(3, 24)) == "3/24"
    assert FrequencyCap.parse("3/24") == FrequencyCap(3, 24)
    household = FrequencyCap(3, 24, CapScope.HOUSEHOLD)
    assert str(household) == "3/24/household"
    assert FrequencyCap.parse("3/24/household") == household
    with pytest.raises(ValueError, match="'home' is not a valid CapScope"):
        FrequencyCap.parse("3/24/home")


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("81.2.69.160", "81.2.69.160"),  # a home's public IPv4 address: all its screens
        ("::ffff:81.2.69.160", "81.2.69.160"),
        ("2a00:1450:4001:81b::200e", "2a00:1450:4001:81b::/64"),  # its IPv6 network
        ("2a00:1450:4001:81b:1234:5678:9abc:def0", "2a00:1450:4001:81b::/64"),
        ("10.1.2.3", None),  # a private network: many homes, or none, behind it
        ("192.168.1.20", None),
        ("100.64.7.1", None),  # carrier-grade NAT: many homes share it
        ("127.0.0.1", None),
        ("fe80::1", None),
        ("fd00::1", None),
        ("203.0.113.9", None),  # documentation range
        (None, None),
    ],
)
def test_a_household_is_known_by_its_public_network(
    address: str | None, network: str | None
) -> None:
    assert household_network(parse_address(address) if address else None) == network


def test_the_request_address_is_its_ip_else_its_ipv6() -> None:
    assert request_ip({"ip": "81.2.69.160", "ipv6": "2a00::1"}) == "81.2.69.160"
    assert request_ip({"ipv6": "2a00::1"}) == "2a00::1"
    assert request_ip({"ifa": "x"}) is None and request_ip(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6D92078A-8246-4BA4-AE5B-76104861E7DC", "6D92078A-8246-4BA4-AE5B-76104861E7DC"),
        ("roku:abc", "roku:abc"),
        ("-1", None),  # a player's placeholder for "unknown"
        ("unknown", None),
        ("00000000-0000-0000-0000-000000000000", None),  # limit ad tracking
        ("", None),
        ("has space", None),
        ("x" * 129, None),
        (42, None),
        (None, None),
        ("tv\u00e9", None),
        ("[IFA]", None),  # a macro the player left unfilled
        ("{ifa}", None),
        ("%%IFA%%", None),
    ],
)
def test_device_ids(value: object, expected: str | None) -> None:
    assert device_id(value) == expected


def test_the_request_device_id_is_its_ifa() -> None:
    def request_device_id(device: dict[str, str] | None) -> str | None:
        return device_id(request_ifa(device))

    ifa = "6d92078a-8246-4ba4-ae5b-76104861e7dc"
    assert request_device_id({"ifa": ifa, "type": "ctv"}) == ifa
    assert request_device_id({"type": "ctv"}) is None
    assert request_device_id(None) is None


def test_a_device_read_from_the_store_with_no_serves_is_known() -> None:
    log = ExposureLog()
    assert not log.knows("tv")
    assert log.remember("tv") == {} and log.knows("tv")
    assert log.allows("tv", "c", FrequencyCap(1, 1), 0)


def test_a_published_batch_reaches_the_other_replicas_only() -> None:
    batch = [Exposure("tv", "c", 1.5, "ad-1")]
    assert decode_batch(encode_batch(batch, origin="a"), origin="b") == batch
    assert decode_batch(encode_batch(batch, origin="a"), origin="a") == []
    assert decode_batch(b"not json", origin="b") == []
    assert decode_batch('{"origin": "a", "serves": [[1]]}', origin="b") == []


def test_a_cap_counts_the_device_or_the_household_it_names() -> None:
    device_cap, home_cap = FrequencyCap(3, 24), FrequencyCap(3, 24, CapScope.HOUSEHOLD)
    assert cap_holder(device_cap, "tv-1", "hh:abc") == "tv-1"
    assert cap_holder(home_cap, "tv-1", "hh:abc") == "hh:abc"
    assert cap_holder(home_cap, "tv-1", None) is None  # no home known: not counted
    assert cap_holder(device_cap, None, "hh:abc") is None
    assert cap_holder(None, "tv-1", "hh:abc") is None
