"""Geography: the countries and regions a campaign may run in, and where a request's viewer is.

Places are ISO 3166 codes: a country by its ISO 3166-1 alpha-2 code (``US``), a region (a
state, province, …) by its ISO 3166-2 code (``US-CA``). A campaign targeting a country runs in
all its regions. Players (or the ad-insertion server fetching for them) say where the viewer is
as OpenRTB does, ``device.geo.country`` (ISO 3166-1 alpha-3, ``USA``; alpha-2 is taken too)
and ``device.geo.region`` (the part of the ISO 3166-2 code after the dash, ``CA``, or the
whole code); an edge in front of the servers (CloudFront, Cloudflare, …) may add the viewer's
country and region as headers, read where the request names no place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pycountry

MAX_TARGET_PLACES = 100
"""Countries and regions one campaign may be limited to."""
_COUNTRY_OF: dict[str, str] = {
    code: country.alpha_2
    for country in pycountry.countries
    for code in (country.alpha_2, country.alpha_3)
}
"""ISO 3166-1 alpha-2 and alpha-3 codes → the alpha-2 code."""
_SUBDIVISION = re.compile(r"[A-Z0-9]{1,3}")
"""The part of an ISO 3166-2 code after the country and its dash."""
NOWHERE: frozenset[str] = frozenset()


@cache
def countries() -> dict[str, str]:
    """Every country: alpha-2 code → name, by name."""
    return {
        country.alpha_2: country.name
        for country in sorted(pycountry.countries, key=lambda c: c.name)
    }


@cache
def _regions() -> dict[str, str]:
    """ISO 3166-2 code → name (read when first needed: the decision path never needs it)."""
    return {region.code: region.name for region in pycountry.subdivisions}


def check_place(value: str) -> str:
    """A campaign's target place as stored (trimmed, upper-case); ``ValueError`` saying why
    ``value`` is not an ISO 3166 country or region code."""
    code = value.strip().upper()
    if code in countries() or code in _regions():
        return code
    raise ValueError(
        f"{value.strip()[:40]!r} is not an ISO 3166 country (e.g. US) or region (e.g. US-CA) code"
    )


def place_name(code: str) -> str:
    """What a stored place code is called (``US-CA`` → ``California, US``); the code itself for
    one no longer known."""
    if code in _regions():
        return f"{_regions()[code]}, {code[:2]}"
    return countries().get(code, code)


def request_places(country: object, region: object) -> frozenset[str]:
    """The places a request puts its viewer in: its country (alpha-2 or alpha-3) and, with it,
    its region (``CA`` or ``US-CA``; a whole region code alone names its country too). What is
    not a code (an unfilled macro, a typo) names nothing: the viewer then gets only campaigns
    not limited to places."""
    alpha2 = _COUNTRY_OF.get(country.strip().upper()) if isinstance(country, str) else None
    part = region.strip().upper() if isinstance(region, str) else ""
    if "-" in part:
        prefix, _, part = part.partition("-")
        if alpha2 is None:
            alpha2 = _COUNTRY_OF.get(prefix) if len(prefix) == 2 else None
        elif prefix != alpha2:
            part = ""  # a region of another country than the one named: not trusted
    if alpha2 is None:
        return NOWHERE
    if _SUBDIVISION.fullmatch(part):
        return frozenset((alpha2, f"{alpha2}-{part}"))
    return frozenset((alpha2,))


@dataclass(frozen=True, slots=True)
class GeoHeaders:
    """The request headers an edge in front of the servers puts the viewer's place in
    (lower-case ASCII names; empty: none is trusted). CloudFront: ``cloudfront-viewer-country``
    and ``cloudfront-viewer-country-region``; Cloudflare: ``cf-ipcountry``."""

    country: bytes = b""
    region: bytes = b""

    @classmethod
    def named(cls, country: str, region: str) -> GeoHeaders:
        return cls(country=country.strip().lower().encode(), region=region.strip().lower().encode())

    def places(self, headers: Iterable[tuple[bytes, bytes]]) -> frozenset[str]:
        """The places these headers of a request (raw ASGI pairs) put its viewer in."""
        if not self.country:
            return NOWHERE
        country = region = None
        for name, value in headers:
            if name == self.country:
                country = value.decode("latin-1")
            elif name == self.region and self.region:
                region = value.decode("latin-1")
        return request_places(country, region)

    def place(self, headers: Iterable[tuple[bytes, bytes]]) -> str | None:
        """The most specific place these headers name (``US-CA`` rather than ``US``), or None."""
        return most_specific(self.places(headers))


def device_geo(device: Mapping[str, Any] | None) -> tuple[object, object]:
    """The (country, region) of an OpenRTB ``device.geo``, as sent (None where missing)."""
    geo = device.get("geo") if device else None
    if not isinstance(geo, Mapping):
        return None, None
    return geo.get("country"), geo.get("region")


def viewer_places(
    stated: frozenset[str], edge: GeoHeaders, headers: Iterable[tuple[bytes, bytes]]
) -> frozenset[str]:
    """Where a request's viewer is: the places the request states (:func:`request_places`:
    the player or the ad-insertion server knows the viewer), else the ones the edge's
    ``headers`` give."""
    return stated or edge.places(headers)


def most_specific(places: frozenset[str]) -> str | None:
    """The region of these places if they name one (``US-CA``), else the country, or None."""
    return max(places, key=len, default=None)
