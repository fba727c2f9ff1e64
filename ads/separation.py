"""Who advertises, and about what: the brand-safety filter of a player's blocked categories and
the competitive separation of an ad break.

Categories are codes of the IAB Content Taxonomy 1.0 (``IAB2`` automotive, ``IAB2-3`` one of its
subcategories), the codes OpenRTB's ``cat``/``bcat`` carry. A tier-1 code stands for its whole
family: blocking ``IAB8`` blocks ``IAB8-5``, and two ads of the ``IAB2`` family never share a
break. Advertisers compare by name, ignoring case and spacing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ads.catalog import CatalogCampaign

CATEGORY_AUTHORITY = "https://iabtechlab.com/standards/content-taxonomy/"
"""VAST ``<Category authority=…>``: the list our category codes come from."""
CATEGORY_CODE = re.compile(r"IAB(?:[1-9]|1[0-9]|2[0-6])(?:-[1-9][0-9]?)?")
MAX_CATEGORIES = 10
"""The most categories one campaign may carry."""
MAX_BLOCKED_CATEGORIES = 100
"""The most categories one ad request may block."""
TIER1_CATEGORIES: dict[str, str] = {
    "IAB1": "Arts & Entertainment",
    "IAB2": "Automotive",
    "IAB3": "Business",
    "IAB4": "Careers",
    "IAB5": "Education",
    "IAB6": "Family & Parenting",
    "IAB7": "Health & Fitness",
    "IAB8": "Food & Drink",
    "IAB9": "Hobbies & Interests",
    "IAB10": "Home & Garden",
    "IAB11": "Law, Government & Politics",
    "IAB12": "News",
    "IAB13": "Personal Finance",
    "IAB14": "Society",
    "IAB15": "Science",
    "IAB16": "Pets",
    "IAB17": "Sports",
    "IAB18": "Style & Fashion",
    "IAB19": "Technology & Computing",
    "IAB20": "Travel",
    "IAB21": "Real Estate",
    "IAB22": "Shopping",
    "IAB23": "Religion & Spirituality",
    "IAB24": "Uncategorized",
    "IAB25": "Non-Standard Content",
    "IAB26": "Illegal Content",
}
"""The tier-1 families of the IAB Content Taxonomy 1.0, code → name."""


def family(code: str) -> str:
    """The tier-1 family of a category code: ``IAB2-3`` → ``IAB2``."""
    return code.partition("-")[0]


def check_category(code: str) -> str:
    """``code`` if it is an IAB Content Taxonomy 1.0 code, else ``ValueError``."""
    if not CATEGORY_CODE.fullmatch(code):
        raise ValueError(f"{code[:40]!r} is not an IAB category code such as IAB2 or IAB2-3")
    return code


def advertiser_key(name: str) -> str:
    """What two advertiser names must share to be the same advertiser."""
    return " ".join(name.casefold().split())


def blocked_by(campaign: CatalogCampaign, blocked: frozenset[str]) -> bool:
    """True if one of the campaign's categories, or its family, is in ``blocked``."""
    return any(code in blocked or family(code) in blocked for code in campaign.categories)


def separation_keys(campaign: CatalogCampaign) -> frozenset[str]:
    """What no two ads of one break may share: the campaign, the advertiser (when named) and
    each category family."""
    keys = {f"campaign:{campaign.id}"}
    if campaign.advertiser:
        keys.add(f"advertiser:{advertiser_key(campaign.advertiser)}")
    keys.update(f"category:{family(code)}" for code in campaign.categories)
    return frozenset(keys)


class BreakSeparation:
    """What the ads already in one break hold: a campaign may join unless it shares one.
    ``keys`` gives a campaign's :func:`separation_keys` (a catalog index keeps them computed)."""

    __slots__ = ("_keys", "_taken")

    def __init__(
        self,
        campaigns: Iterable[CatalogCampaign] = (),
        *,
        keys: Callable[[CatalogCampaign], frozenset[str]] = separation_keys,
    ) -> None:
        self._keys = keys
        self._taken: set[str] = set()
        for campaign in campaigns:
            self.take(campaign)

    def allows(self, campaign: CatalogCampaign) -> bool:
        return self._taken.isdisjoint(self._keys(campaign))

    def take(self, campaign: CatalogCampaign) -> None:
        self._taken |= self._keys(campaign)
