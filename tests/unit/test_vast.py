"""VAST 4.2 rendering: validity against the IAB schema, escaping, and a golden document.

The XSD is found through ``VAST_XSD_DIR`` (default ``../shared/vast`` from the repository root);
set ``UPDATE_GOLDEN=1`` to rewrite the golden document after an intended change.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st

from ads.ad_info import CODE_TEXT, AdInfoLinks
from ads.catalog import Caption, CatalogCampaign, CatalogCreative, Rendition, Verification
from ads.tracking import PLAYER_EVENTS, BeaconSigner, TrackingUrls
from ads.universal_ad_id import OWN_REGISTRY
from ads.vast import (
    VastAd,
    VastVersion,
    format_duration,
    negotiate_version,
    render_no_fill,
    render_vast,
    strip_invalid_xml_chars,
)

GOLDEN = Path(__file__).parent / "golden" / "vast_basic.xml"
NS = {"v": "http://www.iab.com/VAST"}
SECRET = "golden-tracking-secret"
BASE = "http://127.0.0.1:8000"
SIGNER = BeaconSigner(SECRET, base_url=BASE)
AD_INFO = AdInfoLinks.of(SECRET, base_url=BASE)

CAMPAIGN = CatalogCampaign(
    id="cmp-0001",
    name='Spring Sale: 30% off <everything> & "more"',
    status="active",
    budget_total=Decimal("1000.00"),
    budget_spent=Decimal("250.00"),
    cpm=Decimal("12.50"),
    pacing="even",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    end_date=datetime(2026, 2, 1, tzinfo=UTC),
    click_through_url="https://shop.example.com/spring?utm_source=ctv&utm_medium=video",
)
CREATIVE = CatalogCreative(
    id="crv-0001",
    campaign_id="cmp-0001",
    name="Spring 30s",
    status="active",
    duration_ms=30_000,
    width=1920,
    height=1080,
    mime="video/mp4",
    url="http://127.0.0.1:8000/media/crv-0001/original.mp4",
    bitrate_kbps=12_000,
    renditions=(
        Rendition(
            url="http://127.0.0.1:8000/media/crv-0001/720p.mp4",
            width=1280,
            height=720,
            bitrate_kbps=2_500,
        ),
        Rendition(
            url="http://127.0.0.1:8000/media/crv-0001/360p.webm",
            width=640,
            height=360,
            bitrate_kbps=800,
            mime="video/webm",
            codec="vp9",
        ),
    ),
)


def vast_ad(
    *, campaign: CatalogCampaign = CAMPAIGN, creative: CatalogCreative = CREATIVE, **changes: Any
) -> VastAd:
    ad = VastAd(
        ad_serving_id="ads-0001",
        campaign=campaign,
        creative=creative,
        signer=SIGNER,
        beacons=SIGNER.sign(
            ad_serving_id="ads-0001",
            request_id="req-0001",
            campaign_id=campaign.id,
            creative_id=creative.id,
            served_at=1_767_225_600,
        ),
        ad_system="ctv-adserver",
        ad_system_version="0.1.0",
        description="Thirty seconds of spring.",
    )
    return replace(ad, **changes)


def urls_of(ad: VastAd) -> TrackingUrls:
    return ad.signer.urls(ad.beacons)


def parse(document: str) -> ET.Element:
    return ET.fromstring(document.encode())


def inline(document: str) -> ET.Element:
    element = parse(document).find("v:Ad/v:InLine", NS)
    assert element is not None
    return element


def text_of(parent: ET.Element, path: str) -> str:
    element = parent.find(path, NS)
    assert element is not None, path
    return element.text or ""


def test_the_document_matches_the_golden_file(vast_schema: xmlschema.XMLSchema) -> None:
    document = render_vast(vast_ad())
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(document, encoding="utf-8")

    vast_schema.validate(document)
    assert document == GOLDEN.read_text(encoding="utf-8")


def test_the_schema_checks_element_order(vast_schema: xmlschema.XMLSchema) -> None:
    """A control: the validator used everywhere here does refuse a misplaced element."""
    document = render_vast(vast_ad())
    description = "      <Description>Thirty seconds of spring.</Description>\n"
    misplaced = document.replace(description, "").replace(
        "      <Creatives>\n", description + "      <Creatives>\n"
    )

    assert misplaced != document
    assert not vast_schema.is_valid(misplaced)


def test_the_ad_carries_ids_tracking_and_media(vast_schema: xmlschema.XMLSchema) -> None:
    ad = vast_ad()
    document = render_vast(ad)
    vast_schema.validate(document)
    root = parse(document)
    element = inline(document)

    assert root.attrib == {"version": "4.2"}
    assert text_of(element, "v:AdServingId") == "ads-0001"
    assert text_of(element, "v:Error") == urls_of(ad).error
    assert text_of(element, "v:Impression") == urls_of(ad).impression
    creative = element.find("v:Creatives/v:Creative", NS)
    assert creative is not None
    assert creative.attrib == {"id": "crv-0001", "adId": "cmp-0001"}
    universal = creative.find("v:UniversalAdId", NS)
    assert universal is not None
    assert (universal.get("idRegistry"), universal.text) == (OWN_REGISTRY, "crv-0001")
    linear = "v:Creatives/v:Creative/v:Linear"
    assert text_of(element, f"{linear}/v:Duration") == "00:00:30.000"
    tracking = {
        t.get("event"): t.text
        for t in element.iterfind(f"{linear}/v:TrackingEvents/v:Tracking", NS)
    }
    assert tracking == dict(urls_of(ad).events)
    assert text_of(element, f"{linear}/v:VideoClicks/v:ClickTracking") == urls_of(ad).click
    assert text_of(element, f"{linear}/v:VideoClicks/v:ClickThrough") == CAMPAIGN.click_through_url


def test_every_rendition_is_a_media_file_and_the_original_is_the_mezzanine() -> None:
    media = inline(render_vast(vast_ad())).find("v:Creatives/v:Creative/v:Linear/v:MediaFiles", NS)
    assert media is not None

    files = [(f.text, f.attrib) for f in media.iterfind("v:MediaFile", NS)]
    mezzanine = [(m.text, m.attrib) for m in media.iterfind("v:Mezzanine", NS)]

    assert files == [
        (
            "http://127.0.0.1:8000/media/crv-0001/720p.mp4",
            {
                "delivery": "progressive",
                "type": "video/mp4",
                "width": "1280",
                "height": "720",
                "codec": "h264",
                "bitrate": "2500",
            },
        ),
        (
            "http://127.0.0.1:8000/media/crv-0001/360p.webm",
            {
                "delivery": "progressive",
                "type": "video/webm",
                "width": "640",
                "height": "360",
                "codec": "vp9",
                "bitrate": "800",
            },
        ),
    ]
    assert mezzanine == [
        (
            CREATIVE.url,
            {"delivery": "progressive", "type": "video/mp4", "width": "1920", "height": "1080"},
        )
    ]


def test_before_transcoding_the_original_is_the_media_file(
    vast_schema: xmlschema.XMLSchema,
) -> None:
    creative = replace(CREATIVE, renditions=(), bitrate_kbps=0)
    document = render_vast(vast_ad(creative=creative))
    vast_schema.validate(document)
    media = inline(document).find("v:Creatives/v:Creative/v:Linear/v:MediaFiles", NS)
    assert media is not None

    files = [(f.text, f.attrib) for f in media.iterfind("v:MediaFile", NS)]

    assert files == [
        (
            CREATIVE.url,
            {"delivery": "progressive", "type": "video/mp4", "width": "1920", "height": "1080"},
        )
    ]


def test_optional_parts_are_left_out_when_empty(vast_schema: xmlschema.XMLSchema) -> None:
    campaign = replace(CAMPAIGN, click_through_url=None)
    document = render_vast(vast_ad(campaign=campaign, description=None))
    vast_schema.validate(document)

    assert "<ClickThrough>" not in document
    assert "<Description>" not in document
    assert "<ClickTracking>" in document


def test_no_fill_is_a_vast_with_only_an_error(vast_schema: xmlschema.XMLSchema) -> None:
    error_url = "http://127.0.0.1:8000/api/v1/track?event=error&a=x&s=y&code=[ERRORCODE]"

    document = render_no_fill(error_url)

    vast_schema.validate(document)
    root = parse(document)
    assert [child.tag for child in root] == ["{http://www.iab.com/VAST}Error"]
    assert root[0].text == error_url


@pytest.mark.parametrize(
    ("ms", "expected"),
    [
        (0, "00:00:00.000"),
        (999, "00:00:00.999"),
        (30_000, "00:00:30.000"),
        (3_723_004, "01:02:03.004"),
        (86_399_999, "23:59:59.999"),
    ],
)
def test_format_duration(ms: int, expected: str) -> None:
    assert format_duration(ms) == expected


@pytest.mark.parametrize("ms", [-1, 86_400_000])
def test_format_duration_refuses_what_xs_time_cannot_hold(ms: int) -> None:
    with pytest.raises(ValueError, match="duration"):
        format_duration(ms)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/a?b=1&c=%20d#top", "https://x.example/a?b=1&c=%20d#top"),
        ("https://x.example/a b/é?q=ü", "https://x.example/a%20b/%C3%A9?q=%C3%BC"),
        ("https://x.example/100%/x%zz", "https://x.example/100%25/x%25zz"),
        ("https://x.example/#a#b", "https://x.example/#a%23b"),
        ('https://x.example/<"]]>', "https://x.example/%3C%22]]%3E"),
        ("https://x.example/\x00\ud800\U0001f3ac", "https://x.example/%F0%9F%8E%AC"),
    ],
)
def test_urls_are_percent_encoded_only_where_a_uri_needs_it(url: str, expected: str) -> None:
    campaign = replace(CAMPAIGN, click_through_url=url)
    element = inline(render_vast(vast_ad(campaign=campaign)))

    assert (
        text_of(element, "v:Creatives/v:Creative/v:Linear/v:VideoClicks/v:ClickThrough") == expected
    )


def xml_char(char: str) -> bool:
    code = ord(char)
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def test_strip_invalid_xml_chars_keeps_exactly_the_xml_1_0_chars() -> None:
    every_char = "".join(map(chr, range(0x110000)))

    assert strip_invalid_xml_chars(every_char) == "".join(filter(xml_char, every_char))


HOSTILE_PIECES = [
    "<",
    ">",
    "&",
    "]]>",
    '"',
    "'",
    "&amp;",
    "<![CDATA[",
    "\x00",
    "\x1b",
    "\r",
    "\r\n",
]
HOSTILE_PIECES += ["\t", "\n", "\ud800", "\udfff", "\ufffe", "\uffff", "\U0001f3ac", "é", " ", "%"]
hostile_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from(HOSTILE_PIECES), max_size=40).map("".join),
)


@settings(max_examples=200, deadline=None)
@given(
    name=hostile_text,
    description=hostile_text,
    creative_id=hostile_text,
    version=hostile_text,
    url_tail=hostile_text,
    vast_version=st.sampled_from(VastVersion),
)
def test_hostile_values_cannot_break_the_document(
    vast_schemas: dict[VastVersion, xmlschema.XMLSchema],
    vast_version: VastVersion,
    name: str,
    description: str,
    creative_id: str,
    version: str,
    url_tail: str,
) -> None:
    campaign = replace(
        CAMPAIGN,
        name=name,
        click_through_url=f"https://x.example/{url_tail}",
        impression_trackers=(f"https://t.example/i?{url_tail}",),
        click_trackers=(f"https://t.example/c/{url_tail}",),
        verifications=(Verification(name, f"https://v.example/{url_tail}.js", description),),
    )
    creative = replace(CREATIVE, id=creative_id, url=f"https://cdn.example/{url_tail}")
    ad_info = AdInfoLinks.of(SECRET, base_url=BASE, icon_url=f"https://i.example/{url_tail}")
    ad = vast_ad(
        campaign=campaign,
        creative=creative,
        description=description,
        ad_system_version=version,
        ad_info=ad_info,
    )

    document = render_vast(ad, vast_version)

    vast_schemas[vast_version].validate(document)
    element = inline(document)
    kept = "".join(filter(xml_char, name))
    assert text_of(element, "v:AdTitle") == kept
    if "".join(filter(xml_char, description)):
        assert text_of(element, "v:Description") == "".join(filter(xml_char, description))
    creative_element = element.find("v:Creatives/v:Creative", NS)
    assert creative_element is not None
    assert creative_element.get("id") == "".join(filter(xml_char, creative_id))
    ad_system = element.find("v:AdSystem", NS)
    assert ad_system is not None
    assert ad_system.get("version") == "".join(filter(xml_char, version))


def test_third_party_trackers_follow_ours(vast_schema: xmlschema.XMLSchema) -> None:
    pixels = ("https://pix.example/imp?cb=[CACHEBUSTING]&c=1", "http://ad.example/i.gif?a=b,c")
    clicks = ("https://clk.example/c?ord=[TIMESTAMP]",)
    campaign = replace(CAMPAIGN, impression_trackers=pixels, click_trackers=clicks)
    document = render_vast(vast_ad(campaign=campaign))
    vast_schema.validate(document)
    element = inline(document)
    impressions = [(e.get("id"), e.text) for e in element.findall("v:Impression", NS)]
    assert impressions == [
        ("ads-0001", urls_of(vast_ad()).impression),
        *((None, p) for p in pixels),
    ]
    video_clicks = "v:Creatives/v:Creative/v:Linear/v:VideoClicks/v:ClickTracking"
    assert [e.text for e in element.findall(video_clicks, NS)][1:] == list(clicks)
    assert "<Impression>" not in render_vast(vast_ad())  # none: nothing added


def test_verification_scripts_are_listed_for_om_sdk_players(
    vast_schema: xmlschema.XMLSchema,
) -> None:
    ias = Verification("integralads.com-omid", "https://static.example/omid.js", '{"a":"<1>&2"}')
    dv = Verification("doubleverify.com-omid", "https://cdn.example/dv.js")
    document = render_vast(vast_ad(campaign=replace(CAMPAIGN, verifications=(ias, dv))))
    vast_schema.validate(document)
    found = inline(document).findall("v:AdVerifications/v:Verification", NS)
    assert [v.get("vendor") for v in found] == [ias.vendor, dv.vendor]
    script = found[0].find("v:JavaScriptResource", NS)
    assert script is not None and script.text == ias.script_url
    assert (script.get("apiFramework"), script.get("browserOptional")) == ("omid", "true")
    assert text_of(found[0], "v:VerificationParameters") == ias.parameters
    assert found[1].find("v:VerificationParameters", NS) is None
    assert "<AdVerifications>" not in render_vast(vast_ad())


def test_a_very_long_title_survives(vast_schema: xmlschema.XMLSchema) -> None:
    name = ("Ünïcode <&> ]]> \U0001f3ac " * 5_000)[:100_000]
    document = render_vast(vast_ad(campaign=replace(CAMPAIGN, name=name)))

    vast_schema.validate(document)
    assert text_of(inline(document), "v:AdTitle") == name


def test_fewer_tracking_events_still_validate(vast_schema: xmlschema.XMLSchema) -> None:
    signer = BeaconSigner("s" * 16, base_url="https://ads.example", player_events=PLAYER_EVENTS[:1])
    beacons = signer.sign(
        ad_serving_id="a", request_id="r", campaign_id="c", creative_id="k", served_at=1
    )

    vast_schema.validate(render_vast(vast_ad(signer=signer, beacons=beacons)))


def test_the_ad_says_how_long_it_stays_playable(vast_schema: xmlschema.XMLSchema) -> None:
    document = render_vast(vast_ad(expires_seconds=270))
    vast_schema.validate(document)
    assert text_of(inline(document), "v:Expires") == "270"
    assert inline(render_vast(vast_ad())).find("v:Expires", NS) is None


RICH = replace(
    CAMPAIGN,
    advertiser="Acme & Sons",
    categories=("IAB2", "IAB8-5"),
    impression_trackers=("https://pix.example/imp?cb=[CACHEBUSTING]",),
    click_trackers=("https://pix.example/click",),
    verifications=(Verification("iabtechlab.com-omid", "https://v.example/omid.js", "x=1&y=2"),),
)
WRAPPED = replace(CREATIVE, vast_tag_url="https://ssp.example/vast?cb=[CACHEBUSTING]", url="")
SKIPPABLE = replace(CREATIVE, skip_offset_ms=5_000)
CAPTIONED = replace(
    CREATIVE,
    captions=(
        Caption(url="http://127.0.0.1:8000/media/captions/crv-0001/en.vtt", language="en"),
        Caption(url='http://127.0.0.1:8000/media/x/es mx"&<.vtt', language='es-MX"&<'),
    ),
)


@pytest.mark.parametrize("version", list(VastVersion))
@pytest.mark.parametrize(
    "creative",
    [CREATIVE, WRAPPED, CAPTIONED, SKIPPABLE],
    ids=["inline", "wrapper", "captioned", "skippable"],
)
def test_every_version_validates_against_its_own_schema(
    vast_schemas: dict[VastVersion, xmlschema.XMLSchema],
    version: VastVersion,
    creative: CatalogCreative,
) -> None:
    ad = vast_ad(campaign=RICH, creative=creative, expires_seconds=3600, ad_info=AD_INFO)
    document = render_vast(ad, version)
    vast_schemas[version].validate(document)
    assert parse(document).get("version") == version
    no_fill = render_no_fill("https://ads.example/e?code=[ERRORCODE]", version)
    vast_schemas[version].validate(no_fill)
    assert parse(no_fill).get("version") == version


def test_vast_4_0_carries_what_4_2_says_in_the_places_4_0_has() -> None:
    document = render_vast(vast_ad(campaign=RICH, expires_seconds=3600), VastVersion.V4_0)
    ad = inline(document)
    assert ad.find("v:AdServingId", NS) is None and ad.find("v:Expires", NS) is None
    (impression, _) = ad.findall("v:Impression", NS)
    assert impression.get("id") == "ads-0001"  # the ad serving id stays on the impression
    universal = ad.find("v:Creatives/v:Creative/v:UniversalAdId", NS)
    assert universal is not None
    assert (universal.get("idRegistry"), universal.get("idValue"), universal.text) == (
        OWN_REGISTRY,
        "crv-0001",
        "crv-0001",
    )
    mezzanine = ad.find("v:Creatives/v:Creative/v:Linear/v:MediaFiles/v:Mezzanine", NS)
    assert mezzanine is not None and mezzanine.attrib == {} and mezzanine.text == CREATIVE.url
    # Open Measurement's place for verifications before VAST 4.1, parameters and all.
    assert ad.find("v:AdVerifications", NS) is None
    extension = ad.find("v:Extensions/v:Extension[@type='AdVerifications']", NS)
    assert extension is not None
    verification = extension.find("v:AdVerifications/v:Verification", NS)
    assert verification is not None and verification.get("vendor") == "iabtechlab.com-omid"
    assert text_of(verification, "v:VerificationParameters") == "x=1&y=2"

    modern = inline(render_vast(vast_ad(campaign=RICH, expires_seconds=3600), VastVersion.V4_1))
    assert text_of(modern, "v:AdServingId") == "ads-0001"
    assert text_of(modern, "v:Expires") == "3600"
    assert modern.find("v:AdVerifications/v:Verification", NS) is not None


@pytest.mark.parametrize(
    ("asked", "supported", "expected"),
    [
        (None, None, VastVersion.V4_2),
        ("", "[VASTVERSIONS]", VastVersion.V4_2),
        ("4.0", "13,14", VastVersion.V4_0),  # asked for outright: that one
        (" 4.1 ", None, VastVersion.V4_1),
        (None, "2,3,5,6,7,8", VastVersion.V4_0),
        (None, "2,3,7,8,11,12", VastVersion.V4_1),
        (None, "14", VastVersion.V4_2),  # a wrapper code counts as the version
        (None, "2,3,5,6", VastVersion.V4_0),  # older VAST only: the nearest made here
        (None, "x,,99999", VastVersion.V4_2),  # nothing readable: the default
    ],
)
def test_the_version_asked_for_or_the_newest_the_player_takes(
    asked: str | None, supported: str | None, expected: VastVersion
) -> None:
    assert negotiate_version(asked, supported) is expected


@pytest.mark.parametrize("asked", ["3.0", "4", "4.3", "latest"])
def test_a_version_not_made_here_is_refused(asked: str) -> None:
    with pytest.raises(ValueError, match=r"vast_version must be one of 4\.0, 4\.1, 4\.2"):
        negotiate_version(asked, None)


@pytest.mark.parametrize("version", [VastVersion.V4_1, VastVersion.V4_2])
def test_captions_are_listed_before_the_media_files(version: VastVersion) -> None:
    ad = inline(render_vast(vast_ad(creative=CAPTIONED), version))
    media = ad.find("v:Creatives/v:Creative/v:Linear/v:MediaFiles", NS)
    assert media is not None
    assert [child.tag.split("}")[1] for child in media][:2] == ["ClosedCaptionFiles", "MediaFile"]
    files = media.findall("v:ClosedCaptionFiles/v:ClosedCaptionFile", NS)
    assert [(f.get("language"), f.get("type"), f.text) for f in files] == [
        ("en", "text/vtt", "http://127.0.0.1:8000/media/captions/crv-0001/en.vtt"),
        ('es-MX"&<', "text/vtt", "http://127.0.0.1:8000/media/x/es%20mx%22&%3C.vtt"),
    ]


def test_vast_4_0_has_no_place_for_captions() -> None:
    document = render_vast(vast_ad(creative=CAPTIONED), VastVersion.V4_0)
    assert "ClosedCaption" not in document
    assert (
        inline(render_vast(vast_ad(), VastVersion.V4_2)).find(".//v:ClosedCaptionFiles", NS) is None
    )


@pytest.mark.parametrize("version", list(VastVersion))
def test_a_skippable_ad_says_when_it_can_be_skipped(version: VastVersion) -> None:
    linear = inline(render_vast(vast_ad(creative=SKIPPABLE), version)).find(
        "v:Creatives/v:Creative/v:Linear", NS
    )
    assert linear is not None and linear.get("skipoffset") == "00:00:05.000"
    plain = inline(render_vast(vast_ad(), version)).find("v:Creatives/v:Creative/v:Linear", NS)
    assert plain is not None and "skipoffset" not in plain.attrib  # not skippable


@pytest.mark.parametrize("version", list(VastVersion))
def test_the_ad_carries_its_information_icon(
    vast_schemas: dict[VastVersion, xmlschema.XMLSchema], version: VastVersion
) -> None:
    document = render_vast(vast_ad(ad_info=AD_INFO), version)
    vast_schemas[version].validate(document)
    (icon,) = inline(document).findall("v:Creatives/v:Creative/v:Linear/v:Icons/v:Icon", NS)
    assert (icon.get("program"), icon.get("width"), icon.get("height")) == ("AdChoices", "48", "48")
    assert (icon.get("xPosition"), icon.get("yPosition")) == ("right", "top")
    resource = icon.find("v:StaticResource", NS)
    assert resource is not None and resource.get("creativeType") == "image/png"
    assert resource.text == AD_INFO.icon_url
    assert text_of(icon, "v:IconClicks/v:IconClickThrough") == AD_INFO.page_url(CAMPAIGN.id)
    fallback = icon.find("v:IconClicks/v:IconClickFallbackImages/v:IconClickFallbackImage", NS)
    if version is VastVersion.V4_2:  # a TV without a browser shows the page's QR code
        assert fallback is not None
        assert text_of(fallback, "v:AltText") == CODE_TEXT
        assert text_of(fallback, "v:StaticResource") == AD_INFO.code_url(CAMPAIGN.id)
    else:
        assert fallback is None  # the element came with 4.2


def test_no_icon_without_links_nor_on_a_third_party_tag() -> None:
    assert "<Icons>" not in render_vast(vast_ad())
    assert "<Icons>" not in render_vast(vast_ad(creative=WRAPPED, ad_info=AD_INFO))


@pytest.mark.parametrize("version", list(VastVersion))
def test_an_industry_id_comes_first_and_alone_where_the_version_holds_one(
    vast_schemas: dict[VastVersion, xmlschema.XMLSchema], version: VastVersion
) -> None:
    spot = replace(CREATIVE, universal_ad_registry="ad-id.org", universal_ad_value="ABCD0123456H")
    document = render_vast(vast_ad(creative=spot), version)
    vast_schemas[version].validate(document)
    ids = inline(document).findall("v:Creatives/v:Creative/v:UniversalAdId", NS)
    named = [(u.get("idRegistry"), u.text) for u in ids]
    if version is VastVersion.V4_2:
        assert named == [("ad-id.org", "ABCD0123456H"), (OWN_REGISTRY, "crv-0001")]
    else:
        assert named == [("ad-id.org", "ABCD0123456H")]
    if version is VastVersion.V4_0:
        assert ids[0].get("idValue") == "ABCD0123456H"
