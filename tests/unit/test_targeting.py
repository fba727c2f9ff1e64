"""App, platform, content and key-value targeting (pure): what a campaign stores, what a request
names, and which campaigns a request from an app, a platform, next to some content or stating
some key-values may get."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ads.campaigns import CampaignCreate, CampaignUpdate
from ads.catalog import campaign_from_hash, campaign_to_hash
from ads.platforms import Platform
from ads.selection import CatalogIndex
from ads.targeting import (
    MAX_REQUEST_CONTENT_CATEGORIES,
    MAX_REQUEST_KEYS,
    MAX_TARGET_APPS,
    MAX_TARGET_KEYS,
    check_app_bundle,
    keyed_for,
    request_app_bundle,
    request_content_categories,
    request_key_values,
    runs_in,
    shows_in,
)
from tests.unit.catalog_factories import campaign, served

SPORTS, NEWS = "com.example.sports", "151908"
BASE = {
    "name": "Targeted",
    "budget_total": "100",
    "cpm": "10",
    "start_date": "2026-01-01",
    "end_date": "2026-02-01",
}


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (" com.Example.TV ", "com.example.tv"),
        ("151908", "151908"),
        ("id1234567890", "id1234567890"),
        ("B00KDSGIPK", "b00kdsgipk"),
        ("tv.pluto:live_1-2", "tv.pluto:live_1-2"),
    ],
)
def test_bundles_are_stored_trimmed_and_lower_case(raw: str, stored: str) -> None:
    assert check_app_bundle(raw) == stored


@pytest.mark.parametrize("bad", ["", "com example", "<script>", "a/b", "x" * 256, "[APPBUNDLE]"])
def test_what_is_not_a_bundle_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="app bundle"):
        check_app_bundle(bad)


def test_campaign_schemas_take_distinct_bundles_up_to_the_limit() -> None:
    body = CampaignCreate.model_validate({**BASE, "target_apps": [SPORTS, "COM.EXAMPLE.SPORTS"]})
    assert body.target_apps == [SPORTS]
    assert CampaignCreate.model_validate(BASE).target_apps == []
    with pytest.raises(ValidationError, match="target_apps"):
        CampaignCreate.model_validate({**BASE, "target_apps": ["no spaces"]})
    many = [f"app{n}" for n in range(MAX_TARGET_APPS + 1)]
    with pytest.raises(ValidationError, match="target_apps"):
        CampaignCreate.model_validate({**BASE, "target_apps": many})
    assert CampaignUpdate.model_validate({"target_apps": []}).target_apps == []
    with pytest.raises(ValidationError, match="target_apps cannot be null"):
        CampaignUpdate.model_validate({"target_apps": None})


@pytest.mark.parametrize(
    ("raw", "app"),
    [
        ("com.Example.Sports", SPORTS),
        ("[APPBUNDLE]", None),
        ("", None),
        (None, None),
        (151908, None),
        ("a b", None),
    ],
)
def test_the_app_a_request_names(raw: object, app: str | None) -> None:
    assert request_app_bundle(raw) == app


def test_targeted_campaigns_run_only_in_their_apps_others_everywhere() -> None:
    targeted = campaign(1, target_apps=frozenset({SPORTS, NEWS}))
    assert runs_in(targeted, SPORTS) and runs_in(targeted, NEWS)
    assert not runs_in(targeted, "com.example.kids") and not runs_in(targeted, None)
    assert runs_in(campaign(2), None) and runs_in(campaign(2), SPORTS)


def test_target_apps_survive_the_catalog_hash() -> None:
    targeted = campaign(1, target_apps=frozenset({SPORTS, NEWS}))
    assert campaign_to_hash(targeted)["target_apps"] == f"{NEWS},{SPORTS}"
    assert campaign_from_hash(campaign_to_hash(targeted)) == targeted
    assert campaign_from_hash(campaign_to_hash(campaign(2))).target_apps == frozenset()


def test_a_request_gets_targeted_campaigns_only_from_their_apps() -> None:
    sports = campaign(1, target_apps=frozenset({SPORTS}), advertiser="A")
    news = campaign(2, target_apps=frozenset({NEWS}), advertiser="B")
    anywhere = campaign(3, advertiser="C")
    catalog = [sports, news, anywhere]
    assert CatalogIndex(catalog, []).app_targeted
    assert not CatalogIndex([anywhere], []).app_targeted
    assert served(catalog, SPORTS) == {"c1", "c3"}
    assert served(catalog, NEWS) == {"c2", "c3"}
    assert served(catalog, None) == {"c3"}
    assert served(catalog, "com.example.kids") == {"c3"}
    assert served([sports], None) == set()


def test_campaign_schemas_take_known_distinct_platforms() -> None:
    body = CampaignCreate.model_validate({**BASE, "target_platforms": ["roku", "fire_tv", "roku"]})
    assert body.target_platforms == [Platform.ROKU, Platform.FIRE_TV]
    assert CampaignCreate.model_validate(BASE).target_platforms == []
    with pytest.raises(ValidationError, match="target_platforms"):
        CampaignCreate.model_validate({**BASE, "target_platforms": ["smart fridge"]})
    with pytest.raises(ValidationError, match="target_platforms cannot be null"):
        CampaignUpdate.model_validate({"target_platforms": None})


def test_target_platforms_survive_the_catalog_hash() -> None:
    targeted = campaign(1, target_platforms=frozenset({Platform.ROKU, Platform.APPLE_TV}))
    assert campaign_to_hash(targeted)["target_platforms"] == "apple_tv,roku"
    assert campaign_from_hash(campaign_to_hash(targeted)) == targeted
    assert campaign_from_hash(campaign_to_hash(campaign(2))).target_platforms == frozenset()


def test_a_request_gets_platform_targeted_campaigns_only_on_their_platforms() -> None:
    tv = campaign(1, target_platforms=frozenset({Platform.ROKU, Platform.FIRE_TV}), advertiser="A")
    phones = campaign(2, target_platforms=frozenset({Platform.MOBILE}), advertiser="B")
    anywhere = campaign(3, advertiser="C")
    catalog = [tv, phones, anywhere]
    assert CatalogIndex(catalog, []).platform_targeted
    assert not CatalogIndex([anywhere], []).platform_targeted
    assert served(catalog, None, platform=Platform.ROKU) == {"c1", "c3"}
    assert served(catalog, None, platform=Platform.MOBILE) == {"c2", "c3"}
    assert served(catalog, None, platform=None) == {"c3"}
    sports_on_roku = campaign(
        4, target_apps=frozenset({SPORTS}), target_platforms=frozenset({Platform.ROKU})
    )
    assert served([sports_on_roku], SPORTS, platform=Platform.ROKU) == {"c4"}
    assert served([sports_on_roku], SPORTS, platform=Platform.LG_TV) == set()
    assert served([sports_on_roku], NEWS, platform=Platform.ROKU) == set()


@pytest.mark.parametrize(
    ("raw", "codes"),
    [
        (["IAB17-44", "iab1 "], {"IAB17-44", "IAB1"}),
        ("IAB17,IAB19-29", {"IAB17", "IAB19-29"}),
        (["IAB17", "Sports", 17, None, "IAB27", "IAB17-0"], {"IAB17"}),
        ("[CONTENTCAT]", set()),
        ({"cat": "IAB17"}, set()),
        (None, set()),
        ([f"IAB{n}" for n in range(1, 27)], {f"IAB{n}" for n in range(1, 21)}),
    ],
)
def test_the_content_categories_a_request_names(raw: object, codes: set[str]) -> None:
    assert request_content_categories(raw) == codes
    assert len(codes) <= MAX_REQUEST_CONTENT_CATEGORIES


def test_content_targets_match_their_code_or_their_family() -> None:
    sports = campaign(1, target_content=frozenset({"IAB17"}))
    soccer = campaign(2, target_content=frozenset({"IAB17-44"}))
    assert shows_in(sports, frozenset({"IAB17-44"})) and shows_in(sports, frozenset({"IAB17"}))
    assert shows_in(soccer, frozenset({"IAB17-44", "IAB1"}))
    assert not shows_in(soccer, frozenset({"IAB17"}))  # sport, but not known to be soccer
    assert not shows_in(sports, frozenset({"IAB1"})) and not shows_in(sports, frozenset())
    assert shows_in(campaign(3), frozenset()) and shows_in(campaign(3), frozenset({"IAB1"}))


def test_a_request_gets_content_targeted_campaigns_only_next_to_their_content() -> None:
    sports = campaign(1, target_content=frozenset({"IAB17"}), advertiser="A")
    news = campaign(2, target_content=frozenset({"IAB12"}), advertiser="B")
    anywhere = campaign(3, advertiser="C")
    catalog = [sports, news, anywhere]
    assert CatalogIndex(catalog, []).content_targeted
    assert not CatalogIndex([anywhere], []).content_targeted
    assert served(catalog, None, content=frozenset({"IAB17-44"})) == {"c1", "c3"}
    assert served(catalog, None, content=frozenset({"IAB12", "IAB17"})) == {"c1", "c2", "c3"}
    assert served(catalog, None) == {"c3"}


def test_target_content_is_checked_and_survives_the_catalog_hash() -> None:
    body = CampaignCreate.model_validate({**BASE, "target_content": ["iab17", "IAB17-44", "IAB17"]})
    assert body.target_content == ["IAB17", "IAB17-44"]
    with pytest.raises(ValidationError, match="target_content"):
        CampaignCreate.model_validate({**BASE, "target_content": ["Sports"]})
    with pytest.raises(ValidationError, match="target_content cannot be null"):
        CampaignUpdate.model_validate({"target_content": None})
    targeted = campaign(1, target_content=frozenset({"IAB17", "IAB12-1"}))
    assert campaign_to_hash(targeted)["target_content"] == "IAB12-1,IAB17"
    assert campaign_from_hash(campaign_to_hash(targeted)) == targeted


def test_key_values_are_stored_trimmed_lower_case_and_sorted() -> None:
    raw = {" Genre ": ["Drama", "comedy", "drama"], "live": ["TRUE"]}
    body = CampaignCreate.model_validate({**BASE, "target_keys": raw})
    assert body.target_keys == {"genre": ["comedy", "drama"], "live": ["true"]}
    assert CampaignCreate.model_validate(BASE).target_keys == {}


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        ({"genre": []}, "1-50 values"),
        ({"genre": ["a"] * 1 + [f"v{n}" for n in range(50)]}, "1-50 values"),
        ({"gen re": ["x"]}, "letters, digits and _"),
        ({"<b>": ["x"]}, "letters, digits and _"),
        ({"genre": ["<script>"]}, "not 1-100 letters"),
        ({"genre": ["a b"]}, "not 1-100 letters"),
        ({"Genre": ["x"], "genre ": ["y"]}, "given twice"),
        ({f"k{n}": ["x"] for n in range(MAX_TARGET_KEYS + 1)}, "at most 10 keys"),
        ({"genre": "comedy"}, "list"),
    ],
)
def test_what_is_not_a_key_value_target_is_refused(keys: object, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        CampaignCreate.model_validate({**BASE, "target_keys": keys})
    with pytest.raises(ValidationError, match="target_keys cannot be null"):
        CampaignUpdate.model_validate({"target_keys": None})


@pytest.mark.parametrize(
    ("raw", "stated"),
    [
        (
            {"genre": "Comedy", "show": ["The-Heist", "x y", 3]},
            {"genre": {"comedy"}, "show": {"the-heist"}},
        ),
        ("genre=comedy,drama&live=true", {"genre": {"comedy", "drama"}, "live": {"true"}}),
        ("genre%3Dcomedy%2Cdrama%26live%3Dtrue", {"genre": {"comedy", "drama"}, "live": {"true"}}),
        ("genre=comedy&genre=news", {"genre": {"comedy", "news"}}),
        ("[CUST_PARAMS]", {}),
        ({"bad key": "x", "ok": "", "fine": ["<b>"]}, {}),
        (None, {}),
        (["genre", "comedy"], {}),
        ({f"k{n}": "v" for n in range(MAX_REQUEST_KEYS + 5)}, {f"k{n}": {"v"} for n in range(20)}),
    ],
)
def test_the_key_values_a_request_states(raw: object, stated: dict[str, set[str]]) -> None:
    assert request_key_values(raw) == {k: frozenset(v) for k, v in stated.items()}


def test_a_campaign_needs_each_of_its_keys_with_one_of_its_values() -> None:
    targets = (("genre", frozenset({"comedy", "drama"})), ("live", frozenset({"true"})))
    assert keyed_for(targets, {"genre": frozenset({"drama"}), "live": frozenset({"true"})})
    assert not keyed_for(targets, {"genre": frozenset({"drama"})})  # live not stated
    assert not keyed_for(targets, {"genre": frozenset({"news"}), "live": frozenset({"true"})})
    assert keyed_for((), {}) and keyed_for((), {"genre": frozenset({"x"})})


def test_a_request_gets_key_targeted_campaigns_only_with_their_key_values() -> None:
    comedy = campaign(1, target_keys=(("genre", frozenset({"comedy"})),), advertiser="A")
    live = campaign(2, target_keys=(("live", frozenset({"true"})),), advertiser="B")
    anywhere = campaign(3, advertiser="C")
    catalog = [comedy, live, anywhere]
    assert CatalogIndex(catalog, []).key_targeted
    assert not CatalogIndex([anywhere], []).key_targeted
    assert served(catalog, None, keys=request_key_values("genre=comedy")) == {"c1", "c3"}
    both = request_key_values({"genre": "comedy", "live": "true"})
    assert served(catalog, None, keys=both) == {"c1", "c2", "c3"}
    assert served(catalog, None) == {"c3"}


def test_target_keys_survive_the_catalog_hash() -> None:
    targeted = campaign(
        1, target_keys=(("genre", frozenset({"drama", "comedy"})), ("live", frozenset({"true"})))
    )
    assert campaign_to_hash(targeted)["target_keys"] == (
        '[["genre", ["comedy", "drama"]], ["live", ["true"]]]'
    )
    assert campaign_from_hash(campaign_to_hash(targeted)) == targeted
    untargeted = campaign(2)
    assert campaign_from_hash(campaign_to_hash(untargeted)).target_keys == ()
