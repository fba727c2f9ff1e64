"""The player-facing endpoints under generated input (hypothesis): any query string or JSON body
gets a VAST document that validates, a JSON ad, a no-fill, or our JSON error body; never a 5xx
and never an unparseable answer. The serving app has no OpenAPI document, so the inputs are
built here from the parameters each endpoint reads, with values of every kind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.stack_fixtures import Stack

EXAMPLES = 60
VAST_PARAMS = [
    "campaign_id",
    "max_duration",
    "max_ads",
    "blocked_categories",
    "ifa",
    "app_bundle",
    "ua",
    "content_cat",
    "country",
    "region",
    "lmt",
    "regs",
    "gdpr",
    "coppa",
    "gdpr_consent",
    "request_id",
]
VMAP_PARAMS = [
    "content_duration",
    "midroll_every",
    "midrolls",
    "preroll",
    "postroll",
    "break_duration",
    "max_ads",
    "request_id",
]
BEACON_PARAMS = ["event", "c", "k", "a", "r", "t", "s", "code", "d", "g"]

text = st.text(max_size=40) | st.sampled_from(
    ["", "0", "-1", "1e309", "NaN", "[ERRORCODE]", "x" * 300]
)
numbers = st.integers(-(2**40), 2**40).map(str) | st.floats(allow_nan=True).map(str)
values = text | numbers


def queries(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(names) | st.text(max_size=8), values, max_size=6)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
AD_REQUEST_KEYS = [
    "request_id",
    "duration",
    "max_ads",
    "blocked_categories",
    "device",
    "app",
    "content",
    "regs",
    "user",
    "vast_tags",
]
ad_requests = st.dictionaries(
    st.sampled_from(AD_REQUEST_KEYS), json_values, max_size=6
) | st.fixed_dictionaries(
    {"request_id": st.text(min_size=1, max_size=20), "duration": st.integers(-5, 200)},
    optional={"device": json_values, "app": json_values, "max_ads": json_values},
)

FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture(scope="module")
def player(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        yield client


def refused_in_json(answer: httpx.Response) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("application/json"), answer.text[:300]
    assert {"code", "message"} <= json.loads(answer.text)["error"].keys()


def vast_or_refused(answer: httpx.Response, vast_schema: Any, root: str) -> None:
    if answer.status_code == 200:
        document = ElementTree.fromstring(answer.content)
        assert document.tag.rsplit("}", 1)[-1] == root
        if root == "VAST":
            vast_schema.validate(answer.text)
    else:
        refused_in_json(answer)


def test_any_vast_tag_query_gets_valid_vast_or_a_clear_refusal(
    player: httpx.Client, vast_schema: Any
) -> None:
    @FUZZ
    @given(query=queries(VAST_PARAMS))
    def check(query: dict[str, str]) -> None:
        answer = player.get(f"/api/v1/vast?{urlencode(query)}")
        vast_or_refused(answer, vast_schema, "VAST")

    check()


def test_any_vmap_query_gets_a_schedule_or_a_clear_refusal(
    player: httpx.Client, vast_schema: Any
) -> None:
    @FUZZ
    @given(query=queries(VMAP_PARAMS))
    def check(query: dict[str, str]) -> None:
        answer = player.get(f"/api/v1/vmap?{urlencode(query)}")
        vast_or_refused(answer, vast_schema, "VMAP")

    check()


def test_any_json_ad_request_gets_an_ad_no_fill_or_a_clear_refusal(player: httpx.Client) -> None:
    @FUZZ
    @given(body=ad_requests | json_values)
    def check(body: Any) -> None:
        answer = player.post("/api/v1/ad-request", json=body)
        if answer.status_code == 200:
            assert "request_id" in answer.json()
        elif answer.status_code != 204:
            refused_in_json(answer)

    check()


@pytest.mark.parametrize("path", ["/api/v1/impression", "/api/v1/track", "/api/v1/click"])
def test_any_forged_beacon_is_refused_in_json(player: httpx.Client, path: str) -> None:
    @FUZZ
    @given(query=queries(BEACON_PARAMS))
    def check(query: dict[str, str]) -> None:
        refused_in_json(player.get(f"{path}?{urlencode(query)}"))

    check()
