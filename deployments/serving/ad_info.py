"""The "why this ad" page and the information icon, served beside the decisions (ads/ad_info.py).

The page reads the campaign from the replica's catalog snapshot, like every decision: no database
query, and it answers while Redis is away.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import segno
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ads.ad_info import AdInfoLinks, ad_info
from ads.ad_info_page import about_page, unavailable_page
from ads.catalog import CatalogCampaign
from ads.errors import MethodNotAllowed

ICON_FILE = Path(__file__).parent / "static" / "ad-info.png"
_PAGE_HEADERS = {
    "Cache-Control": "public, max-age=300",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_ICON_HEADERS = {"Cache-Control": "public, max-age=86400"}
CODE_SCALE = 6
"""Pixels per QR module: a link's code is ~300 px wide, readable across a room."""
MAX_CODES = 1024


class AdInfoPages:
    """Answers ``GET /api/v1/about-ad?c=<campaign>&s=<tag>`` (the page), the same link's QR code
    (``/api/v1/about-ad.png``) and the icon (``/api/v1/ad-info.png``)."""

    def __init__(
        self, links: AdInfoLinks, campaign: Callable[[str], CatalogCampaign | None]
    ) -> None:
        self._links = links
        self._campaign = campaign
        self._icon = ICON_FILE.read_bytes()
        self._codes: dict[str, bytes] = {}

    async def page(self, request: Request) -> Response:
        campaign = self._linked(request)
        if isinstance(campaign, Response):
            return campaign
        return HTMLResponse(about_page(ad_info(campaign)), headers=_PAGE_HEADERS)

    async def code(self, request: Request) -> Response:
        """The page's link as a PNG QR code (made once per campaign, then kept)."""
        campaign = self._linked(request)
        if isinstance(campaign, Response):
            return campaign
        png = self._codes.get(campaign.id)
        if png is None:
            if len(self._codes) >= MAX_CODES:
                self._codes.clear()
            png = self._codes[campaign.id] = qr_png(self._links.page_url(campaign.id))
        return Response(png, media_type="image/png", headers=_ICON_HEADERS)

    def _linked(self, request: Request) -> CatalogCampaign | Response:
        """The campaign a signed link of ``request`` names, or the page that says why not."""
        _readable(request)
        campaign_id = request.query_params.get("c", "")
        tag = request.query_params.get("s", "")
        if not campaign_id or not tag:
            return _unavailable("This link is incomplete: it names no ad.", 400)
        if not self._links.verify(campaign_id, tag):
            return _unavailable("This link was not made by this ad server.", 403)
        campaign = self._campaign(campaign_id)
        if campaign is None:
            return _unavailable("This ad no longer runs, so there is nothing to show.", 404)
        return campaign

    async def icon(self, request: Request) -> Response:
        _readable(request)
        return Response(self._icon, media_type="image/png", headers=_ICON_HEADERS)


def qr_png(url: str) -> bytes:
    """``url`` as a black-on-white PNG QR code."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=CODE_SCALE, border=4)
    return out.getvalue()


def _readable(request: Request) -> None:
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowed("use GET")


def _unavailable(reason: str, status: int) -> Response:
    return HTMLResponse(unavailable_page(reason), status_code=status, headers=_PAGE_HEADERS)
