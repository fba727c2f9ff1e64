"""Ad schedules through Ray Serve: a programme's VMAP, and each break's VAST tag answering a pod
within the break, with the request's targeting handed on."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import httpx

from ads.vmap import VMAP_NAMESPACE
from tests.integration.factories import active_campaign
from tests.stack_fixtures import Stack, wait_until

VMAP = {"vmap": VMAP_NAMESPACE}
VAST = {"v": "http://www.iab.com/VAST"}


def seconds(duration: str) -> float:
    hours, minutes, rest = duration.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def test_a_programme_s_breaks_each_get_a_pod_within_the_break(
    stack: Stack, api: httpx.Client, serving: httpx.Client, vast_schema: Any
) -> None:
    campaign = active_campaign(
        stack, api, target_geo=["CA"], budget_total=1_000_000, duration_ms=15_000
    )
    query = {
        "content_duration": "1800",
        "midroll_every": "600",
        "break_duration": "31",
        "max_ads": "3",
        "request_id": "episode-7",
        "country": "CAN",
        "ifa": "[IFA]",  # an unfilled macro goes on as it is, for the break's fetch to fill
        "lmt": "1",
        "gdpr_consent": "[GDPRCONSENT]",
        "vast_versions": "[VASTVERSIONS]",
        "campaign_id": "not handed on",
    }
    answer = serving.get("/api/v1/vmap", params=query)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(answer.content)
    breaks = root.findall("vmap:AdBreak", VMAP)
    assert [b.get("timeOffset") for b in breaks] == [
        "start",
        "00:10:00.000",
        "00:20:00.000",
        "end",
    ]
    tags = [b.findtext("vmap:AdSource/vmap:AdTagURI", namespaces=VMAP) or "" for b in breaks]
    for tag, ad_break in zip(tags, breaks, strict=True):
        url = urlsplit(tag)
        assert f"{url.scheme}://{url.netloc}" == stack.base_url and url.path == "/api/v1/vast"
        assert "ifa=[IFA]" in url.query
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert params == {
            "max_duration": "31",
            "max_ads": "3",
            "request_id": f"episode-7-{ad_break.get('breakId')}",
            "country": "CAN",
            "ifa": "[IFA]",
            "lmt": "1",
            "gdpr_consent": "[GDPRCONSENT]",
            "vast_versions": "[VASTVERSIONS]",
        }

    def fetch(tag: str) -> httpx.Response:
        vast = httpx.get(tag, timeout=30)
        assert vast.status_code == 200, vast.text
        vast_schema.validate(vast.text)
        return vast

    # The geo-targeted campaign reaches the breaks through the country handed on, and only so.
    wait_until(lambda: any(campaign in fetch(tag).text for tag in tags), timeout=10)
    elsewhere = tags[0].replace("country=CAN", "country=USA")
    assert all(campaign not in fetch(elsewhere).text for _ in range(5))
    for tag in tags:
        ads = ElementTree.fromstring(fetch(tag).content).findall("v:Ad", VAST)
        assert 1 <= len(ads) <= 3
        lengths = [  # a Wrapper (another test's VAST tag creative) says no length of its own
            seconds(duration.text or "")
            for duration in (ad.find("v:InLine//v:Linear/v:Duration", VAST) for ad in ads)
            if duration is not None
        ]
        assert sum(lengths) <= 31


def test_a_schedule_that_cannot_be_made_is_a_422_saying_why(serving: httpx.Client) -> None:
    for query, field in [
        ({"midroll_every": "600"}, "query"),
        ({"preroll": "0", "postroll": "0"}, "query"),
        ({"midrolls": "ten"}, "midrolls.0"),
        ({"max_ads": "99"}, "max_ads"),
    ]:
        answer = serving.get("/api/v1/vmap", params=query)
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["message"].startswith("invalid ad schedule")
        assert error["details"][0]["field"] == field, error
    assert serving.post("/api/v1/vmap").status_code == 405
    head = serving.head("/api/v1/vmap")
    assert head.status_code == 200 and head.content == b""
