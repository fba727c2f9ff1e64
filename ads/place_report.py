"""Delivery by place: a campaign's impressions split by the country (and region) they played in.

The place is the one the edge in front of the servers put in the impression beacon's request
headers (``GEO_COUNTRY_HEADER`` / ``GEO_REGION_HEADER``, ads/geo.py), recorded as the beacon
arrived: the player's own location for players that fire their beacons. Without such an edge,
or for events recorded before places were, the place is unknown.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, Field

from ads.geo import place_name

UNKNOWN_PLACE = "Unknown place"


class RegionRow(BaseModel):
    region: str
    """ISO 3166-2, ``US-CA``."""
    label: str
    impressions: int


class PlaceRow(BaseModel):
    country: str | None
    """ISO 3166-1 alpha-2; None: no place was known."""
    label: str
    impressions: int
    share: float
    """Of the range's impressions, 0-1, to four places."""
    regions: list[RegionRow]
    """The country's impressions whose region was known, most first."""


class PlaceReport(BaseModel):
    """``GET /campaigns/{id}/places``: most impressions first, the unknown ones last."""

    campaign_id: uuid.UUID
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    impressions: int
    rows: list[PlaceRow] | None
    """None when reading the events took longer than REPORT_REACH_TIMEOUT_SECONDS."""


def place_rows(places: Iterable[tuple[str | None, int]], *, total: int) -> list[PlaceRow]:
    """Rows from impression counts per stored place (``US`` or ``US-CA``); ``total``
    impressions in all (more than the places' sum when only the most frequent were read: the
    rest count as unknown)."""
    by_country: Counter[str | None] = Counter()
    by_region: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for place, impressions in places:
        country = place.partition("-")[0] if place else None
        by_country[country] += impressions
        if place and "-" in place:
            by_region[place[:2]][place] += impressions
    by_country[None] += total - sum(by_country.values())
    known = sorted(
        ((country, n) for country, n in by_country.items() if country is not None and n > 0),
        key=lambda item: (-item[1], place_name(item[0])),
    )
    ordered: list[tuple[str | None, int]] = [*known]
    if by_country[None] > 0:
        ordered.append((None, by_country[None]))
    return [
        PlaceRow(
            country=country,
            label=UNKNOWN_PLACE if country is None else place_name(country),
            impressions=n,
            share=round(n / total, 4) if total else 0.0,
            regions=[] if country is None else _regions(by_region[country]),
        )
        for country, n in ordered
    ]


def _regions(counts: Counter[str]) -> list[RegionRow]:
    return [
        RegionRow(
            region=region, label=place_name(region).rpartition(",")[0] or region, impressions=n
        )
        for region, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
