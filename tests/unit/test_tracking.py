"""Signed beacon URLs: routing, round trip, and every way a beacon must be refused."""

from __future__ import annotations

from typing import TypedDict
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.errors import BeaconExpired, InvalidBeacon, InvalidSignature
from ads.tracking import (
    ERROR_CODE_MACRO,
    EVENTS,
    PLAYER_EVENTS,
    Beacon,
    BeaconSigner,
    BeaconVerifier,
    TrackingUrls,
    beacon_url,
    verify_beacon,
)

SECRET = "unit-test-tracking-secret"
BASE = "http://127.0.0.1:8000"
SERVED_AT = 1_767_225_600
MAX_AGE = 3600.0


class Ids(TypedDict):
    ad_serving_id: str
    request_id: str
    campaign_id: str
    creative_id: str
    served_at: int


IDS: Ids = {
    "ad_serving_id": "as-0001",
    "request_id": "req-0001",
    "campaign_id": "camp-0001",
    "creative_id": "cre-0001",
    "served_at": SERVED_AT,
}


@pytest.fixture(scope="module")
def signer() -> BeaconSigner:
    return BeaconSigner(SECRET, base_url=BASE)


@pytest.fixture(scope="module")
def verifier() -> BeaconVerifier:
    return BeaconVerifier(SECRET)


@pytest.fixture(scope="module")
def urls(signer: BeaconSigner) -> TrackingUrls:
    return signer.tracking_urls(**IDS)


