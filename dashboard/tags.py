"""VAST tags a publisher pastes into its player: one campaign's, or the ad break's (a pod drawn
from every active campaign)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from urllib.parse import urlencode

DEVICE_MACRO = "[IFA]"
"""The IAB macro players replace with the device's advertising id."""
APP_MACRO = "[APPBUNDLE]"
"""The IAB macro players replace with the app's bundle or store id."""
AGENT_MACRO = "[DEVICEUA]"
"""The IAB macro a server fetching ads for a player replaces with the player's User-Agent."""


def vast_tag_url(
    public_base_url: str,
    campaign_id: uuid.UUID | None = None,
    *,
    max_duration_s: int | None = None,
    max_ads: int | None = None,
    blocked_categories: Sequence[str] = (),
    content_categories: Sequence[str] = (),
) -> str:
    """``…/api/v1/vast`` with the options set: ``campaign_id`` (one campaign; None: all),
    ``max_duration`` (the longest ad, or with ``max_ads`` the whole break, in seconds),
    ``max_ads`` (more than 1: an ad pod), ``blocked_categories`` (IAB codes the player wants
    no ad of) and ``content_categories`` (IAB codes of the content the tag plays next to, for
    contextual targeting). Unset or zero options are left out. Every tag ends with ``ifa=[IFA]``,
    ``app_bundle=[APPBUNDLE]`` and ``ua=[DEVICEUA]``: players put the device's advertising id
    (which frequency caps and reach count by), their app's bundle (which app targeting matches)
    and, fetching for a player, its User-Agent (which platform targeting reads; else the
    request's own) in those IAB macros; left unfilled, they are ignored."""
    params: dict[str, str] = {}
    if campaign_id is not None:
        params["campaign_id"] = str(campaign_id)
    if max_duration_s:
        params["max_duration"] = str(max_duration_s)
    if max_ads is not None and max_ads > 1:
        params["max_ads"] = str(max_ads)
    if blocked_categories:
        params["blocked_categories"] = ",".join(blocked_categories)
    if content_categories:
        params["content_cat"] = ",".join(content_categories)
    params["ifa"] = DEVICE_MACRO
    params["app_bundle"] = APP_MACRO
    params["ua"] = AGENT_MACRO
    return f"{public_base_url.rstrip('/')}/api/v1/vast?{urlencode(params, safe=',[]')}"
