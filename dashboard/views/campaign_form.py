"""Create a campaign, from scratch or as a copy of another (``?copy=``), or edit one (``?id=``):
every field, checked before and after the API call.

The form is checked with the API's own schema (:class:`ads.campaigns.CampaignCreate`) before
anything is sent, so most mistakes are named next to their field at once; what only the server
can tell (a 409, a constraint) is shown the same way after the call.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import streamlit as st
from pydantic import ValidationError
from streamlit.delta_generator import DeltaGenerator

from ads.campaigns import CampaignCreate, CampaignStatus, CampaignUpdate, Pacing
from ads.dayparts import DAY_NAMES, as_weekly, describe, weekly_hours, zone_names
from ads.dayparts import Daypart as DaypartSpec
from ads.frequency import MAX_CAP_ADS, MAX_CAP_HOURS, CapScope
from ads.geo import MAX_TARGET_PLACES, countries
from ads.platforms import Platform
from ads.priority import Priority
from ads.separation import MAX_CATEGORIES, TIER1_CATEGORIES
from dashboard import components as ui
from dashboard import forecast_panel, formatting, session
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import Campaign

LABELS = {
    "name": "Name",
    "description": "Description",
    "budget_total": "Total budget",
    "cpm": "CPM",
    "start_date": "Start",
    "end_date": "End",
    "click_through_url": "Click-through URL",
    "pacing": "Pacing",
    "priority": "Priority",
    "daily_cap": "Daily cap",
    "advertiser": "Advertiser",
    "paid_by": "Paid for by",
    "categories": "Categories",
    "frequency_cap_ads": "Frequency cap (ads)",
    "frequency_cap_hours": "Frequency cap (hours)",
    "frequency_cap_scope": "Frequency cap (counted per)",
    "target_apps": "Apps",
    "target_platforms": "Platforms",
    "target_content": "Content",
    "target_geo": "Places",
    "target_keys": "Key-values",
    "exclude_child_directed": "Not in kids' apps",
    "first_in_break": "First in the break only",
    "daypart_hours": "Days",
    "timezone": "Time zone",
    "impression_trackers": "Impression trackers",
    "click_trackers": "Click trackers",
    "verifications": "Verification",
}
_CAP_FIELDS = ("frequency_cap_ads", "frequency_cap_hours")
_PACING = {Pacing.EVEN: "Even — spread over the flight", Pacing.ASAP: "As fast as possible"}
_PRIORITY_HELP = (
    "Which campaigns get an ad break first. Sponsorship: before every standard campaign "
    "(a show's presenting sponsor, a guaranteed buy). Standard: paid campaigns, drawn by "
    "remaining budget. House: your own promos, only in breaks no other campaign can fill "
    "(usually at CPM 0, which spends nothing)."
)
_ADVERTISER_HELP = (
    "Who the ads are for, shown to players (VAST `<Advertiser>`). No two ads of the same "
    "advertiser play in one ad break."
)
_PAID_BY_HELP = (
    "Who pays for the ads, when not the advertiser (an agency, a parent company). Every ad "
    "carries an information icon opening a page that names who it is for and who paid, as the "
    "EU Digital Services Act asks; left empty, the page names the advertiser."
)
_CATEGORIES_HELP = (
    "What the ads are about (IAB content categories), shown to players; players may block "
    "categories. No two ads of one category family (IAB2, IAB2-3, …) play in one ad break."
)
_CAP_HELP = (
    "At most this many ads of the campaign per device (the player's advertising id) in any "
    "window of that many hours, e.g. 3 ads every 24 hours. Fill in both, or neither for no cap. "
    "Needs players to send their advertising id (JSON `device.ifa`, VAST `ifa=`)."
)
_CAP_SCOPES = {CapScope.DEVICE: "Device", CapScope.HOUSEHOLD: "Household"}
_CAP_SCOPE_HELP = (
    "Device: each screen's ads are counted (by its advertising id). Household: the ads of every "
    "screen of a home are counted together, the home known by its internet address (a TV, a "
    "streaming stick and a console in one living room share one cap). Addresses many homes "
    "share (carrier-grade NAT, private networks) are never capped as a household."
)
_APPS_HELP = (
    "Run only in these apps of yours: their bundle or store ids as players report them "
    "(com.example.tv, 151908 on Roku, id1234567890 on tvOS), separated by commas or new lines. "
    "Empty: every app. Needs players to send the app (JSON `app.bundle`, VAST `app_bundle=`)."
)
_PLATFORMS_HELP = (
    "Run only on these devices, e.g. Roku and Fire TV, or every TV platform for the big screen "
    "alone. Empty: every device. Read from what players send (JSON `device.os`, `make`, `ua`, "
    "`devicetype`; on the VAST tag `ua=[DEVICEUA]`, else the request's User-Agent); a device "
    "none of these describe gets only campaigns without platforms."
)
_CONTENT_HELP = (
    "Run only next to content of these IAB categories, e.g. Sports for a sports drink (a "
    "category covers its subcategories). Empty: any content. Read from what players send "
    "about the show being watched (JSON `content.cat`, the VAST tag's `content_cat=`); content "
    "that names no category gets only campaigns without content targeting."
)
_PLACES_HELP = (
    "Run only for viewers in these countries, or type a region's ISO 3166-2 code (US-CA, "
    "DE-BY, GB-SCT): a country covers all its regions. Empty: everywhere. Read from what "
    "players send (JSON `device.geo`, the VAST tag's `country=`/`region=`) or what the edge in "
    "front of the ad server adds; viewers of no known place get only campaigns without places."
)
_KEYS_HELP = (
    "Run only where your players state these key-values of yours, one key a line: "
    "`genre=comedy,drama` (any of the values), `live=true`; every key must match. Empty: any "
    "request. Players send them as JSON `key_values` or the VAST tag's `cust_params` "
    "(`cust_params=genre%3Dcomedy%26live%3Dtrue`, as Google Ad Manager's)."
)
_DAYPART_HELP = (
    "Run only on these days, from the hour in From to the hour in To on the time zone's clock "
    "(To before From runs past midnight: 20:00 to 02:00; To equal to From: the whole day). "
    "No days: all the time. Even pacing spreads the budget over the hours the campaign runs."
)
_TRACKERS_HELP = (
    "The advertiser's own tracking URLs (verification or measurement partners), one per line, "
    "up to 5: players call them next to ours (VAST <Impression> / <ClickTracking>; JSON "
    "third_party_tracking). IAB macros such as [CACHEBUSTING] in them are filled by players."
)
_VERIFICATION_HELP = (
    "A measurement vendor's OM SDK script (viewability, invalid traffic), as the vendor gives it: "
    "its key (company.com-omid), the script's URL and its parameters. Players that run OM SDK "
    "load it with the ad (VAST <AdVerifications>)."
)
_CAP_HALF = (
    f"**{LABELS['frequency_cap_ads']}** and **{LABELS['frequency_cap_hours']}**: fill in both "
    "(ads per device, every how many hours), or neither for no cap"
)
_NEW_STATUS = {
    CampaignStatus.DRAFT: "Draft — save only",
    CampaignStatus.ACTIVE: "Active — serve now",
}


def _amount(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.2f}")


def _category_order(code: str) -> tuple[int, int]:
    """Taxonomy order: IAB2, IAB2-3, IAB3, … (codes are ``IABn`` or ``IABn-m``)."""
    tier1, _, sub = code.removeprefix("IAB").partition("-")
    return (int(tier1) if tier1.isdigit() else 0, int(sub) if sub.isdigit() else 0)


def _category_picker(
    column: DeltaGenerator, field: str, chosen: list[str], placeholder: str, help: str
) -> list[str]:
    """An optional pick of IAB codes: the tier-1 ones, and any other ``chosen`` code (set
    through the API)."""
    return column.multiselect(
        f"{LABELS[field]} (optional)",
        sorted({*TIER1_CATEGORIES, *chosen}, key=_category_order),
        default=chosen,
        format_func=formatting.category,
        max_selections=MAX_CATEGORIES,
        placeholder=placeholder,
        help=help,
    )


def _place_picker(column: DeltaGenerator, chosen: list[str]) -> list[str]:
    """An optional pick of countries, and any region typed in (or set through the API); the API
    checks what is typed."""
    picked: list[str] = column.multiselect(
        f"{LABELS['target_geo']} (optional)",
        list(dict.fromkeys([*countries(), *chosen])),
        default=chosen,
        format_func=formatting.place,
        max_selections=MAX_TARGET_PLACES,
        accept_new_options=True,
        placeholder="Everywhere",
        help=_PLACES_HELP,
    )
    return [code.strip().upper() for code in picked]


def _lines(text: str) -> list[str]:
    """The non-blank lines of a text area, trimmed (URLs may hold commas: one per line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _list_area(
    column: DeltaGenerator, field: str, items: list[str], *, placeholder: str, help: str
) -> str:
    """An optional text area listing ``items`` one per line, labelled as :data:`LABELS` says."""
    return column.text_area(
        f"{LABELS[field]} (optional)",
        value="\n".join(items),
        placeholder=placeholder,
        height=68,
        help=help,
    )


def key_value_lines(keys: dict[str, list[str]]) -> list[str]:
    """A campaign's key-values as the form shows them: ``genre=comedy,drama`` per key."""
    return [f"{key}={','.join(values)}" for key, values in keys.items()]


def parse_key_values(text: str) -> dict[str, list[str]]:
    """The form's key-value lines as the API takes them; a key named twice gets both lines'
    values, and a line that is no ``key=values`` goes as a key without values, so that the
    API's answer names it."""
    keys: dict[str, list[str]] = {}
    for line in _lines(text):
        key, _, values = line.partition("=")
        listed = [v.strip() for v in values.split(",") if v.strip()]
        keys.setdefault(key.strip(), []).extend(listed)
    return keys


def _count(value: float | None) -> int | None:
    return None if value is None else int(value)


def _emptiable(key: str, stored: float | None) -> str:
    """``key``, its widget set to ``stored`` when the form opens (not on the page yet).

    A number input whose default is a number cannot be emptied (it returns to its default),
    so inputs that may be cleared default to empty and start from the stored value this way.
    """
    if key not in st.session_state:
        st.session_state[key] = stored
    return key


def duplicate(source: Campaign, *, now: datetime) -> Campaign:
    """The settings a copy of ``source`` starts from: "Copy of" its name, and its flight moved
    to start now (same length) when it has already ended."""
    name = f"Copy of {source.name}"[:255]
    if source.end_date > now:
        return source.model_copy(update={"name": name})
    start = now.replace(second=0, microsecond=0)
    end = start + (source.end_date - source.start_date)
    return source.model_copy(update={"name": name, "start_date": start, "end_date": end})


def _fields(
    campaign: Campaign | None, *, template: Campaign | None = None
) -> tuple[dict[str, Any], CampaignStatus, str | None]:
    """Draw the form (editing ``campaign``, or a new one filled in from ``template``); return its
    raw values, the status asked for and which button sent it ("save", "forecast" or None)."""
    now = formatting.naive_utc(datetime.now(UTC))
    c = campaign or template
    if campaign is not None:
        form = f"campaign-form-{campaign.id}"
    else:
        form = f"campaign-form-copy-{template.id}" if template else "campaign-form-new"
    with st.form(form, border=True):
        name = st.text_input(LABELS["name"], value=c.name if c else "", max_chars=255)
        description = st.text_area(LABELS["description"], value=c.description if c else "")
        money_cols = st.columns(3)
        budget = money_cols[0].number_input(
            f"{LABELS['budget_total']} ($)",
            min_value=0.0,
            value=float(c.budget_total) if c else None,
            step=100.0,
            format="%.2f",
            placeholder="5000.00",
        )
        cpm = money_cols[1].number_input(
            f"{LABELS['cpm']} ($ per 1,000 impressions)",
            min_value=0.0,
            value=float(c.cpm) if c else None,
            step=0.5,
            format="%.2f",
            placeholder="25.00",
        )
        daily_cap = money_cols[2].number_input(
            f"{LABELS['daily_cap']} ($, optional)",
            min_value=0.0,
            value=None,
            step=50.0,
            format="%.2f",
            key=_emptiable(
                f"{form}-daily-cap", float(c.daily_cap) if c and c.daily_cap is not None else None
            ),
            placeholder="No cap",
        )
        date_cols = st.columns(2)
        start = date_cols[0].datetime_input(
            f"{LABELS['start_date']} (UTC)", value=formatting.naive_utc(c.start_date) if c else now
        )
        end = date_cols[1].datetime_input(
            f"{LABELS['end_date']} (UTC)",
            value=formatting.naive_utc(c.end_date) if c else now + timedelta(days=30),
        )
        url = st.text_input(
            f"{LABELS['click_through_url']} (optional)",
            value=(c.click_through_url or "") if c else "",
            placeholder="https://www.example.com/landing",
        )
        about_cols = st.columns(2)
        advertiser = about_cols[0].text_input(
            f"{LABELS['advertiser']} (optional)",
            value=(c.advertiser or "") if c else "",
            max_chars=255,
            placeholder="Acme Motors",
            help=_ADVERTISER_HELP,
        )
        paid_by = about_cols[0].text_input(
            f"{LABELS['paid_by']} (optional)",
            value=(c.paid_by or "") if c else "",
            max_chars=255,
            placeholder="Same as the advertiser",
            help=_PAID_BY_HELP,
        )
        categories = _category_picker(
            about_cols[1], "categories", c.categories if c else [], "None", _CATEGORIES_HELP
        )
        cap_cols = st.columns(3)
        cap_ads = cap_cols[0].number_input(
            "Frequency cap: ads (optional)",
            min_value=1,
            max_value=MAX_CAP_ADS,
            value=None,
            step=1,
            key=_emptiable(f"{form}-cap-ads", c.frequency_cap_ads if c else None),
            placeholder="No cap",
            help=_CAP_HELP,
        )
        cap_hours = cap_cols[1].number_input(
            "Frequency cap: every (hours)",
            min_value=1,
            max_value=MAX_CAP_HOURS,
            value=None,
            step=1,
            key=_emptiable(f"{form}-cap-hours", c.frequency_cap_hours if c else None),
            placeholder="e.g. 24",
            help=_CAP_HELP,
        )
        cap_scope = cap_cols[2].selectbox(
            "Frequency cap: counted per",
            list(CapScope),
            index=list(CapScope).index(c.frequency_cap_scope if c else CapScope.DEVICE),
            format_func=lambda scope: _CAP_SCOPES[CapScope(scope)],
            key=f"{form}-cap-scope",
            help=_CAP_SCOPE_HELP,
        )
        target_cols = st.columns(2)
        apps = _list_area(
            target_cols[0],
            "target_apps",
            c.target_apps if c else [],
            placeholder="Every app",
            help=_APPS_HELP,
        )
        platforms = target_cols[1].multiselect(
            f"{LABELS['target_platforms']} (optional)",
            list(Platform),
            default=c.target_platforms if c else [],
            format_func=formatting.platform,
            placeholder="Every device",
            help=_PLATFORMS_HELP,
        )
        audience_cols = st.columns(2)
        content = _category_picker(
            audience_cols[0],
            "target_content",
            c.target_content if c else [],
            "Any content",
            _CONTENT_HELP,
        )
        places = _place_picker(audience_cols[1], c.target_geo if c else [])
        keys = _list_area(
            st.container(),
            "target_keys",
            key_value_lines(c.target_keys) if c else [],
            placeholder="genre=comedy,drama",
            help=_KEYS_HELP,
        )
        exclude_kids = st.checkbox(
            "Keep out of child-directed apps (COPPA)",
            value=c.exclude_child_directed if c else False,
            help="Never served where the player says the app is directed at children (OpenRTB "
            "regs.coppa, the VAST tag's regs=coppa): for alcohol, gambling and other "
            "advertisers who must not reach children.",
        )
        first_in_break = st.checkbox(
            LABELS["first_in_break"],
            value=c.first_in_break if c else False,
            help="Served only as the first ad of a break, the position viewers see most (sold "
            "at a higher CPM): first in every pod it joins, and only for a single-ad request "
            "of a break's first slot (pod_position 1, the default).",
        )
        daypart_hours, zone = _daypart_fields(c)
        verifications = _verification_fields(c)
        tracker_cols = st.columns(2)
        impression_trackers = _list_area(
            tracker_cols[0],
            "impression_trackers",
            c.impression_trackers if c else [],
            placeholder="https://pixel.example.com/imp?cb=[CACHEBUSTING]",
            help=_TRACKERS_HELP,
        )
        click_trackers = _list_area(
            tracker_cols[1],
            "click_trackers",
            c.click_trackers if c else [],
            placeholder="https://clicks.example.com/c?ord=[TIMESTAMP]",
            help=_TRACKERS_HELP,
        )
        option_cols = st.columns(3)
        pacing = option_cols[0].radio(
            LABELS["pacing"],
            list(_PACING),
            index=list(_PACING).index(c.pacing) if c else 0,
            format_func=_PACING.__getitem__,
            horizontal=True,
        )
        priority = option_cols[1].selectbox(
            LABELS["priority"],
            list(Priority),
            index=list(Priority).index(c.priority if c else Priority.STANDARD),
            format_func=lambda p: formatting.PRIORITY[p].label,
            help=_PRIORITY_HELP,
        )
        statuses = (
            [campaign.status, *ui.next_statuses(campaign.status)] if campaign else list(_NEW_STATUS)
        )
        status = option_cols[2].selectbox(
            "Status",
            statuses,
            format_func=lambda s: (
                _NEW_STATUS[s] if campaign is None else formatting.CAMPAIGN_STATUS[s].label
            ),
        )
        with st.container(horizontal=True):
            sent = st.form_submit_button(
                "Save changes" if campaign else "Create campaign",
                type="primary",
                icon=":material/save:",
            )
            check = st.form_submit_button(
                "Check the forecast",
                icon=":material/query_stats:",
                help="Ad requests expected over these dates, against what the budget buys "
                "(nothing is saved)",
                key="campaign-form-forecast",
            )
    values: dict[str, Any] = {
        "name": name,
        "description": description,
        "budget_total": _amount(budget),
        "cpm": _amount(cpm),
        "start_date": start,
        "end_date": end,
        "click_through_url": url.strip() or None,
        "pacing": pacing,
        "priority": priority,
        "daily_cap": _amount(daily_cap),
        "advertiser": advertiser.strip() or None,
        "paid_by": paid_by.strip() or None,
        "categories": categories,
        "frequency_cap_ads": _count(cap_ads),
        "frequency_cap_hours": _count(cap_hours),
        "frequency_cap_scope": cap_scope,
        "target_apps": [app.strip() for app in re.split(r"[,\n]", apps) if app.strip()],
        "target_platforms": platforms,
        "target_content": content,
        "target_geo": places,
        "target_keys": parse_key_values(keys),
        "exclude_child_directed": exclude_kids,
        "first_in_break": first_in_break,
        "daypart_hours": daypart_hours,
        "timezone": zone,
        "impression_trackers": _lines(impression_trackers),
        "click_trackers": _lines(click_trackers),
        "verifications": verifications,
    }
    required = {"budget_total", "cpm", "start_date", "end_date"}
    kept = {k: v for k, v in values.items() if v is not None or k not in required}
    return kept, status, "save" if sent else "forecast" if check else None


def _daypart_fields(c: Campaign | None) -> tuple[list[int], str]:
    """Days, From, To and Time zone; the hours of the week they make (see ads/dayparts.py) and
    the zone. Hours set through the API that are not one daily window are kept as they are
    until days are chosen here."""
    stored = frozenset(c.daypart_hours) if c else frozenset()
    weekly = as_weekly(stored) if stored else None
    days, start, end = weekly if weekly else (frozenset(), 0, 24)
    zones = zone_names()
    zone_now = c.timezone if c else "UTC"
    cols = st.columns([3, 1, 1, 2])
    chosen = cols[0].multiselect(
        f"{LABELS['daypart_hours']} (optional)",
        list(range(7)),
        default=sorted(days),
        format_func=DAY_NAMES.__getitem__,
        placeholder="Every day, all day",
        help=_DAYPART_HELP,
    )
    hour_label = "{:02d}:00".format
    first = cols[1].selectbox("From", list(range(24)), index=start, format_func=hour_label)
    last = cols[2].selectbox(
        "To", list(range(1, 25)), index=(end or 24) - 1, format_func=hour_label
    )
    zone = cols[3].selectbox(
        LABELS["timezone"], zones, index=zones.index(zone_now) if zone_now in zones else 0
    )
    if stored and weekly is None:
        st.caption(
            f"Set through the API: {describe(DaypartSpec(stored, zone_now))}. "
            "Choose days to replace them."
        )
        if not chosen:
            return sorted(stored), zone
    return (sorted(weekly_hours(set(chosen), first, last)) if chosen else []), zone


def _verification_fields(c: Campaign | None) -> list[dict[str, str]]:
    """The first verification vendor's fields (emptied: removed); any more set through the API
    are kept as they are."""
    stored = list(c.verifications) if c else []
    first = stored[0] if stored else None
    with st.expander(f"{LABELS['verifications']} (optional)", expanded=first is not None):
        cols = st.columns([2, 3])
        vendor = cols[0].text_input(
            "Verification vendor",
            value=first.vendor if first else "",
            placeholder="company.com-omid",
            help=_VERIFICATION_HELP,
        )
        script = cols[1].text_input(
            "Verification script URL",
            value=first.script_url if first else "",
            placeholder="https://cdn.vendor.example/omid-validation.js",
        )
        parameters = st.text_input(
            "Verification parameters", value=first.parameters if first else ""
        )
        if len(stored) > 1:
            st.caption(f"{len(stored) - 1} more set through the API: kept as they are.")
    rest = [spec.model_dump() for spec in stored[1:]]
    if not vendor.strip() and not script.strip():
        return rest
    return [{"vendor": vendor, "script_url": script, "parameters": parameters}, *rest]


def _check(values: dict[str, Any], campaign: Campaign | None) -> CampaignCreate | list[str]:
    """The form as the API's schema, or the problems to fix (named by their labels)."""
    problems = []
    if sum(values.get(field) is None for field in _CAP_FIELDS) == 1:
        # The schema says so too, but naming its fields, and only once the rest is valid.
        problems.append(_CAP_HALF)
        values = {**values, **dict.fromkeys(_CAP_FIELDS)}
    try:
        body = CampaignCreate.model_validate(values)
    except ValidationError as exc:
        return [*problems, *ui.validation_messages(exc, LABELS)]
    if campaign is not None and body.budget_total < campaign.budget_spent:
        spent = formatting.money(campaign.budget_spent)
        problems.append(
            f"**{LABELS['budget_total']}**: cannot be lower than what is spent ({spent})"
        )
    return problems or body


def _differs(stored: Any, entered: Any) -> bool:
    """Whether a form value changes the stored one (times compare to the minute, as shown)."""
    if isinstance(stored, datetime) and isinstance(entered, datetime):
        return formatting.naive_utc(stored) != formatting.naive_utc(entered)
    return bool(stored != entered)


def _changes(body: CampaignCreate, campaign: Campaign) -> CampaignUpdate:
    """Only what differs from the stored campaign."""
    changed = {
        field: value
        for field, value in body.model_dump().items()
        if _differs(getattr(campaign, field), value)
    }
    return CampaignUpdate.model_validate(changed)


def _save(
    api: AdminApi,
    body: CampaignCreate,
    status: CampaignStatus,
    campaign: Campaign | None,
    *,
    copy_from: uuid.UUID | None = None,
) -> None:
    """Send the form (then copy the creatives of ``copy_from``); on success go to the campaign,
    else say why next to the form."""
    try:
        if campaign is None:
            saved = api.create_campaign(body)
            message = f"Campaign {formatting.quoted(saved.name)} created."
        else:
            update = _changes(body, campaign)
            saved = (
                api.update_campaign(campaign.id, update) if update.model_fields_set else campaign
            )
            message = f"Campaign {formatting.quoted(saved.name)} saved."
    except ApiError as exc:
        if exc.status == 401:
            raise
        ui.show_api_error(exc, action="save the campaign", labels=LABELS)
        return
    session.notify(message)
    if copy_from is not None:
        _copy_creatives(api, saved.id, copy_from)
    if status is not saved.status:
        try:
            api.set_status(saved.id, status)
        except ApiError as exc:
            if exc.status == 401:
                raise
            session.notify(
                f"Saved, but not {formatting.CAMPAIGN_STATUS[status].label.lower()}: {exc.message}",
                icon=":material/warning:",
            )
    st.switch_page(ui.CAMPAIGN, query_params={"id": str(saved.id)})


def _copy_creatives(api: AdminApi, campaign_id: uuid.UUID, source: uuid.UUID) -> None:
    try:
        copied = api.copy_creatives(campaign_id, from_campaign_id=source)
    except ApiError as exc:
        if exc.status == 401:
            raise
        session.notify(
            f"Saved, but its creatives were not copied: {exc.message}", icon=":material/warning:"
        )
        return
    count = len(copied.creatives)
    text = f"{count} creative{'' if count == 1 else 's'} copied"
    if copied.skipped:
        text += f"; {copied.skipped} still processing or failed, left out"
    session.notify(f"{text}.")


def _copied(api: AdminApi) -> Campaign | None:
    """The settings to start from when the page was opened to duplicate a campaign (``?copy=``)."""
    source_id = ui.campaign_id_param("copy")
    if source_id is None:
        return None
    try:
        source = api.get_campaign(source_id)
    except ApiError as exc:
        if exc.status != 404:
            raise
        st.warning("The campaign to copy no longer exists: starting from an empty form.")
        return None
    return duplicate(source, now=datetime.now(UTC))


def _forecast(api: AdminApi, values: dict[str, Any], campaign: Campaign | None) -> None:
    """The forecast for the dates and budget on the form (what is left of it, when editing)."""
    try:
        start, end = (values[k].replace(tzinfo=UTC) for k in ("start_date", "end_date"))
        budget, cpm = values["budget_total"], values["cpm"]
    except KeyError:
        st.info("Enter the budget, the CPM and the dates to see the forecast.")
        return
    left = budget - campaign.budget_spent if campaign else budget
    try:
        result = api.forecast(
            start=start,
            end=end,
            budget=max(left, Decimal("0.01")),
            cpm=cpm,
            targeting={name: values.get(name, []) for name in forecast_panel.TARGETING},
            timezone=values.get("timezone", "UTC"),
        )
    except ApiError as exc:
        ui.report_api_error(exc, action="forecast these dates", labels=LABELS)
        return
    st.markdown(
        f"**Forecast**, {formatting.day(result.start)} → {formatting.day(result.end)}",
        help=forecast_panel.HELP,
    )
    forecast_panel.show(result)


def render() -> None:
    api = session.api()
    campaign_id = ui.campaign_id_param()
    campaign = api.get_campaign(campaign_id) if campaign_id else None
    template = None if campaign else _copied(api)
    copy_creatives = False
    if campaign is None:
        st.title("New campaign")
        if template is not None:
            st.caption(
                "A copy of the campaign's settings. "
                "New campaigns start as drafts unless you activate them here."
            )
            copy_creatives = st.checkbox(
                "Copy its creatives too (files copied; their review state kept)",
                value=True,
                key="campaign-form-copy-creatives",
            )
        else:
            st.caption("New campaigns start as drafts unless you activate them here.")
    else:
        st.title("Edit campaign")
        st.caption(formatting.md(campaign.name))
    with st.container(key="campaign-form"):
        values, status, sent = _fields(campaign, template=template)
    if sent == "forecast":
        _forecast(api, values, campaign)
    elif sent == "save":
        checked = _check(values, campaign)
        if isinstance(checked, list):
            st.error(
                "Please fix:\n" + "\n".join(f"- {m}" for m in checked), icon=":material/error:"
            )
        else:
            copy_from = template.id if template is not None and copy_creatives else None
            _save(api, checked, status, campaign, copy_from=copy_from)
    back = (ui.CAMPAIGN, {"id": str(campaign.id)}) if campaign else (ui.CAMPAIGNS, None)
    st.page_link(back[0], label="Cancel", icon=":material/arrow_back:", query_params=back[1])


if __name__ == "__main__":
    render()
