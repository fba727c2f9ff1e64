"""Sampled requests and the share of them a targeting reaches (pure)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.audience import Reach, RequestProfile, Targeting, merged_samples, reach
from ads.forecast import forecast
from ads.platforms import Platform
from ads.separation import CATEGORY_CODE
from ads.targeting import MAX_REQUEST_CONTENT_CATEGORIES, request_content_categories
from tests.unit.test_forecast import NOW, steady

SPORTS = RequestProfile(
    app="com.example.sports", platform=Platform.ROKU, content=frozenset({"IAB17-44"})
)
NEWS = RequestProfile(app="151908", platform=Platform.FIRE_TV, content=frozenset({"IAB12"}))
BLANK = RequestProfile()
SAMPLES = {SPORTS.key(): 30, NEWS.key(): 50, BLANK.key(): 20}


@pytest.mark.parametrize("profile", [SPORTS, NEWS, BLANK])
def test_profiles_survive_their_key(profile: RequestProfile) -> None:
    assert RequestProfile.parse(profile.key()) == profile


def test_a_key_reads_as_written() -> None:
    assert SPORTS.key() == "com.example.sports|roku|IAB17-44"
    assert BLANK.key() == "||"


@pytest.mark.parametrize(
    ("targeting", "share"),
    [
        (Targeting(target_content=frozenset({"IAB17"})), 0.3),
        (Targeting(target_platforms=frozenset({Platform.ROKU, Platform.FIRE_TV})), 0.8),
        (Targeting(target_apps=frozenset({"151908"}), target_content=frozenset({"IAB17"})), 0.0),
        (Targeting(target_apps=frozenset({"151908", "com.example.sports"})), 0.8),
    ],
)
def test_the_share_a_targeting_reaches(targeting: Targeting, share: float) -> None:
    assert reach(SAMPLES, targeting) == Reach(share=share, samples=100)


def test_nothing_sampled_and_unreadable_keys() -> None:
    sports = Targeting(target_content=frozenset({"IAB17"}))
    assert reach({}, sports) is None
    assert reach({"not a profile": 5, "a|smart fridge|": 3}, sports) is None
    assert reach({"not a profile": 5, SPORTS.key(): 5}, sports) == Reach(share=1.0, samples=5)
    assert not Targeting() and sports


def test_a_forecast_scales_requests_and_unsold_by_the_reach() -> None:
    counts = steady(100, 60, 0, hours=48)
    whole = forecast(counts, now=NOW, start=NOW, end=NOW + timedelta(days=1))
    assert (whole.targeted_share, whole.targeted_requests, whole.targeted_unsold) == (None,) * 3
    reached = forecast(
        counts,
        now=NOW,
        start=NOW,
        end=NOW + timedelta(days=1),
        audience=Reach(share=0.25, samples=400),
    )
    assert (reached.requests, reached.unsold) == (2400, 960)
    assert (reached.targeted_share, reached.targeted_samples) == (0.25, 400)
    assert (reached.targeted_requests, reached.targeted_unsold) == (600, 240)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=30) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=60,
)
codes = st.builds(
    lambda tier1, sub: f"IAB{tier1}" + (f"-{sub}" if sub else ""),
    st.integers(1, 26),
    st.one_of(st.none(), st.integers(1, 99)),
)


@given(json_values)
def test_whatever_a_player_sends_as_content_reads_as_known_codes(raw: object) -> None:
    read = request_content_categories(raw)
    assert len(read) <= MAX_REQUEST_CONTENT_CATEGORIES
    assert all(CATEGORY_CODE.fullmatch(code) for code in read)


@given(
    st.one_of(st.none(), st.from_regex(r"[a-z0-9._:\-]{1,40}", fullmatch=True)),
    st.one_of(st.none(), st.sampled_from(list(Platform))),
    st.frozensets(codes, max_size=8),
)
def test_every_profile_survives_its_key(
    app: str | None, platform: Platform | None, content: frozenset[str]
) -> None:
    profile = RequestProfile(app=app, platform=platform, content=content)
    assert RequestProfile.parse(profile.key()) == profile


def test_two_copies_of_the_samples_merge_day_by_day() -> None:
    monday, tuesday = date(2026, 11, 30), date(2026, 12, 1)
    archived = {monday: {"a": 5, "b": 2}, tuesday: {"a": 1}}
    live = {tuesday: {"a": 3, "c": 4}}  # Monday gone from Redis; Tuesday grew
    assert merged_samples(archived, live) == {"a": 8, "b": 2, "c": 4}
    assert merged_samples({}, live) == {"a": 3, "c": 4}
