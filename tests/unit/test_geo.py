"""Geo targeting (pure): the places a campaign stores, where a request puts its viewer, and which
campaigns a viewer in a place may get."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ads.audience import RequestProfile, Targeting, reach
from ads.campaigns import CampaignCreate, CampaignTargeting, CampaignUpdate
from ads.catalog import campaign_from_hash, campaign_to_hash
from ads.geo import (
    MAX_TARGET_PLACES,
    GeoHeaders,
    check_place,
    countries,
    device_geo,
    most_specific,
    place_name,
    request_places,
    viewer_places,
)
from ads.selection import CatalogIndex
from ads.targeting import located_in
from tests.unit.catalog_factories import campaign, served

BASE = {
    "name": "Located",
    "budget_total": "100",
    "cpm": "10",
    "start_date": "2026-01-01",
    "end_date": "2026-02-01",
}
CLOUDFRONT = GeoHeaders.named("CloudFront-Viewer-Country", "CloudFront-Viewer-Country-Region")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("us", "US"), (" GB ", "GB"), ("us-ca", "US-CA"), ("GB-ENG", "GB-ENG"), ("FR-75C", "FR-75C")],
)
def test_places_are_stored_as_upper_case_iso_3166_codes(raw: str, stored: str) -> None:
    assert check_place(raw) == stored


@pytest.mark.parametrize("bad", ["", "USA", "XX", "US-ZZ", "California", "<b>US</b>", "U S"])
def test_what_is_not_an_iso_3166_code_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="ISO 3166"):
        check_place(bad)


def test_places_have_names() -> None:
    assert place_name("US") == "United States"
    assert place_name("US-CA") == "California, US"
    assert place_name("QQ") == "QQ"  # stored once, no longer known: the code itself
    assert countries()["DE"] == "Germany" and len(countries()) > 240


def test_campaign_schemas_take_distinct_places_up_to_the_limit() -> None:
    body = CampaignCreate.model_validate({**BASE, "target_geo": ["us-ca", "US-CA", "de"]})
    assert body.target_geo == ["US-CA", "DE"]
    with pytest.raises(ValidationError, match="ISO 3166"):
        CampaignCreate.model_validate({**BASE, "target_geo": ["Atlantis"]})
    with pytest.raises(ValidationError, match="target_geo"):
        CampaignCreate.model_validate({**BASE, "target_geo": ["US"] * (MAX_TARGET_PLACES + 1)})
    with pytest.raises(ValidationError, match="target_geo cannot be null"):
        CampaignUpdate.model_validate({"target_geo": None})
    assert CampaignTargeting.model_validate({"target_geo": ["fr"]}).target_geo == ["FR"]


@pytest.mark.parametrize(
    ("country", "region", "places"),
    [
        ("USA", "CA", {"US", "US-CA"}),  # OpenRTB: alpha-3 and the region's own part
        ("us", "us-ca", {"US", "US-CA"}),
        ("US", None, {"US"}),
        (None, "US-NY", {"US", "US-NY"}),  # a whole region code names its country
        ("DEU", "BY", {"DE", "DE-BY"}),
        ("US", "DE-BY", {"US"}),  # a region of another country: the region is not trusted
        ("US", "[REGION]", {"US"}),
        ("[COUNTRY]", "CA", set()),  # an unfilled macro names nothing
        ("XX", None, set()),
        (None, "CA", set()),  # a region alone names no country
        (7, ["CA"], set()),
        (None, None, set()),
    ],
)
def test_a_request_names_its_viewer_s_country_and_region(
    country: object, region: object, places: set[str]
) -> None:
    assert request_places(country, region) == places


def test_openrtb_device_geo_is_read_as_sent() -> None:
    assert device_geo({"geo": {"country": "USA", "region": "CA", "lat": 1.0}}) == ("USA", "CA")
    assert device_geo({"geo": "US"}) == (None, None)
    assert device_geo({"ifa": "x"}) == (None, None)
    assert device_geo(None) == (None, None)


def test_the_request_s_place_wins_over_the_edge_s_headers() -> None:
    headers = [
        (b"cloudfront-viewer-country", b"DE"),
        (b"cloudfront-viewer-country-region", b"BY"),
    ]
    unstated = request_places(None, None)
    assert viewer_places(unstated, CLOUDFRONT, headers) == {"DE", "DE-BY"}
    assert viewer_places(request_places("USA", "CA"), CLOUDFRONT, headers) == {"US", "US-CA"}
    # An ad-insertion server's stated place wins, an unfilled macro leaves it to the edge.
    assert viewer_places(request_places("[COUNTRY]", None), CLOUDFRONT, headers) == {"DE", "DE-BY"}
    assert viewer_places(unstated, GeoHeaders(), headers) == set()  # no edge trusted
    assert viewer_places(unstated, CLOUDFRONT, [(b"cf-ipcountry", b"FR")]) == set()
    cloudflare = GeoHeaders.named("CF-IPCountry", "")
    assert viewer_places(unstated, cloudflare, [(b"cf-ipcountry", b"FR")]) == {"FR"}


def test_the_most_specific_place_is_what_beacons_record() -> None:
    assert most_specific(frozenset({"US", "US-CA"})) == "US-CA"
    assert most_specific(frozenset({"FR"})) == "FR"
    assert most_specific(frozenset()) is None
    headers = [(b"cloudfront-viewer-country", b"DE"), (b"cloudfront-viewer-country-region", b"BY")]
    assert CLOUDFRONT.place(headers) == "DE-BY"
    assert CLOUDFRONT.place(headers[:1]) == "DE"
    assert GeoHeaders().place(headers) is None


@given(st.one_of(st.none(), st.text(max_size=12)), st.one_of(st.none(), st.text(max_size=12)))
def test_whatever_a_request_sends_names_a_known_country_and_at_most_one_region(
    country: str | None, region: str | None
) -> None:
    places = request_places(country, region)
    named = [code for code in places if "-" not in code]
    assert len(named) == (1 if places else 0)
    assert not named or named[0] in countries()
    assert all(code.startswith(f"{named[0]}-") for code in places - set(named))
    assert len(places) <= 2


def test_a_viewer_gets_the_campaigns_of_their_country_and_region_only() -> None:
    nationwide = campaign(1, target_geo=frozenset({"US"}), advertiser="A")
    california = campaign(2, target_geo=frozenset({"US-CA", "US-OR"}), advertiser="B")
    germany = campaign(3, target_geo=frozenset({"DE"}), advertiser="C")
    anywhere = campaign(4, advertiser="D")
    catalog = [nationwide, california, germany, anywhere]
    assert CatalogIndex(catalog, []).geo_targeted
    assert not CatalogIndex([anywhere], []).geo_targeted
    assert served(catalog, geo=frozenset({"US", "US-CA"})) == {"c1", "c2", "c4"}
    assert served(catalog, geo=frozenset({"US", "US-NY"})) == {"c1", "c4"}
    assert served(catalog, geo=frozenset({"US"})) == {"c1", "c4"}
    assert served(catalog, geo=frozenset({"DE", "DE-BY"})) == {"c3", "c4"}
    assert served(catalog, geo=frozenset()) == {"c4"}  # no known place: untargeted only
    assert located_in(anywhere, frozenset())


def test_target_places_survive_the_catalog_hash() -> None:
    located = campaign(1, target_geo=frozenset({"US-CA", "DE"}))
    stored = campaign_to_hash(located)
    assert stored["target_geo"] == "DE,US-CA"
    assert campaign_from_hash(stored).target_geo == {"DE", "US-CA"}
    del stored["target_geo"]  # a hash written before places existed
    assert campaign_from_hash(stored).target_geo == frozenset()


def test_forecast_reach_weighs_the_places_sampled() -> None:
    samples = {
        RequestProfile(geo=frozenset({"US", "US-CA"})).key(): 2,
        RequestProfile(geo=frozenset({"US", "US-TX"})).key(): 3,
        RequestProfile(geo=frozenset({"DE"})).key(): 4,
        RequestProfile().key(): 1,
        "com.example.tv||IAB17": 10,  # sampled before places were: no place
    }
    nationwide = reach(samples, Targeting(target_geo=frozenset({"US"})))
    west_and_germany = reach(samples, Targeting(target_geo=frozenset({"US-CA", "DE"})))
    assert nationwide is not None and nationwide.share == pytest.approx(0.25)
    assert west_and_germany is not None and west_and_germany.share == pytest.approx(0.3)
    # Without a place, a profile keeps the key it had before places: its samples add up.
    assert RequestProfile(app="com.example.tv", content=frozenset({"IAB17"})).key() == (
        "com.example.tv||IAB17"
    )
    assert RequestProfile.parse(RequestProfile(app="a", geo=frozenset({"FR"})).key()).geo == {"FR"}
    with pytest.raises(ValueError, match="at most 4 parts"):
        RequestProfile.parse("a|b|c|d|e")
