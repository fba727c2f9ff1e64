"""Every ad's information icon and its "why this ad" page, through Ray Serve."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

import httpx
from PIL import Image

from ads.ad_info import CODE_PATH, ICON_PATH, PAGE_PATH
from tests.integration.factories import active_campaign, wait_served
from tests.stack_fixtures import Stack, wait_until

NS = {"v": "http://www.iab.com/VAST"}
HOSTILE = '<script>alert("x")</script> & Sons'


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_every_ad_links_its_why_this_ad_page(
    stack: Stack, api: httpx.Client, serving: httpx.Client, vast_schema: Any
) -> None:
    cid = active_campaign(
        stack,
        api,
        name="Why this ad",
        advertiser=HOSTILE,
        paid_by="Agency of Record",
        exclude_child_directed=True,
        frequency_cap_ads=2,
        frequency_cap_hours=24,
    )
    wait_served(serving, cid)
    vast = serving.get("/api/v1/vast", params={"campaign_id": cid})
    vast_schema.validate(vast.text)
    icon = ElementTree.fromstring(vast.content).find(".//v:Linear/v:Icons/v:Icon", NS)
    assert icon is not None and icon.get("program") == "AdChoices"
    page_url = icon.findtext("v:IconClicks/v:IconClickThrough", namespaces=NS)
    code_url = icon.findtext(
        "v:IconClicks/v:IconClickFallbackImages/v:IconClickFallbackImage/v:StaticResource",
        namespaces=NS,
    )
    icon_url = icon.findtext("v:StaticResource", namespaces=NS)
    assert page_url and code_url and icon_url
    assert urlsplit(page_url).path == PAGE_PATH and urlsplit(icon_url).path == ICON_PATH
    assert urlsplit(code_url).path == CODE_PATH
    assert api.get(f"/campaigns/{cid}").json()["campaign"]["ad_info_url"] == page_url

    page = serving.get(path_of(page_url))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons" in page.text
    assert "<script>" not in page.text
    assert "Agency of Record" in page.text
    assert "It is never shown in apps or programmes made for children." in page.text
    assert "at most 2 times every 24 hours per device" in page.text

    code = Image.open(io.BytesIO(serving.get(path_of(code_url)).content))
    assert code.format == "PNG" and code.width == code.height > 200
    mark = Image.open(io.BytesIO(serving.get(path_of(icon_url)).content))
    assert mark.format == "PNG" and mark.size == (48, 48)

    # An edit reaches the page in a second or so: unset, the advertiser is who paid.
    assert api.patch(f"/campaigns/{cid}", json={"paid_by": None}).status_code == 200
    wait_until(lambda: "Agency of Record" not in serving.get(path_of(page_url)).text, timeout=5)
    assert serving.get(path_of(page_url)).text.count("&amp; Sons") == 2  # paid by the advertiser


def test_json_ads_carry_the_page_and_the_icon(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    # Untargeted requests draw among every campaign earlier tests left active: a large budget
    # and enough draws make missing this one very unlikely.
    cid = active_campaign(stack, api, name="Why this ad, JSON", budget_total=1_000_000)
    wait_served(serving, cid)
    seen = set()
    for _ in range(200):
        answer = serving.post("/api/v1/ad-request", json={"request_id": "j", "duration": 30})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen.add(body["campaign_id"])
        if "vast_tag_url" in body:  # a third-party tag's ad brings its own icon
            assert "ad_info" not in body
            continue
        info = body["ad_info"]
        assert dict(parse_qsl(urlsplit(info["url"]).query))["c"] == body["campaign_id"]
        assert urlsplit(info["icon"]).path == ICON_PATH
        if body["campaign_id"] == cid:
            assert serving.get(path_of(info["url"])).status_code == 200
            break
    assert cid in seen


def test_forged_and_stale_links_open_a_page_that_says_why(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, name="Why this ad, forged")
    wait_served(serving, cid)
    vast = serving.get("/api/v1/vast", params={"campaign_id": cid})
    page_url = ElementTree.fromstring(vast.content).findtext(
        ".//v:Icon/v:IconClicks/v:IconClickThrough", namespaces=NS
    )
    assert page_url
    query = dict(parse_qsl(urlsplit(page_url).query))
    other = {"c": "00000000-0000-4000-8000-000000000000", "s": query["s"]}
    tampered = ("B" if query["s"][0] == "A" else "A") + query["s"][1:]
    for params, status, says in (
        ({"c": cid, "s": tampered}, 403, "not made by this ad server"),
        (other, 403, "not made by this ad server"),
        ({"c": cid}, 400, "incomplete"),
        ({}, 400, "incomplete"),
    ):
        for path in (PAGE_PATH, CODE_PATH):
            refused = serving.get(path, params=params)
            assert refused.status_code == status, (path, params)
            assert says in refused.text and refused.headers["content-type"].startswith("text/html")
    assert serving.post(PAGE_PATH, params=query).status_code == 405
    # A deleted campaign's page says it no longer runs.
    assert api.put(f"/campaigns/{cid}/status", json={"status": "paused"}).status_code == 200
    assert api.delete(f"/campaigns/{cid}").status_code in (200, 204)
    wait_until(lambda: serving.get(PAGE_PATH, params=query).status_code == 404, timeout=5)
    assert "no longer runs" in serving.get(PAGE_PATH, params=query).text
