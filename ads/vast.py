"""VAST 4.x documents built as strings, for the per-request path.

4.2 by default; a player that asks for 4.1 or 4.0 gets a document of that version. 4.1 holds
what 4.2 holds here. 4.0 predates ``<AdServingId>``, ``<Expires>``, a described
``<Mezzanine>``, ``<ClosedCaptionFiles>`` and ``<VerificationParameters>``, and wants
``idValue`` on ``<UniversalAdId>``; its ad verifications go in an
``<Extension type="AdVerifications">``, as the IAB's Open Measurement SDK asks of VAST before
4.1 (4.0's own ``<Verification>`` cannot name a script in a Wrapper, nor parameters anywhere).

Every value is made safe for XML 1.0 here: characters XML cannot hold are dropped, text and
attributes are escaped, and URLs are percent-encoded where they hold characters a URI may not.
Element order follows the sequences of the IAB schemas (``vast4.xsd``, ``vast_4.1.xsd``,
``vast_4.2.xsd``); the unit tests validate each version against its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from ads.ad_info import CODE_TEXT, ICON_PROGRAM, ICON_SIZE, AdInfoLinks
from ads.catalog import Caption, CatalogCampaign, CatalogCreative, Rendition, Verification
from ads.separation import CATEGORY_AUTHORITY
from ads.templates import Part, SlotTemplate
from ads.tracking import CLICK, ERROR, IDS_SLOT, IMPRESSION, BeaconSigner, SignedBeacons
from ads.universal_ad_id import OWN_REGISTRY

AD_SERVING_ID_SLOT = IDS_SLOT + 1
"""Where a :class:`VastTemplate` takes the ad serving id from, after the beacon values."""
_HEAD_SLOT, _SEQUENCE_SLOT, _TAIL_SLOT = (
    AD_SERVING_ID_SLOT + 1,
    AD_SERVING_ID_SLOT + 2,
    AD_SERVING_ID_SLOT + 3,
)
"""Where the document's head, the Ad's ``sequence`` attribute and the document's tail go: a
standalone ad fills in the head and tail, an ad of a pod its sequence number."""
MAX_DURATION_MS = 24 * 3600 * 1000 - 1
"""``<Duration>`` is an ``xs:time``, so it stays below 24 h."""


class VastVersion(StrEnum):
    """The VAST versions served: ``vast_version`` on a tag, 4.2 unless a player asks."""

    V4_0 = "4.0"
    V4_1 = "4.1"
    V4_2 = "4.2"


LATEST = VastVersion.V4_2
XSD_FILES = {
    VastVersion.V4_0: "vast4.xsd",
    VastVersion.V4_1: "vast_4.1.xsd",
    VastVersion.V4_2: "vast_4.2.xsd",
}
"""The IAB's file of each version's schema, which its documents validate against."""
VAST_VERSIONS_MACRO = "[VASTVERSIONS]"
"""The IAB macro players replace with the VAST versions they take, as AdCOM protocol codes."""
_PROTOCOLS = {
    7: VastVersion.V4_0,
    8: VastVersion.V4_0,
    11: VastVersion.V4_1,
    12: VastVersion.V4_1,
    13: VastVersion.V4_2,
    14: VastVersion.V4_2,
}
"""AdCOM 1.0 "Creative Subtypes - Audio/Video" codes of VAST 4.x (inline and wrapper): a
higher code is a newer version."""


def negotiate_version(asked: str | None, supported: str | None) -> VastVersion:
    """The VAST version to answer in: ``asked`` (``vast_version``: 4.0, 4.1 or 4.2) if given,
    else the newest 4.x among the protocol codes ``supported`` lists (``vast_versions``, the
    player's ``[VASTVERSIONS]``; 4.0 for a player that lists only older VAST, the nearest
    made here), else 4.2. :class:`ValueError` for a version not made here."""
    if asked:
        try:
            return VastVersion(asked.strip())
        except ValueError:
            made = ", ".join(VastVersion)
            raise ValueError(f"vast_version must be one of {made}, got {asked[:20]!r}") from None
    if not supported or supported == VAST_VERSIONS_MACRO:
        return LATEST
    codes = {int(c) for c in supported.split(",") if c.strip().isdigit() and len(c.strip()) < 4}
    if not codes:
        return LATEST
    known = codes & _PROTOCOLS.keys()
    return _PROTOCOLS[max(known)] if known else VastVersion.V4_0


_HEADS = {
    version: f"""\
