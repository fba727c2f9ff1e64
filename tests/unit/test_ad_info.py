"""The "why this ad" page: its signed links, what it says, and that nothing breaks it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.ad_info import (
    ANY_VIEWER,
    CODE_PATH,
    ICON_PATH,
    PAGE_PATH,
    AdInfoLinks,
    ad_info,
    image_type,
)
from ads.ad_info_page import NOT_NAMED, about_page, unavailable_page
from ads.catalog import CatalogCampaign
from ads.dayparts import Daypart
from ads.frequency import CapScope, FrequencyCap
from ads.platforms import Platform

SECRET = "ad-info-test-secret"
LINKS = AdInfoLinks.of(SECRET, base_url="https://ads.example.com/")
CAMPAIGN = CatalogCampaign(
    id="6f1d2a3b-0000-4000-8000-000000000001",
    name="Spring",
    status="active",
    budget_total=Decimal(100),
    budget_spent=Decimal(0),
    cpm=Decimal(10),
    pacing="even",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    end_date=datetime(2026, 2, 1, tzinfo=UTC),
    click_through_url=None,
    advertiser="Acme Motors",
)


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_the_page_link_verifies_for_its_campaign_only() -> None:
    url = LINKS.page_url(CAMPAIGN.id)
    assert url.startswith(f"https://ads.example.com{PAGE_PATH}?")
    params = query(url)
    assert params["c"] == CAMPAIGN.id and LINKS.verify(CAMPAIGN.id, params["s"])
    assert not LINKS.verify("6f1d2a3b-0000-4000-8000-000000000002", params["s"])
    assert not LINKS.verify(
        CAMPAIGN.id, params["s"][:-1] + ("A" if params["s"][-1] != "A" else "B")
    )
    assert not LINKS.verify(CAMPAIGN.id, "")
    assert query(LINKS.code_url(CAMPAIGN.id)) == params
    assert urlsplit(LINKS.code_url(CAMPAIGN.id)).path == CODE_PATH


def test_links_made_before_a_secret_rotation_still_open() -> None:
    old = query(LINKS.page_url(CAMPAIGN.id))["s"]
    rotated = AdInfoLinks.of(
        "the-next-secret-value", base_url="https://ads.example.com", previous=SECRET
    )
    assert rotated.verify(CAMPAIGN.id, old)
    assert not AdInfoLinks.of("the-next-secret-value", base_url="https://x").verify(
        CAMPAIGN.id, old
    )
    assert query(rotated.page_url(CAMPAIGN.id))["s"] != old


def test_the_icon_is_ours_unless_the_publisher_names_one() -> None:
    assert LINKS.icon_url == f"https://ads.example.com{ICON_PATH}"
    assert LINKS.icon_type == "image/png"
    own = AdInfoLinks.of(SECRET, base_url="https://a", icon_url="https://cdn.example/i.svg?v=2")
    assert own.icon_url == "https://cdn.example/i.svg?v=2" and own.icon_type == "image/svg+xml"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://cdn.example/icon.jpg", "image/jpeg"),
        ("https://cdn.example/icon.GIF", "image/gif"),
        ("https://cdn.example/icon", "image/png"),
        ("https://cdn.example/icon.mp4", "image/png"),
    ],
)
def test_image_type_by_name(url: str, expected: str) -> None:
    assert image_type(url) == expected


def test_an_untargeted_campaign_is_shown_to_anyone_and_paid_by_its_advertiser() -> None:
    info = ad_info(CAMPAIGN)
    assert info.on_behalf_of == info.paid_by == "Acme Motors"
    assert info.reasons == (ANY_VIEWER,)
    paid = ad_info(replace(CAMPAIGN, paid_by="Media Agency GmbH"))
    assert (paid.on_behalf_of, paid.paid_by) == ("Acme Motors", "Media Agency GmbH")
    nobody = ad_info(replace(CAMPAIGN, advertiser=None))
    assert nobody.on_behalf_of is None and nobody.paid_by is None


def test_each_targeting_choice_is_one_reason() -> None:
    targeted = replace(
        CAMPAIGN,
        target_geo=frozenset({"US-CA", "DE"}),
        target_platforms=frozenset({Platform.ROKU, Platform.FIRE_TV}),
        target_apps=frozenset({"com.example.tv"}),
        target_content=frozenset({"IAB17-44", "IAB17", "IAB2"}),
        target_keys=(("genre", frozenset({"drama", "comedy"})),),
        daypart=Daypart(frozenset(range(18, 23)), zone="Europe/Berlin"),
        exclude_child_directed=True,
        frequency_cap=FrequencyCap(3, 24, CapScope.HOUSEHOLD),
    )
    assert ad_info(targeted).reasons == (
        "It is shown to viewers in: California, US, Germany.",
        "It is shown on these devices: Amazon Fire TV, Roku.",
        "It is shown in these apps only: com.example.tv.",
        "It is shown next to programmes about: Automotive, Sports.",
        "It is shown where the app labelled the programme genre: comedy, drama.",
        "It is shown at these times: Mon 18:00-23:00 (Europe/Berlin).",
        "It is never shown in apps or programmes made for children.",
        "It is shown at most 3 times every 24 hours per household.",
    )
    once = replace(CAMPAIGN, frequency_cap=FrequencyCap(1, 1))
    assert ad_info(once).reasons == ("It is shown at most once every hour per device.",)


class _Text(HTMLParser):
    """The text of each ``<dd>`` and ``<li>`` of a page, and every tag it opens."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self.tags: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)
        if tag in ("dd", "li"):
            self._open, self.items = tag, [*self.items, ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.items[-1] += data


def read(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return parser


@given(
    advertiser=st.text(min_size=1, max_size=300).filter(lambda s: s.strip()),
    paid_by=st.one_of(st.none(), st.text(min_size=1, max_size=300)),
    app=st.text(min_size=1, max_size=60),
)
def test_no_stored_text_can_add_markup_to_the_page(
    advertiser: str, paid_by: str | None, app: str
) -> None:
    campaign = replace(
        CAMPAIGN, advertiser=advertiser, paid_by=paid_by, target_apps=frozenset({app})
    )
    parsed = read(about_page(ad_info(campaign)))
    skeleton = ["html", "head", "meta", "meta", "meta", "title", "style", "body", "main", "h1"]
    assert parsed.tags == [*skeleton, "p", "dl", "dt", "dd", "dt", "dd", "h2", "ul", "li", "p", "p"]
    assert parsed.items[0] == advertiser
    assert parsed.items[1] == (paid_by or advertiser)
    assert f"only: {app}." in parsed.items[2]


def test_a_campaign_without_an_advertiser_says_so() -> None:
    parsed = read(about_page(ad_info(replace(CAMPAIGN, advertiser=None))))
    assert parsed.items[:2] == [NOT_NAMED, NOT_NAMED]


def test_the_unavailable_page_escapes_its_reason() -> None:
    page = unavailable_page("gone <b>now</b>")
    assert "gone &lt;b&gt;now&lt;/b&gt;" in page and "<b>" not in page
