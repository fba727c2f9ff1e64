"""Privacy signals on real serving replicas: limit ad tracking, COPPA and GDPR consent keep the
device id out of frequency caps and reach; the ad is served all the same."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.integration.factories import active_campaign, ad_urls, wait_served
from tests.integration.test_decisions import decision_counts
from tests.stack_fixtures import Stack, wait_until
from tests.unit.tcf_strings import tc_string

CONSENTED = tc_string({1, 2, 7}, set(), set())
"""A TCF v2 string consenting to storage on the device, ad selection and measurement."""


def device_key(urls: dict[str, str]) -> str | None:
    """The device key an ad's impression beacon carries for reach, or None."""
    return dict(parse_qsl(urlsplit(urls["impression"]).query)).get("d")


def test_privacy_signals_keep_the_device_out_of_caps_and_reach(
    stack: Stack, api: httpx.Client, serving: httpx.Client, ray_client: Any
) -> None:
    cid = active_campaign(stack, api, frequency_cap_ads=1, frequency_cap_hours=24)
    wait_served(serving, cid)
    before = decision_counts(ray_client)
    device = f"tv-{uuid.uuid4()}"
    limiting = [
        ({"lmt": "1"}, "lmt"),
        ({"regs": "coppa"}, "coppa"),
        ({"regs": "gdpr", "gdpr_consent": "[GDPRCONSENT]"}, "gdpr"),  # GDPR, no consent
        ({"gdpr": "1", "gdpr_consent": tc_string({1}, set(), set())}, "gdpr"),  # storage only
        ({"country": "DEU"}, "gdpr"),  # says nothing, from Germany: GDPR_APPLIES=by_place
    ]
    for signals, _ in limiting:
        for _ in range(2):  # a cap of 1 would hold the second back: the device is not counted
            urls = ad_urls(serving, cid, ifa=device, **signals)
            assert device_key(urls) is None and device not in urls["impression"]
            time.sleep(0.6)  # every replica has heard of the serve (were it counted)

    # With consent, the same device is capped after one ad and its beacons name it for reach.
    consented = {"regs": "gdpr", "gdpr_consent": CONSENTED, "ifa": device}
    assert device_key(ad_urls(serving, cid, **consented)) is not None
    time.sleep(0.6)
    for _ in range(3):
        answer = serving.get("/api/v1/vast", params={"campaign_id": cid, **consented})
        assert b"<InLine>" not in answer.content
    # Signals a player left as macros say nothing: the device stays capped.
    unfilled = {"lmt": "[LIMITADTRACKING]", "regs": "[REGULATIONS]", "ifa": device}
    answer = serving.get("/api/v1/vast", params={"campaign_id": cid, **unfilled})
    assert b"<InLine>" not in answer.content
    # So does a request from outside Europe that says nothing (GDPR_APPLIES=by_place).
    american = {"country": "USA", "ifa": device}
    answer = serving.get("/api/v1/vast", params={"campaign_id": cid, **american})
    assert b"<InLine>" not in answer.content

    # The JSON API reads OpenRTB's regs and user objects.
    for number, (regs, user) in enumerate(
        [({"coppa": 1}, None), ({"ext": {"gdpr": 1}}, {"ext": {"consent": "garbage"}})]
    ):
        ad_request = {
            "request_id": f"privacy-{number}",
            "duration": 60,
            "device": {"ifa": device},
            "regs": regs,
            "user": user,
        }
        assert serving.post("/api/v1/ad-request", json=ad_request).status_code in (200, 204)

    # Operators see how many requests each signal limited.
    def limited(endpoint: str, reason: str) -> float:
        key = (endpoint, f"limited:{reason}")
        return decision_counts(ray_client).get(key, 0) - before.get(key, 0)

    wait_until(
        lambda: (
            limited("vast", "lmt") >= 2
            and limited("vast", "coppa") >= 2
            and limited("vast", "gdpr") >= 6
            and limited("json", "coppa") >= 1
            and limited("json", "gdpr") >= 1
        ),
        timeout=60,
        interval=1,
    )


def test_a_campaign_kept_out_of_kids_apps_is_not_served_to_coppa_requests(
    stack: Stack, api: httpx.Client, serving: httpx.Client
) -> None:
    cid = active_campaign(stack, api, exclude_child_directed=True)
    wait_served(serving, cid)
    assert api.get(f"/campaigns/{cid}").json()["campaign"]["exclude_child_directed"] is True

    def fills(**signals: str) -> bool:
        answer = serving.get("/api/v1/vast", params={"campaign_id": cid, **signals})
        return b"<InLine>" in answer.content

    for _ in range(4):  # every replica
        assert not fills(regs="coppa") and not fills(coppa="1", lmt="1")
        assert fills(regs="[REGULATIONS]") and fills(lmt="1")
    # The JSON API: a COPPA request never gets it, whatever else is drawn.
    for number in range(20):
        answer = serving.post(
            "/api/v1/ad-request",
            json={"request_id": f"kids-{number}", "duration": 60, "regs": {"coppa": 1}},
        )
        assert answer.status_code == 204 or answer.json()["campaign_id"] != cid
    # Allowed again through the API: served to kids' apps within a second or so.
    patch = {"exclude_child_directed": False}
    assert api.patch(f"/campaigns/{cid}", json=patch).status_code == 200
    wait_until(lambda: all(fills(regs="coppa") for _ in range(4)), timeout=5)
    assert api.patch(f"/campaigns/{cid}", json={"exclude_child_directed": "yes"}).status_code == 422