def params_of(url: str) -> dict[str, str]:
    """The query as a web framework hands it over: decoded, one value per name."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def all_urls(urls: TrackingUrls) -> dict[str, str]:
    return {
        "impression": urls.impression,
        "click": urls.click,
        "error": urls.error,
        **dict(urls.events),
    }


def verify(
    verifier: BeaconVerifier, params: dict[str, str], *, now: float = SERVED_AT + 5
) -> Beacon:
    return verifier.verify(params, max_age_seconds=MAX_AGE, now=now)


def test_each_event_goes_to_its_endpoint(urls: TrackingUrls) -> None:
    assert urls.impression.startswith(f"{BASE}/api/v1/impression?event=impression&")
    assert urls.click.startswith(f"{BASE}/api/v1/click?event=click&")
    assert urls.error.startswith(f"{BASE}/api/v1/track?event=error&")
    assert [event for event, _ in urls.events] == list(PLAYER_EVENTS)
    for event, url in urls.events:
        assert url.startswith(f"{BASE}/api/v1/track?event={event}&")


def test_error_url_keeps_the_vast_macro_literally_at_the_end(urls: TrackingUrls) -> None:
    assert urls.error.endswith(f"&code={ERROR_CODE_MACRO}")
    assert urls.error.count(ERROR_CODE_MACRO) == 1


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_every_event_round_trips(urls: TrackingUrls, verifier: BeaconVerifier, event: str) -> None:
    beacon = verify(verifier, params_of(all_urls(urls)[event]))

    assert beacon == Beacon(
        event=event,
        ad_serving_id="as-0001",
        request_id="req-0001",
        campaign_id="camp-0001",
        creative_id="cre-0001",
        served_at=SERVED_AT,
        event_id=f"as-0001:{event}",
    )


def test_a_replay_has_the_same_event_id(urls: TrackingUrls, verifier: BeaconVerifier) -> None:
    first = verify(verifier, params_of(urls.impression), now=SERVED_AT + 1)
    replay = verify(verifier, params_of(urls.impression), now=SERVED_AT + 600)

    assert replay.event_id == first.event_id


def test_events_of_one_ad_have_distinct_event_ids(
    urls: TrackingUrls, verifier: BeaconVerifier
) -> None:
    ids = {verify(verifier, params_of(url)).event_id for url in all_urls(urls).values()}

    assert len(ids) == len(EVENTS)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("event", "complete"),
        ("a", "as-0002"),
        ("r", "req-0002"),
        ("c", "camp-0002"),
        ("k", "cre-0002"),
        ("t", str(SERVED_AT + 1)),
        ("s", "AAAAAAAAAAAAAAAAAAAAAA"),
    ],
)
def test_a_tampered_field_is_refused(
    urls: TrackingUrls, verifier: BeaconVerifier, name: str, value: str
) -> None:
    params = params_of(dict(urls.events)["start"])
    params[name] = value

    with pytest.raises(InvalidSignature):
        verify(verifier, params)


@pytest.mark.parametrize("event", sorted(EVENTS - {"impression"}))
def test_another_events_tag_does_not_make_an_impression(
    urls: TrackingUrls, verifier: BeaconVerifier, event: str
) -> None:
    params = params_of(urls.impression)
    params["s"] = params_of(all_urls(urls)[event])["s"]

    assert params["s"] != params_of(urls.impression)["s"]
    with pytest.raises(InvalidSignature):
        verify(verifier, params)


def test_beacons_signed_with_another_secret_are_refused(urls: TrackingUrls) -> None:
    with pytest.raises(InvalidSignature):
        BeaconVerifier("another-secret-entirely").verify(
            params_of(urls.impression), max_age_seconds=MAX_AGE, now=SERVED_AT
        )


def test_after_a_rotation_urls_signed_with_the_previous_secret_still_verify(
    urls: TrackingUrls,
) -> None:
    rotated = BeaconVerifier("the-new-secret-after-rotation", previous=SECRET)
    for event, url in all_urls(urls).items():
        assert verify(rotated, params_of(url)).event == event
    with pytest.raises(InvalidSignature):  # the grace key is only the one named previous
        verify(
            BeaconVerifier("the-new-secret-after-rotation", previous="x" * 32),
            params_of(urls.impression),
        )
    tampered = params_of(urls.impression)
    tampered["c"] = "another-campaign"
    with pytest.raises(InvalidSignature):  # the old key still binds every parameter
        verify(rotated, tampered)


@pytest.mark.parametrize("signature", [None, "", "ünïcödé-signature-xx"])
def test_a_missing_or_garbled_signature_is_refused(
    urls: TrackingUrls, verifier: BeaconVerifier, signature: str | None
) -> None:
    params = params_of(urls.impression)
    del params["s"]
    if signature is not None:
        params["s"] = signature

    with pytest.raises(InvalidSignature):
        verify(verifier, params)


@pytest.mark.parametrize("name", ["event", "a", "r", "c", "k", "t"])
def test_a_missing_parameter_is_refused(
    urls: TrackingUrls, verifier: BeaconVerifier, name: str
) -> None:
    params = params_of(urls.impression)
    del params[name]

    with pytest.raises(InvalidBeacon, match=repr(name)):
        verify(verifier, params)


@pytest.mark.parametrize("event", ["bogus", "Impression", "progress", ""])
def test_an_unknown_event_is_refused(
    urls: TrackingUrls, verifier: BeaconVerifier, event: str
) -> None:
    params = {**params_of(urls.impression), "event": event}

    with pytest.raises(InvalidBeacon, match="unknown beacon event"):
        verify(verifier, params)


@pytest.mark.parametrize("served_at", ["-1", "1.5", "", "١٢٣", "9" * 40])
def test_a_malformed_time_is_refused(
    urls: TrackingUrls, verifier: BeaconVerifier, served_at: str
) -> None:
    params = {**params_of(urls.impression), "t": served_at}

    with pytest.raises(InvalidBeacon, match="unix seconds"):
        verify(verifier, params)


def test_the_age_limit_is_inclusive(urls: TrackingUrls, verifier: BeaconVerifier) -> None:
    params = params_of(urls.impression)

    assert verify(verifier, params, now=SERVED_AT + MAX_AGE).served_at == SERVED_AT
    with pytest.raises(BeaconExpired):
        verify(verifier, params, now=SERVED_AT + MAX_AGE + 1)


def test_a_beacon_from_the_future_is_refused_beyond_the_clock_skew(
    urls: TrackingUrls, verifier: BeaconVerifier
) -> None:
    params = params_of(urls.impression)

    beacon = verifier.verify(
        params, max_age_seconds=MAX_AGE, now=SERVED_AT - 5, clock_skew_seconds=5
    )
    assert beacon.served_at == SERVED_AT
    with pytest.raises(InvalidBeacon, match="future"):
        verifier.verify(params, max_age_seconds=MAX_AGE, now=SERVED_AT - 6, clock_skew_seconds=5)


@pytest.mark.parametrize(
    ("code", "expected"), [("402", 402), ("900", 900), (ERROR_CODE_MACRO, None), (None, None)]
)
def test_the_player_error_code_is_read_outside_the_signature(
    urls: TrackingUrls, verifier: BeaconVerifier, code: str | None, expected: int | None
) -> None:
    params = params_of(urls.error)
    if code is None:
        del params["code"]
    else:
        params["code"] = code

    assert verify(verifier, params).error_code == expected


@pytest.mark.parametrize("code", ["", "40", "4020", "abc", "[ERRORCODE", "\uff14\uff10\uff12"])
def test_a_malformed_error_code_is_refused(
    urls: TrackingUrls, verifier: BeaconVerifier, code: str
) -> None:
    params = {**params_of(urls.error), "code": code}

    with pytest.raises(InvalidBeacon, match="error code"):
        verify(verifier, params)


def test_a_no_fill_error_beacon_can_leave_campaign_and_creative_empty(
    signer: BeaconSigner, verifier: BeaconVerifier
) -> None:
    url = signer.url(
        "error",
        ad_serving_id="nofill-0001",
        request_id="req-0001",
        campaign_id="",
        creative_id="",
        served_at=SERVED_AT,
    )

    beacon = verify(verifier, {**params_of(url), "code": "303"})

    assert (beacon.campaign_id, beacon.creative_id, beacon.error_code) == ("", "", 303)


def test_a_code_on_another_event_is_ignored(urls: TrackingUrls, verifier: BeaconVerifier) -> None:
    params = {**params_of(urls.impression), "code": "402"}

    assert verify(verifier, params).error_code is None


def test_the_error_codes_carry_their_http_status() -> None:
    assert (InvalidSignature.status_code, InvalidSignature.code) == (403, "invalid_signature")
    assert (BeaconExpired.status_code, BeaconExpired.code) == (410, "beacon_expired")
    assert (InvalidBeacon.status_code, InvalidBeacon.code) == (422, "invalid_beacon")


def test_the_one_off_functions_match_the_long_lived_objects(signer: BeaconSigner) -> None:
    url = beacon_url(secret=SECRET, base_url=f"{BASE}/", event="midpoint", **IDS)

    assert url == signer.url("midpoint", **IDS)
    beacon = verify_beacon(params_of(url), secret=SECRET, max_age_seconds=MAX_AGE, now=SERVED_AT)
    assert beacon.event == "midpoint"


def test_a_signer_can_leave_out_player_events() -> None:
    signer = BeaconSigner(SECRET, base_url=BASE, player_events=PLAYER_EVENTS[:5])

    urls = signer.tracking_urls(**IDS)

    assert [event for event, _ in urls.events] == list(PLAYER_EVENTS[:5])


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://127.0.0.1",
        "127.0.0.1:8000",
        "http://127.0.0.1:8000/?x=1",
        "http://host/a b",
        "http://host/100%",
    ],
)
def test_a_signer_refuses_a_base_url_that_is_not_a_plain_http_url(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        BeaconSigner(SECRET, base_url=base_url)


def test_a_signer_refuses_events_it_cannot_put_in_tracking_events() -> None:
    with pytest.raises(ValueError, match="impression"):
        BeaconSigner(SECRET, base_url=BASE, player_events=["start", "impression"])


def test_signing_an_unknown_event_is_a_programming_error(signer: BeaconSigner) -> None:
    with pytest.raises(ValueError, match="unknown beacon event"):
        signer.url("bogus", **IDS)


ids_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80)


@given(
    ad_serving_id=ids_text,
    request_id=ids_text,
    campaign_id=ids_text,
    creative_id=ids_text,
    served_at=st.integers(min_value=0, max_value=10**11),
)
def test_any_ids_survive_the_url_round_trip(
    ad_serving_id: str, request_id: str, campaign_id: str, creative_id: str, served_at: int
) -> None:
    signer = BeaconSigner(SECRET, base_url=BASE, player_events=())
    ids = {
        "ad_serving_id": ad_serving_id,
        "request_id": request_id,
        "campaign_id": campaign_id,
        "creative_id": creative_id,
    }
    url = signer.tracking_urls(**ids, served_at=served_at).impression

    beacon = BeaconVerifier(SECRET).verify(params_of(url), max_age_seconds=60, now=served_at)

    assert url.isascii()
    assert (beacon.ad_serving_id, beacon.request_id, beacon.campaign_id, beacon.creative_id) == (
        ad_serving_id,
        request_id,
        campaign_id,
        creative_id,
    )


# --- device keys (reach) -------------------------------------------------------------------


def test_a_device_key_is_a_keyed_hash_stable_per_secret(signer: BeaconSigner) -> None:
    key = signer.device_key("6D92078A-8246-4BA4-AE5B-76104861E7DC")
    assert len(key) == 16 and all(c in "0123456789abcdef" for c in key)
    assert key == BeaconSigner(SECRET, base_url="https://other.example").device_key(
        "6D92078A-8246-4BA4-AE5B-76104861E7DC"
    )
    assert key != signer.device_key("6D92078A-8246-4BA4-AE5B-76104861E7DD")
    assert key != BeaconSigner("another-tracking-secret", base_url=BASE).device_key(
        "6D92078A-8246-4BA4-AE5B-76104861E7DC"
    )
    assert "6D92078A" not in key.upper()


def test_the_device_key_rides_signed_on_every_beacon(
    signer: BeaconSigner, verifier: BeaconVerifier
) -> None:
    device = signer.device_key("roku-device-1")
    urls = signer.tracking_urls(**IDS, device=device)
    for event, url in all_urls(urls).items():
        params = params_of(url)
        assert params["d"] == device
        beacon = verify(verifier, params)
        assert (beacon.event, beacon.device) == (event, device)


def test_a_beacon_without_a_device_key_has_none(
    urls: TrackingUrls, verifier: BeaconVerifier
) -> None:
    params = params_of(urls.impression)
    assert "d" not in params
    assert verify(verifier, params).device is None


@pytest.mark.parametrize("change", ["swap", "drop", "add"])
def test_a_forged_device_key_is_refused(
    signer: BeaconSigner, verifier: BeaconVerifier, change: str
) -> None:
    """Reach cannot be inflated by rewriting, removing or adding the device of a beacon."""
    signed = signer.tracking_urls(**IDS, device=signer.device_key("device-a"))
    params = params_of(signed.impression)
    if change == "swap":
        params["d"] = signer.device_key("device-b")
    elif change == "drop":
        del params["d"]
    else:
        params = params_of(signer.tracking_urls(**IDS).impression)
        params["d"] = signer.device_key("device-b")
    with pytest.raises(InvalidSignature):
        verify(verifier, params)


@pytest.mark.parametrize("bad", ["", "ABCDEF0123456789", "0123", "0123456789abcdef0", "zz" * 8])
def test_a_malformed_device_key_is_refused(
    signer: BeaconSigner, verifier: BeaconVerifier, bad: str
) -> None:
    params = params_of(signer.tracking_urls(**IDS, device=signer.device_key("d-1")).impression)
    params["d"] = bad
    with pytest.raises(InvalidBeacon, match="device key"):
        verify(verifier, params)


# --- places (delivery by place) --------------------------------------------------------------


def test_the_stated_place_rides_signed_on_every_beacon_after_the_device(
    signer: BeaconSigner, verifier: BeaconVerifier
) -> None:
    device = signer.device_key("roku-device-1")
    urls = signer.tracking_urls(**IDS, device=device, place="US-CA")
    for event, url in all_urls(urls).items():
        params = params_of(url)
        assert params["g"] == "US-CA" and url.index("&d=") < url.index("&g=")
        beacon = verify(verifier, params)
        assert (beacon.event, beacon.device, beacon.place) == (event, device, "US-CA")
    alone = verify(verifier, params_of(signer.tracking_urls(**IDS, place="DE").impression))
    assert (alone.device, alone.place) == (None, "DE")
    assert verify(verifier, params_of(signer.tracking_urls(**IDS).impression)).place is None


@pytest.mark.parametrize("change", ["swap", "drop", "add"])
def test_a_forged_place_is_refused(
    signer: BeaconSigner, verifier: BeaconVerifier, change: str
) -> None:
    params = params_of(signer.tracking_urls(**IDS, place="US-CA").impression)
    if change == "swap":
        params["g"] = "US-NY"
    elif change == "drop":
        del params["g"]
    else:
        params = params_of(signer.tracking_urls(**IDS).impression)
        params["g"] = "US"
    with pytest.raises(InvalidSignature):
        verify(verifier, params)


@pytest.mark.parametrize("bad", ["", "us", "USA", "US-", "US-CALI", "US_CA", "<b>"])
def test_a_malformed_place_is_refused(
    signer: BeaconSigner, verifier: BeaconVerifier, bad: str
) -> None:
    params = params_of(signer.tracking_urls(**IDS, place="US").impression)
    params["g"] = bad
    with pytest.raises(InvalidBeacon, match="place"):
        verify(verifier, params)
