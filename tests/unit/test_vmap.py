"""Ad schedules (VMAP 1.0, pure): which breaks a programme gets, where, and the document."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ads.vmap import (
    MAX_BREAKS,
    VMAP_NAMESPACE,
    AdBreak,
    ScheduleRequest,
    ad_breaks,
    render_vmap,
)

NS = {"vmap": VMAP_NAMESPACE}


def schedule(**query: str) -> list[AdBreak]:
    return ad_breaks(ScheduleRequest.model_validate(query))


def test_a_programme_gets_a_pre_roll_mid_rolls_and_a_post_roll() -> None:
    breaks = schedule(content_duration="2700", midroll_every="900")
    assert [(b.break_id, b.time_offset) for b in breaks] == [
        ("preroll", "start"),
        ("midroll-1", "00:15:00.000"),
        ("midroll-2", "00:30:00.000"),  # none at 45:00, the end: the post-roll is there
        ("postroll", "end"),
    ]


def test_listed_mid_rolls_join_the_regular_ones_in_order_once() -> None:
    breaks = schedule(
        content_duration="3600", midroll_every="1200", midrolls="600, 1200,3599", postroll="0"
    )
    assert [b.time_offset for b in breaks] == [
        "start",
        "00:10:00.000",
        "00:20:00.000",
        "00:40:00.000",
        "00:59:59.000",
    ]
    assert [b.break_id for b in schedule(preroll="false", midrolls="90")] == [
        "midroll-1",
        "postroll",
    ]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"midroll_every": "600"}, "needs content_duration"),
        ({"content_duration": "600", "midrolls": "600"}, "before the end"),
        ({"preroll": "0", "postroll": "no"}, "no ad break"),
        ({"content_duration": "86399", "midroll_every": "60"}, f"at most {MAX_BREAKS}"),
        ({"midrolls": "ten"}, "midrolls"),
        ({"midrolls": "0"}, "midrolls"),
        ({"midrolls": "86400"}, "midrolls"),
        ({"midroll_every": "30", "content_duration": "600"}, "midroll_every"),
        ({"break_duration": "0"}, "break_duration"),
        ({"max_ads": "11"}, "max_ads"),
        ({"preroll": "maybe"}, "preroll"),
        ({"request_id": "r" * 101}, "request_id"),
    ],
)
def test_a_schedule_that_cannot_be_made_says_why(query: dict[str, str], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        ScheduleRequest.model_validate(query)


def test_the_document_lists_each_break_with_its_tag_escaped() -> None:
    breaks = schedule(midrolls="600")

    def tag(ad_break: AdBreak) -> str:
        return f"https://ads.example.com/api/v1/vast?max_ads=4&request_id=r-{ad_break.break_id}"

    root = ElementTree.fromstring(render_vmap(breaks, tag))
    assert root.tag == f"{{{VMAP_NAMESPACE}}}VMAP" and root.get("version") == "1.0"
    found = root.findall("vmap:AdBreak", NS)
    assert [b.get("timeOffset") for b in found] == ["start", "00:10:00.000", "end"]
    assert {b.get("breakType") for b in found} == {"linear"}
    for element, ad_break in zip(found, breaks, strict=True):
        assert element.get("breakId") == ad_break.break_id
        source = element.find("vmap:AdSource", NS)
        assert source is not None and source.get("allowMultipleAds") == "true"
        uri = source.find("vmap:AdTagURI", NS)
        assert uri is not None and uri.get("templateType") == "vast4"
        assert uri.text == tag(ad_break)  # & escaped in the document, read back whole


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "content_duration": st.integers(-5, 90_000).map(str),
            "midroll_every": st.integers(0, 5_000).map(str),
            "midrolls": st.lists(st.integers(-1, 90_000), max_size=60).map(
                lambda ts: ",".join(map(str, ts))
            ),
            "preroll": st.sampled_from(["0", "1", "true", "x"]),
            "postroll": st.sampled_from(["0", "1", "false"]),
        },
    )
)
def test_any_query_is_a_valid_schedule_or_a_validation_error(query: dict[str, Any]) -> None:
    try:
        request = ScheduleRequest.model_validate(query)
    except ValidationError:
        return
    breaks = ad_breaks(request)
    assert 1 <= len(breaks) <= MAX_BREAKS
    assert len({b.break_id for b in breaks}) == len(breaks)
    middle = [b.time_offset for b in breaks if b.break_id.startswith("midroll")]
    assert middle == sorted(middle)
    ElementTree.fromstring(render_vmap(breaks, lambda b: f"https://x/?a=1&b={b.break_id}"))
