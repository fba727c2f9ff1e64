"""Privacy signals: what limit ad tracking, COPPA and GDPR consent leave of the device id."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.privacy import (
    FULL_USE,
    DeviceUse,
    GdprPolicy,
    GdprScope,
    Limit,
    NotTcfString,
    TcfConsent,
    gdpr_use,
    openrtb_use,
    tag_use,
)
from tests.unit.catalog_factories import campaign, served
from tests.unit.tcf_strings import BITFIELD, BITFIELD_VENDORS, RANGES, tc_string

SIGNALLED = GdprPolicy()


def unplaced() -> frozenset[str]:
    return frozenset()


def test_published_strings_decode_as_published() -> None:
    bitfield = TcfConsent.parse(BITFIELD)
    assert bitfield.purposes_consent == {1, 3, 9, 10}
    assert bitfield.purposes_legitimate_interest == {3, 4, 5, 8, 9, 10}
    assert {n for n in range(1, 200) if bitfield.vendor_consent(n)} == BITFIELD_VENDORS
    ranges = TcfConsent.parse(RANGES)
    assert ranges.purposes_consent == ranges.purposes_legitimate_interest == frozenset()
    consented = {n for n in range(0, 1000) if ranges.vendor_consent(n)}
    assert consented == {23, 42, 126, 127, 128, 587, 613, 626}
    # A publisher segment after the core one changes nothing read here.
    assert TcfConsent.parse(f"{BITFIELD}.argAC0gAAAAAAAAAAAA") == bitfield


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[GDPRCONSENT]",  # a macro the player left unfilled
        "not base64!",
        "BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA",  # a TCF v1 string
        BITFIELD[:30],  # cut short
        "C" * 5000,
    ],
)
def test_what_is_not_a_tcf_v2_string_is_refused(text: str) -> None:
    with pytest.raises(NotTcfString):
        TcfConsent.parse(text)


def test_purposes_1_2_and_7_decide_caps_and_reach() -> None:
    everything = tc_string({1, 2, 7}, set(), set())
    assert gdpr_use(everything, vendor_id=None) == FULL_USE
    by_interest = tc_string({1}, {2, 7}, set())
    assert gdpr_use(by_interest, vendor_id=None) == FULL_USE
    caps_only = gdpr_use(tc_string({1, 2}, set(), set()), vendor_id=None)
    assert caps_only == DeviceUse(caps=True, reach=False, limit=Limit.NO_GDPR_CONSENT)
    no_storage = gdpr_use(tc_string({2, 7}, {1}, set()), vendor_id=None)  # 1 needs consent
    assert no_storage == DeviceUse(caps=False, reach=False, limit=Limit.NO_GDPR_CONSENT)
    # The published string: purpose 1 by consent, but neither 2 nor 7.
    published = gdpr_use(BITFIELD, vendor_id=None)
    assert published == DeviceUse(caps=False, reach=False, limit=Limit.NO_GDPR_CONSENT)


def test_no_or_broken_consent_is_no_consent() -> None:
    refused = DeviceUse(caps=False, reach=False, limit=Limit.NO_GDPR_CONSENT)
    assert gdpr_use(None, vendor_id=None) == refused
    assert gdpr_use("[GDPRCONSENT]", vendor_id=None) == refused
    assert gdpr_use("garbage", vendor_id=None) == refused


def test_a_configured_vendor_id_needs_its_own_consent() -> None:
    text = tc_string({1, 2, 7}, set(), {5, 9})
    assert gdpr_use(text, vendor_id=9) == FULL_USE
    assert gdpr_use(text, vendor_id=6).limit is Limit.NO_GDPR_CONSENT
    assert gdpr_use(text, vendor_id=700).limit is Limit.NO_GDPR_CONSENT  # past MaxVendorId
    assert gdpr_use(RANGES, vendor_id=127).limit is Limit.NO_GDPR_CONSENT  # no purpose 1
    listed = tc_string({1, 2, 7}, set(), set(), ranges=[(3, 3), (10, 20)])
    assert [gdpr_use(listed, vendor_id=n) == FULL_USE for n in (3, 4, 10, 20, 21)] == [
        True,
        False,
        True,
        True,
        False,
    ]


def test_crafted_vendor_sections_cost_nothing_and_mean_no_consent() -> None:
    """Every vendor in one range is read as a range, never a set of 65,535; a range out of
    order, or a list cut short, is no consent."""
    everyone = tc_string({1, 2, 7}, set(), set(), ranges=[(1, 65_535)])
    assert TcfConsent.parse(everyone).vendor_consent(65_535)
    assert gdpr_use(everyone, vendor_id=40_000) == FULL_USE
    backwards = tc_string({1, 2, 7}, set(), set(), ranges=[(9, 3)], max_vendor=10)
    assert gdpr_use(backwards, vendor_id=5).limit is Limit.NO_GDPR_CONSENT
    beyond = tc_string({1, 2, 7}, set(), set(), ranges=[(3, 30)], max_vendor=10)
    assert gdpr_use(beyond, vendor_id=5).limit is Limit.NO_GDPR_CONSENT
    cut = tc_string({1, 2, 7}, set(), set(), ranges=[(3, 4), (7, 8)])[:-8]
    assert gdpr_use(cut, vendor_id=8).limit is Limit.NO_GDPR_CONSENT
    assert gdpr_use(cut, vendor_id=None) == FULL_USE  # the vendors are read only when asked


CONSENTED = tc_string({1, 2, 7}, set(), set())


@pytest.mark.parametrize(
    ("device", "regs", "user", "limit"),
    [
        (None, None, None, None),
        ({"ifa": "x", "lmt": 0, "dnt": 0}, {"coppa": 0, "gdpr": 0}, None, None),
        ({"lmt": 1}, None, None, Limit.LIMIT_AD_TRACKING),
        ({"lmt": True}, None, None, Limit.LIMIT_AD_TRACKING),
        ({"dnt": "1"}, None, None, Limit.LIMIT_AD_TRACKING),
        ({"lmt": "yes"}, None, None, None),  # not an OpenRTB flag: says nothing
        (None, {"coppa": 1}, None, Limit.CHILD_DIRECTED),
        ({"lmt": 1}, {"coppa": 1}, None, Limit.CHILD_DIRECTED),  # COPPA says more
        (None, {"gdpr": 1}, None, Limit.NO_GDPR_CONSENT),
        (None, {"gdpr": 1}, {"consent": CONSENTED}, None),
        (None, {"ext": {"gdpr": 1}}, {"ext": {"consent": CONSENTED}}, None),  # OpenRTB 2.5
        (None, {"ext": {"gdpr": 1}}, {"consent": 42}, Limit.NO_GDPR_CONSENT),
        (None, {"gdpr": 0}, {"consent": "garbage"}, None),  # GDPR does not apply
        (None, {"ext": "bad"}, None, None),
    ],
)
def test_openrtb_signals(
    device: dict[str, object] | None,
    regs: dict[str, object] | None,
    user: dict[str, object] | None,
    limit: Limit | None,
) -> None:
    use = openrtb_use(device, regs, user, gdpr=SIGNALLED, places=unplaced)
    assert use.limit is limit
    assert use.caps == use.reach == (limit is None)
    assert use.child_directed == (limit is Limit.CHILD_DIRECTED)


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ({}, None),
        ({"lmt": "[LIMITADTRACKING]", "regs": "[REGULATIONS]", "gdpr": "[GDPR]"}, None),
        ({"lmt": "0"}, None),
        ({"lmt": "1"}, Limit.LIMIT_AD_TRACKING),
        ({"regs": "coppa"}, Limit.CHILD_DIRECTED),
        ({"regs": "coppa", "lmt": "1"}, Limit.CHILD_DIRECTED),
        ({"regs": "GDPR, coppa"}, Limit.CHILD_DIRECTED),
        ({"coppa": "1"}, Limit.CHILD_DIRECTED),
        ({"regs": "gdpr"}, Limit.NO_GDPR_CONSENT),
        ({"gdpr": "1", "gdpr_consent": "[GDPRCONSENT]"}, Limit.NO_GDPR_CONSENT),
        ({"regs": "gdpr", "gdpr_consent": CONSENTED}, None),
        ({"gdpr": "1", "gdpr_consent": CONSENTED}, None),
        ({"regs": "ccpa"}, None),
    ],
)
def test_vast_tag_signals(query: dict[str, str], limit: Limit | None) -> None:
    use = tag_use(query, gdpr=SIGNALLED, places=unplaced)
    assert use.limit is limit
    assert use.caps == use.reach == (limit is None)
    assert use.child_directed == (limit is Limit.CHILD_DIRECTED)


def test_child_directed_requests_skip_the_campaigns_that_stay_out_of_kids_apps() -> None:
    catalog = [campaign(1), campaign(2, exclude_child_directed=True), campaign(3)]
    assert served(catalog, child_directed=True) == {"c1", "c3"}
    assert served(catalog) == {"c1", "c2", "c3"}
    # How a request says so: COPPA, whatever else it says.
    assert openrtb_use(
        {"lmt": 1}, {"coppa": 1}, None, gdpr=SIGNALLED, places=unplaced
    ).child_directed
    assert tag_use({"regs": "gdpr,coppa"}, gdpr=SIGNALLED, places=unplaced).child_directed
    assert not openrtb_use({"lmt": 1}, None, None, gdpr=SIGNALLED, places=unplaced).child_directed


@pytest.mark.parametrize(
    ("scope", "stated", "places", "applies"),
    [
        (GdprScope.SIGNALLED, None, {"DE"}, False),
        (GdprScope.SIGNALLED, True, set(), True),
        (GdprScope.BY_PLACE, None, {"DE", "DE-BY"}, True),
        (GdprScope.BY_PLACE, None, {"GB"}, True),
        (GdprScope.BY_PLACE, None, {"US", "US-CA"}, False),
        (GdprScope.BY_PLACE, None, set(), False),  # nowhere known
        (GdprScope.BY_PLACE, False, {"FR"}, False),  # the request says it does not apply
        (GdprScope.ALWAYS, False, set(), True),
    ],
)
def test_where_gdpr_applies(
    scope: GdprScope, stated: bool | None, places: set[str], applies: bool
) -> None:
    asked: list[bool] = []

    def where() -> frozenset[str]:
        asked.append(True)
        return frozenset(places)

    assert GdprPolicy(scope).applies(stated, where) is applies
    # The viewer's place is read only when it decides.
    assert bool(asked) == (scope is GdprScope.BY_PLACE and stated is None)


def test_requests_that_do_not_say_are_placed_under_by_place() -> None:
    by_place = GdprPolicy(GdprScope.BY_PLACE)

    def in_germany() -> frozenset[str]:
        return frozenset({"DE"})

    no_consent = Limit.NO_GDPR_CONSENT
    assert openrtb_use(None, None, None, gdpr=by_place, places=in_germany).limit is no_consent
    assert openrtb_use(None, {"gdpr": 0}, None, gdpr=by_place, places=in_germany) == FULL_USE
    consented = {"consent": tc_string({1, 2, 7}, set(), set())}
    assert openrtb_use(None, None, consented, gdpr=by_place, places=in_germany) == FULL_USE
    assert tag_use({}, gdpr=by_place, places=in_germany).limit is no_consent
    assert tag_use({"regs": "[REGULATIONS]"}, gdpr=by_place, places=in_germany).limit is no_consent
    assert tag_use({"gdpr": "0"}, gdpr=by_place, places=in_germany) == FULL_USE
    assert tag_use({"regs": "ccpa"}, gdpr=by_place, places=in_germany) == FULL_USE  # all listed
    assert tag_use({}, gdpr=by_place, places=unplaced) == FULL_USE


@given(st.text(max_size=400))
def test_any_text_decodes_or_is_refused_as_no_tcf_string(text: str) -> None:
    try:
        consent = TcfConsent.parse(text)
    except NotTcfString:
        assert gdpr_use(text, vendor_id=None).limit is Limit.NO_GDPR_CONSENT
    else:
        caps = 1 in consent.purposes_consent and consent.purpose(2)
        assert gdpr_use(text, vendor_id=None).caps == caps


@given(st.binary(min_size=29, max_size=300), st.integers(min_value=1, max_value=65_535))
def test_any_bytes_decode_or_are_no_consent(data: bytes, vendor: int) -> None:
    """Whatever a v2-looking string holds, the vendor check answers or refuses; nothing else."""
    text = base64.urlsafe_b64encode(bytes([0b00001000]) + data).decode().rstrip("=")
    consent = TcfConsent.parse(text)  # version 2 and long enough: the core always decodes
    assert consent.purposes_consent <= set(range(1, 25))
    try:
        assert consent.vendor_consent(vendor) in (True, False)
    except NotTcfString:
        assert gdpr_use(text, vendor_id=vendor).limit is Limit.NO_GDPR_CONSENT
