"""App targeting (pure): which bundles a campaign stores, which app a request names, and which
campaigns a request from an app may get."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from ads.campaigns import CampaignCreate, CampaignUpdate
from ads.catalog import CatalogCampaign, campaign_from_hash, campaign_to_hash
from ads.decision import decide_pod
from ads.selection import CatalogIndex
from ads.targeting import MAX_TARGET_APPS, check_app_bundle, request_app_bundle, runs_in
from ads.tracking import BeaconSigner
from tests.unit.catalog_factories import NOW, campaign, creative

SIGNER = BeaconSigner("s" * 32, base_url="https://ads.example.com")
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


def served(campaigns: list[CatalogCampaign], app: str | None, *, draws: int = 60) -> set[str]:
    index = CatalogIndex(campaigns, [creative(int(c.id[1:])) for c in campaigns])
    seen: set[str] = set()
    rng = random.Random(7)
    for _ in range(draws):
        for decision in decide_pod(
            index,
            request_id="r",
            max_duration_ms=None,
            max_ads=3,
            now=NOW,
            rng=rng,
            signer=SIGNER,
            app=app,
        ):
            seen.add(decision.campaign.id)
    return seen


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