<?xml version="1.0" encoding="UTF-8"?>
<VAST version="{version}" xmlns="http://www.iab.com/VAST">
"""
    for version in VastVersion
}
_TAIL = "</VAST>\n"
_NO_FILL = "  <Error>{error_url}</Error>\n"
_INLINE_AD = """\
  <Ad id="{ad_id}"{sequence}>
    <InLine>
      <AdSystem version="{ad_system_version}">{ad_system}</AdSystem>
      <Error>{error_url}</Error>
{extensions}      <Impression id="{ad_serving_id}">{impression_url}</Impression>
{impression_trackers}{serving_id}      <AdTitle>{title}</AdTitle>
{verifications}{advertiser}{categories}      <Creatives>
        <Creative id="{creative_id}" adId="{ad_id}">
          <Linear{skip_offset}>
{icons}            <TrackingEvents>
{tracking}            </TrackingEvents>
            <Duration>{duration}</Duration>
            <MediaFiles>
{media_files}            </MediaFiles>
            <VideoClicks>
              <ClickTracking>{click_url}</ClickTracking>
{click_trackers}{click_through}            </VideoClicks>
          </Linear>
{universal_ad_id}        </Creative>
      </Creatives>
{description}{expires}    </InLine>
  </Ad>
"""
_WRAPPER_AD = """\
  <Ad id="{ad_id}"{sequence}>
    <Wrapper followAdditionalWrappers="true" allowMultipleAds="false">
      <AdSystem version="{ad_system_version}">{ad_system}</AdSystem>
      <Error>{error_url}</Error>
{extensions}      <Impression id="{ad_serving_id}">{impression_url}</Impression>
{impression_trackers}{verifications}      <Creatives>
        <Creative id="{creative_id}" adId="{ad_id}">
          <Linear>
            <TrackingEvents>
{tracking}            </TrackingEvents>
            <VideoClicks>
              <ClickTracking>{click_url}</ClickTracking>
{click_trackers}            </VideoClicks>
          </Linear>
        </Creative>
      </Creatives>
      <VASTAdTagURI>{vast_tag_url}</VASTAdTagURI>
    </Wrapper>
  </Ad>
