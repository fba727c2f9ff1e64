"""Closed captions through the management API and Ray Serve: uploaded per language, stored as
WebVTT, listed in the served VAST (4.1+), replaced and removed; refusals say why and leave
nothing behind. (Copies and deletes with the creative: test_creatives_api.py.)"""

from __future__ import annotations

import uuid
from pathlib import Path
from xml.etree import ElementTree

import httpx
import xmlschema

from tests.integration.factories import (
    active_campaign,
    add_creative,
    draft_campaign,
    send_captions,
    wait_served,
)
from tests.stack_fixtures import Stack, wait_until

VAST = {"v": "http://www.iab.com/VAST"}
ENGLISH = b"WEBVTT\n\n00:00.500 --> 00:04.000\nSpring is here & so are <b>savings</b>.\n"
SPANISH_SRT = "1\r\n00:00:00,500 --> 00:00:04,000\r\nLlegó la primavera <i>y</i> 30% & más\r\n"
SPANISH_VTT = (
    "WEBVTT\n\n1\n00:00:00.500 --> 00:00:04.000\nLlegó la primavera <i>y</i> 30% &amp; más\n"
)


def caption_files(serving: httpx.Client, campaign_id: str, **params: str) -> list[tuple[str, str]]:
    """(language, URL) of each ``<ClosedCaptionFile>`` in the campaign's VAST."""
    answer = serving.get("/api/v1/vast", params={"campaign_id": campaign_id, **params})
    document = ElementTree.fromstring(answer.content)
    return [
        (str(f.get("language")), str(f.text))
        for f in document.findall(".//v:ClosedCaptionFiles/v:ClosedCaptionFile", VAST)
    ]


def stored(stack: Stack, creative_id: str) -> list[Path]:
    return sorted((Path(stack.env["DATA_DIR"]) / "media" / "captions" / creative_id).glob("*"))


def test_captions_are_served_with_the_ad_per_language(
    stack: Stack,
    api: httpx.Client,
    editor: httpx.Client,
    serving: httpx.Client,
    vast_schema: xmlschema.XMLSchema,
) -> None:
    cid = active_campaign(stack, api, duration_ms=15_000)
    creative_id = api.get(f"/campaigns/{cid}/creatives").json()["creatives"][0]["id"]
    wait_served(serving, cid)

    english = send_captions(editor, creative_id, "en", ENGLISH)
    assert english.status_code == 201, english.text
    spanish = send_captions(editor, creative_id, "es_mx", SPANISH_SRT.encode(), name="es.srt")
    assert spanish.status_code == 201, spanish.text
    captions = spanish.json()["creative"]["captions"]
    me = editor.get("/auth/profile").json()["email"]
    assert [(c["language"], c["source_format"], c["cues"], c["mime"]) for c in captions] == [
        ("en", "webvtt", 1, "text/vtt"),
        ("es-MX", "srt", 1, "text/vtt"),
    ]
    assert {c["uploaded_by"] for c in captions} == {me}
    files = {c["language"]: httpx.get(c["url"]) for c in captions}
    assert files["en"].content == ENGLISH and files["es-MX"].text == SPANISH_VTT
    assert {f.headers["content-type"] for f in files.values()} == {"text/vtt"}
    assert {f.headers["access-control-allow-origin"] for f in files.values()} == {"*"}

    urls = {c["language"]: c["url"] for c in captions}
    wait_until(lambda: dict(caption_files(serving, cid)) == urls, timeout=5)
    vast_schema.validate(serving.get("/api/v1/vast", params={"campaign_id": cid}).text)
    assert caption_files(serving, cid, vast_version="4.0") == []  # 4.0 has no place for them

    replaced = send_captions(editor, creative_id, "EN", ENGLISH.replace(b"savings", b"deals"))
    assert replaced.status_code == 201
    new_english = next(c for c in replaced.json()["creative"]["captions"] if c["language"] == "en")
    assert new_english["url"] != urls["en"] and httpx.get(urls["en"]).status_code == 404
    assert b"deals" in httpx.get(new_english["url"]).content
    assert len(stored(stack, creative_id)) == 2

    removed = editor.delete(f"/creatives/{creative_id}/captions/es-mx")
    assert removed.status_code == 200
    assert [c["language"] for c in removed.json()["creative"]["captions"]] == ["en"]
    assert httpx.get(urls["es-MX"]).status_code == 404
    wait_until(lambda: caption_files(serving, cid) == [("en", new_english["url"])], timeout=5)
    assert editor.delete(f"/creatives/{creative_id}/captions/es-MX").status_code == 404

    history = [
        c["changes"]
        for c in api.get(f"/campaigns/{cid}/history").json()["changes"]
        if "captions" in c["changes"]
    ]
    assert [h["captions"] for h in reversed(history)] == [
        [[], ["en"]],
        [["en"], ["en", "es-MX"]],
        [["en", "es-MX"], ["en", "es-MX"]],
        [["en", "es-MX"], ["en"]],
    ]


def test_refused_captions_say_why_and_leave_nothing(
    stack: Stack,
    api: httpx.Client,
    editor: httpx.Client,
    viewer: httpx.Client,
    anon: httpx.Client,
) -> None:
    cid = draft_campaign(api)
    creative_id = add_creative(stack, cid, duration_ms=10_000)
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64

    def refusal(answer: httpx.Response) -> tuple[int, str, str]:
        error = answer.json()["error"]
        return answer.status_code, error["code"], error["details"][0]["field"]

    assert refusal(send_captions(editor, creative_id, "en", mp4, "spot.vtt")) == (
        422,
        "captions_invalid",
        "file",
    )
    late = send_captions(editor, creative_id, "en", b"WEBVTT\n\n00:09.000 --> 00:12.000\nlate\n")
    assert late.json()["error"]["message"] == (
        "line 3: the cue runs to 00:00:12.000, past the ad's end at 00:00:10.000"
    )
    assert refusal(send_captions(editor, creative_id, "../../etc", ENGLISH))[2] == "language"
    assert refusal(send_captions(editor, creative_id, "<b>en</b>", ENGLISH))[2] == "language"
    too_big = send_captions(editor, creative_id, "en", b"WEBVTT\n\n" + b"x" * 300_000)
    assert too_big.status_code == 413
    assert "256 KiB" in too_big.json()["error"]["message"]
    missing = editor.post(f"/creatives/{creative_id}/captions", data={"language": "en"})
    assert missing.status_code == 422
    tag = editor.post(
        f"/campaigns/{cid}/vast-tags",
        json={"name": "SSP", "vast_tag_url": "https://ssp.example/v", "duration_s": 15},
    ).json()["creative"]
    assert refusal(send_captions(editor, tag["id"], "en", ENGLISH))[:2] == (422, "captions_invalid")
    assert send_captions(editor, str(uuid.uuid4()), "en", ENGLISH).status_code == 404
    assert send_captions(editor, "not-an-id", "en", ENGLISH).status_code == 404
    assert send_captions(viewer, creative_id, "en", ENGLISH).status_code == 403
    assert send_captions(anon, creative_id, "en", ENGLISH).status_code == 401
    assert viewer.delete(f"/creatives/{creative_id}/captions/en").status_code == 403
    assert stored(stack, creative_id) == []
    assert api.get(f"/creatives/{creative_id}").json()["creative"]["captions"] == []
