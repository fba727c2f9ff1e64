"""Tags a publisher pastes into its player: a VAST tag (one campaign's, or the ad break's: a pod
drawn from every active campaign), or a programme's VMAP ad schedule of such breaks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from urllib.parse import urlencode

from ads.vast import VAST_VERSIONS_MACRO, VastVersion

DEVICE_MACRO = "[IFA]"
"""The IAB macro players replace with the device's advertising id."""
APP_MACRO = "[APPBUNDLE]"
"""The IAB macro players replace with the app's bundle or store id."""
AGENT_MACRO = "[DEVICEUA]"
"""The IAB macro a server fetching ads for a player replaces with the player's User-Agent."""
PRIVACY_MACROS = {
    "lmt": "[LIMITADTRACKING]",
    "regs": "[REGULATIONS]",
    "gdpr_consent": "[GDPRCONSENT]",
}
"""The IAB macros of the viewer's privacy choices: limit ad tracking, the regulations that
apply (COPPA, GDPR) and the GDPR consent string (ads/privacy.py)."""


def vast_tag_url(
    public_base_url: str,
    campaign_id: uuid.UUID | None = None,
    *,
    max_duration_s: int | None = None,
    max_ads: int | None = None,
    blocked_categories: Sequence[str] = (),
    content_categories: Sequence[str] = (),
    child_directed: bool = False,
    vast_version: VastVersion | None = None,
) -> str:
    """``…/api/v1/vast`` with the options set: ``campaign_id`` (one campaign; None: all),
    ``max_duration`` (the longest ad, or with ``max_ads`` the whole break, in seconds),
    ``max_ads`` (more than 1: an ad pod), ``blocked_categories`` (IAB codes the player wants
    no ad of) and ``content_categories`` (IAB codes of the content the tag plays next to, for
    contextual targeting), ``child_directed`` (the tag plays in a kids' app: ``coppa=1``, so
    the device id is not used and campaigns kept out of kids' apps are not served),
    ``vast_version`` (for a player that takes one version and does not fill
    ``[VASTVERSIONS]``). Unset or zero options are left out. Every tag ends with ``ifa=[IFA]``,
    ``app_bundle=[APPBUNDLE]``, ``ua=[DEVICEUA]`` and the privacy macros
    (:data:`PRIVACY_MACROS`): players put the device's advertising id (which frequency caps and
    reach count by), their app's bundle (which app targeting matches), fetching for a player
    its User-Agent (which platform targeting reads; else the request's own), and the viewer's
    privacy choices (which limit what the id is used for) in those IAB macros, and the VAST
    versions they take in ``vast_versions=[VASTVERSIONS]`` (the answer is the newest of them
    made here); left unfilled, they are ignored."""
    params: dict[str, str] = {}
    if campaign_id is not None:
        params["campaign_id"] = str(campaign_id)
    if max_duration_s:
        params["max_duration"] = str(max_duration_s)
    if max_ads is not None and max_ads > 1:
        params["max_ads"] = str(max_ads)
    if vast_version is not None:
        params["vast_version"] = vast_version.value
    return _tag(
        public_base_url, "vast", params, blocked_categories, content_categories, child_directed
    )


def vmap_tag_url(
    public_base_url: str,
    *,
    content_minutes: int,
    midroll_every_minutes: int,
    preroll: bool,
    postroll: bool,
    break_s: int,
    max_ads: int,
    blocked_categories: Sequence[str] = (),
    content_categories: Sequence[str] = (),
    child_directed: bool = False,
    vast_version: VastVersion | None = None,
) -> str:
    """``…/api/v1/vmap``: a programme of ``content_minutes`` with a pre-roll, a mid-roll every
    ``midroll_every_minutes`` (0: none) and a post-roll, each break a pod of up to ``max_ads``
    ads within ``break_s`` seconds; the other options and the macros as :func:`vast_tag_url`
    puts them, handed on to every break's tag."""
    params = {"content_duration": str(content_minutes * 60)}
    if midroll_every_minutes:
        params["midroll_every"] = str(midroll_every_minutes * 60)
    if not preroll:
        params["preroll"] = "0"
    if not postroll:
        params["postroll"] = "0"
    params |= {"break_duration": str(break_s), "max_ads": str(max_ads)}
    if vast_version is not None:
        params["vast_version"] = vast_version.value
    return _tag(
        public_base_url, "vmap", params, blocked_categories, content_categories, child_directed
    )


def _tag(
    public_base_url: str,
    endpoint: str,
    params: dict[str, str],
    blocked_categories: Sequence[str],
    content_categories: Sequence[str],
    child_directed: bool,
) -> str:
    """The tag URL: ``params``, then the categories, COPPA, and the device, app, agent, privacy
    and VAST version macros."""
    if blocked_categories:
        params["blocked_categories"] = ",".join(blocked_categories)
    if content_categories:
        params["content_cat"] = ",".join(content_categories)
    if child_directed:
        params["coppa"] = "1"
    params |= {"ifa": DEVICE_MACRO, "app_bundle": APP_MACRO, "ua": AGENT_MACRO, **PRIVACY_MACROS}
    params["vast_versions"] = VAST_VERSIONS_MACRO
    return f"{public_base_url.rstrip('/')}/api/v1/{endpoint}?{urlencode(params, safe=',[]')}"