"""
"""A third-party VAST tag's ad: the player fetches the tag for the ad itself and fires our
impression, tracking and click beacons (and the campaign's trackers) beside the tag's own. No
``<AdServingId>``, title or ``<Expires>`` here: VAST 4.2 puts those on the InLine ad."""
_CLICK_THROUGH = "              <ClickThrough>{}</ClickThrough>\n"
_VERIFICATION = """\
        <Verification vendor="{vendor}">
          <JavaScriptResource apiFramework="omid" browserOptional="true">{url}</JavaScriptResource>
{parameters}        </Verification>
"""
_VERIFICATION_PARAMETERS = "          <VerificationParameters>{}</VerificationParameters>\n"
_IMPRESSION_TRACKER = "      <Impression>{}</Impression>\n"
_CLICK_TRACKER = "              <ClickTracking>{}</ClickTracking>\n"
_DESCRIPTION = "      <Description>{}</Description>\n"
_ADVERTISER = "      <Advertiser>{}</Advertiser>\n"
_CATEGORY = f'      <Category authority="{CATEGORY_AUTHORITY}">{{}}</Category>\n'
_EXPIRES = "      <Expires>{:d}</Expires>\n"
_SERVING_ID = "      <AdServingId>{}</AdServingId>\n"
_UNIVERSAL_AD_ID = '          <UniversalAdId idRegistry="{}">{}</UniversalAdId>\n'
_ICONS = """\
            <Icons>
              <Icon program="{program}" width="{size}" height="{size}" xPosition="right" \
yPosition="top">
                <StaticResource creativeType="{image_type}">{image}</StaticResource>
                <IconClicks>
{fallback}                  <IconClickThrough>{page}</IconClickThrough>
                </IconClicks>
              </Icon>
            </Icons>
"""
"""The ad's information icon (ads/ad_info.py), at the top right of the picture."""
_ICON_FALLBACK = """\
                  <IconClickFallbackImages>
                    <IconClickFallbackImage>
                      <AltText>{text}</AltText>
                      <StaticResource>{image}</StaticResource>
                    </IconClickFallbackImage>
                  </IconClickFallbackImages>
"""
"""From VAST 4.2: what a player that cannot open a page (a TV) shows on a click instead, here a
QR code of the page's link for the viewer's phone."""
_UNIVERSAL_AD_ID_4_0 = '          <UniversalAdId idRegistry="{}" idValue="{}">{}</UniversalAdId>\n'
_VERIFICATION_EXTENSION = """\
      <Extensions>
        <Extension type="AdVerifications">
{}        </Extension>
      </Extensions>
"""
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_SPECIAL = re.compile("[&<>\r]")
_ATTR_SPECIAL = re.compile('["\t\n]')
_NOT_URI_CHAR = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
_STRAY_PERCENT = re.compile("%(?![0-9A-Fa-f]{2})")
_URI_SAFE_CHARS = "-._~:/?[]@!$&'()*+,;=%"


@dataclass(frozen=True, slots=True)
class VastAd:
    """Everything one served ad's VAST document says.

    ``description`` becomes ``<Description>`` when not empty, ``expires_seconds`` ``<Expires>``
    (how long after serving the ad may still be played) when set; the campaign's click-through URL,
    when set, becomes ``<ClickThrough>`` next to the signed click beacon in ``<ClickTracking>``.
    """

    ad_serving_id: str
    campaign: CatalogCampaign
    creative: CatalogCreative
    signer: BeaconSigner
    beacons: SignedBeacons
    ad_system: str
    ad_system_version: str
    description: str | None = None
    expires_seconds: int | None = None
    ad_info: AdInfoLinks | None = None
    """Where the ad's information icon and its "why this ad" page are; None: no icon."""


_SLOT = "\x00"
"""Marks a per-request value in a template; XML cannot hold it, so no escaped value has it."""


@dataclass(frozen=True, slots=True)
class VastTemplate:
    """One campaign and creative's VAST ad (InLine, or Wrapper for a third-party VAST tag) with
    the per-request values left open: the ad serving id and the signed parts of the beacon URLs.
    Build once per catalog snapshot, render per request, as a document of its own
    (:meth:`render`) or as one ad of a pod (:meth:`render_ad` and :func:`render_pod`), in the
    VAST ``version`` it was built for.
    """

    template: SlotTemplate
    version: VastVersion = LATEST

    @classmethod
    def of(
        cls,
        *,
        campaign: CatalogCampaign,
        creative: CatalogCreative,
        signer: BeaconSigner,
        ad_system: str,
        ad_system_version: str,
        description: str | None = None,
        expires_seconds: int | None = None,
        ad_info: AdInfoLinks | None = None,
        version: VastVersion = LATEST,
    ) -> VastTemplate:
        def beacon(event: str) -> list[Part]:
            return signer.url_parts(
                event, campaign_id=campaign.id, creative_id=creative.id, xml=True
            )

        tracking: list[Part] = []
        for event in signer.player_events:
            tracking += [
                f'              <Tracking event="{event}">',
                *beacon(event),
                "</Tracking>\n",
            ]
        holes: dict[str, list[Part]] = {
            "error_url": beacon(ERROR),
            "ad_serving_id": [AD_SERVING_ID_SLOT],
            "impression_url": beacon(IMPRESSION),
            "tracking": tracking,
            "click_url": beacon(CLICK),
            "head": [_HEAD_SLOT],
            "sequence": [_SEQUENCE_SLOT],
            "tail": [_TAIL_SLOT],
        }
        hole = {name: f"{_SLOT}{name}{_SLOT}" for name in holes}
        v4_0 = version is VastVersion.V4_0
        verifications = _verifications(campaign.verifications)
        shared = {
            **hole,
            "ad_id": _attr(campaign.id),
            "ad_system": _text(ad_system),
            "ad_system_version": _attr(ad_system_version),
            "extensions": _VERIFICATION_EXTENSION.format(verifications)
            if v4_0 and verifications
            else "",
            "verifications": "" if v4_0 else verifications,
            "impression_trackers": "".join(
                _IMPRESSION_TRACKER.format(_uri(url)) for url in campaign.impression_trackers
            ),
            "click_trackers": "".join(
                _CLICK_TRACKER.format(_uri(url)) for url in campaign.click_trackers
            ),
            "creative_id": _attr(creative.id),
        }
        if creative.vast_tag_url is not None:
            ad = _WRAPPER_AD.format(**shared, vast_tag_url=_uri(creative.vast_tag_url))
        else:
            ad = _INLINE_AD.format(
                **shared,
                title=_text(campaign.name),
                advertiser=_optional(_ADVERTISER, campaign.advertiser, escape=_text),
                categories="".join(_CATEGORY.format(_text(c)) for c in campaign.categories),
                serving_id="" if v4_0 else _SERVING_ID.format(hole["ad_serving_id"]),
                duration=format_duration(creative.duration_ms),
                skip_offset=""
                if creative.skip_offset_ms is None
                else f' skipoffset="{format_duration(creative.skip_offset_ms)}"',
                media_files=_media_files(creative, v4_0=v4_0),
                click_through=_optional(_CLICK_THROUGH, campaign.click_through_url, escape=_uri),
                universal_ad_id=_universal_ad_ids(creative, version=version),
                description=_optional(_DESCRIPTION, description, escape=_text),
                expires="" if expires_seconds is None or v4_0 else _EXPIRES.format(expires_seconds),
                icons="" if ad_info is None else _icons(ad_info, campaign.id, version=version),
            )
        document = "".join((hole["head"], ad, hole["tail"]))
        parts: list[Part] = []
        for index, piece in enumerate(document.split(_SLOT)):
            parts += holes[piece] if index % 2 else [piece]
        return cls(SlotTemplate(parts), version)

    def render(self, *, ad_serving_id: str, beacons: SignedBeacons) -> str:
        """The document of one served ad."""
        return self._fill(ad_serving_id, beacons, (_HEADS[self.version], "", _TAIL))

    def render_ad(self, *, ad_serving_id: str, beacons: SignedBeacons, sequence: int) -> str:
        """The ``<Ad>`` element of the ``sequence``-th ad of a pod (see :func:`render_pod`)."""
        return self._fill(ad_serving_id, beacons, ("", f' sequence="{sequence:d}"', ""))

    def _fill(self, ad_serving_id: str, beacons: SignedBeacons, frame: tuple[str, str, str]) -> str:
        values = beacons.values.copy()
        values[IDS_SLOT] = values[IDS_SLOT].replace("&", "&amp;")
        values.append(_attr(ad_serving_id))
        values += frame
        return self.template.fill(values)


def render_pod(ads: Sequence[str], version: VastVersion = LATEST) -> str:
    """A VAST document of an ad pod: the ``<Ad>`` elements from :meth:`VastTemplate.render_ad`
    (of templates of ``version``), in play order (their ``sequence`` numbers)."""
    return "".join((_HEADS[version], *ads, _TAIL))


def render_vast(ad: VastAd, version: VastVersion = LATEST) -> str:
    """The VAST document of ``ad``: one InLine ad with one linear creative (per request,
    prefer a :class:`VastTemplate` kept per campaign and creative)."""
    template = VastTemplate.of(
        campaign=ad.campaign,
        creative=ad.creative,
        signer=ad.signer,
        ad_system=ad.ad_system,
        ad_system_version=ad.ad_system_version,
        description=ad.description,
        expires_seconds=ad.expires_seconds,
        ad_info=ad.ad_info,
        version=version,
    )
    return template.render(ad_serving_id=ad.ad_serving_id, beacons=ad.beacons)


def render_no_fill(error_url: str, version: VastVersion = LATEST) -> str:
    """A VAST document without an ad: only ``<Error>``, for the player to report back."""
    return "".join((_HEADS[version], _NO_FILL.format(error_url=_uri(error_url)), _TAIL))


def format_duration(ms: int) -> str:
    """``HH:MM:SS.mmm`` for a duration in milliseconds (0 to just under 24 h)."""
    if not 0 <= ms <= MAX_DURATION_MS:
        raise ValueError(f"duration must be between 0 and {MAX_DURATION_MS} ms, not {ms}")
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def strip_invalid_xml_chars(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (controls, surrogates, U+FFFE/F)."""
    if value.isascii() and value.isprintable():
        return value
    return _NOT_XML_CHAR.sub("", value)


def _media_files(creative: CatalogCreative, *, v4_0: bool) -> str:
    """The creative's closed captions (from VAST 4.1 on; the schemas put them first), a
    ``<MediaFile>`` per rendition (the original while there is none), then the original as
    ``<Mezzanine>`` (with its type and size from VAST 4.1 on; a bare URL in 4.0).
    """
    captions = "" if v4_0 else _caption_files(creative.captions)
    files = [_media_file(r) for r in creative.renditions] or [_media_file(_original(creative))]
    about = (
        ""
        if v4_0
        else f' delivery="progressive" type="{_attr(creative.mime)}"'
        f' width="{creative.width}" height="{creative.height}"'
    )
    mezzanine = f"              <Mezzanine{about}>{_uri(creative.url)}</Mezzanine>\n"
    return "".join((captions, *files, mezzanine))


def _icons(ad_info: AdInfoLinks, campaign_id: str, *, version: VastVersion) -> str:
    fallback = (
        _ICON_FALLBACK.format(text=_text(CODE_TEXT), image=_uri(ad_info.code_url(campaign_id)))
        if version is VastVersion.V4_2
        else ""
    )
    return _ICONS.format(
        program=ICON_PROGRAM,
        size=ICON_SIZE,
        image_type=_attr(ad_info.icon_type),
        image=_uri(ad_info.icon_url),
        fallback=fallback,
        page=_uri(ad_info.page_url(campaign_id)),
    )


def _caption_files(captions: Sequence[Caption]) -> str:
    if not captions:
        return ""
    inner = "".join(
        f'                <ClosedCaptionFile type="{_attr(c.mime)}" language="{_attr(c.language)}">'
        f"{_uri(c.url)}</ClosedCaptionFile>\n"
        for c in captions
    )
    return f"              <ClosedCaptionFiles>\n{inner}              </ClosedCaptionFiles>\n"


def _universal_ad_ids(creative: CatalogCreative, *, version: VastVersion) -> str:
    """The creative's id in an industry registry (when it has one) and in ours: VAST 4.2 lists
    both, 4.0 and 4.1 hold one (the industry id when set); 4.0 wants it as ``idValue`` too."""
    ids = [(OWN_REGISTRY, creative.id)]
    if creative.universal_ad_registry and creative.universal_ad_value:
        industry = (creative.universal_ad_registry, creative.universal_ad_value)
        ids = [industry, *ids] if version is VastVersion.V4_2 else [industry]
    if version is VastVersion.V4_0:
        return "".join(_UNIVERSAL_AD_ID_4_0.format(_attr(r), _attr(v), _text(v)) for r, v in ids)
    return "".join(_UNIVERSAL_AD_ID.format(_attr(r), _text(v)) for r, v in ids)


def _original(creative: CatalogCreative) -> Rendition:
    """The uploaded file as a rendition (its codec is not known)."""
    return Rendition(
        url=creative.url,
        width=creative.width,
        height=creative.height,
        bitrate_kbps=creative.bitrate_kbps,
        mime=creative.mime,
        codec="",
    )


def _media_file(rendition: Rendition) -> str:
    codec = f' codec="{_attr(rendition.codec)}"' if rendition.codec else ""
    bitrate = f' bitrate="{rendition.bitrate_kbps}"' if rendition.bitrate_kbps > 0 else ""
    return (
        f'              <MediaFile delivery="progressive" type="{_attr(rendition.mime)}"'
        f' width="{rendition.width}" height="{rendition.height}"{codec}{bitrate}>'
        f"{_uri(rendition.url)}</MediaFile>\n"
    )


def _verifications(verifications: Sequence[Verification]) -> str:
    """``<AdVerifications>`` with one OM SDK ``<Verification>`` per vendor, or nothing."""
    if not verifications:
        return ""
    inner = "".join(
        _VERIFICATION.format(
            vendor=_attr(v.vendor),
            url=_uri(v.script_url),
            parameters=_optional(_VERIFICATION_PARAMETERS, v.parameters, escape=_text),
        )
        for v in verifications
    )
    return f"      <AdVerifications>\n{inner}      </AdVerifications>\n"


def _optional(template: str, value: str | None, *, escape: Callable[[str], str]) -> str:
    return template.format(escape(value)) if value else ""


def _text(value: str) -> str:
    value = strip_invalid_xml_chars(value)
    if _TEXT_SPECIAL.search(value) is None:
        return value
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _attr(value: str) -> str:
    value = _text(value)
    if _ATTR_SPECIAL.search(value) is None:
        return value
    return value.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _uri(url: str) -> str:
    """``url`` as element text: percent-encoded where needed (RFC 3987 §3.1), then escaped."""
    if (
        _NOT_URI_CHAR.search(url) is not None
        or url.count("#") > 1
        or ("%" in url and _STRAY_PERCENT.search(url) is not None)
    ):
        url = _encode_uri(strip_invalid_xml_chars(url))
    return url.replace("&", "&amp;")


def _encode_uri(url: str) -> str:
    """Percent-encode what a URI cannot hold: spaces, non-ASCII, stray ``%``, a second ``#``."""
    head, hash_sign, fragment = url.partition("#")
    encoded = [
        quote(_STRAY_PERCENT.sub("%25", part), safe=_URI_SAFE_CHARS) for part in (head, fragment)
    ]
    return f"{encoded[0]}{hash_sign}{encoded[1]}"
