"""A creative's settings on the campaign page: pause and resume, its rotation weight, its name,
its own schedule within the campaign's flight, its skip offset and its industry id
(``PATCH /creatives/{id}``)."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from ads.creatives import MAX_NAME_LENGTH, MAX_WEIGHT
from ads.universal_ad_id import KNOWN_REGISTRIES
from dashboard import components as ui
from dashboard import formatting, session
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import Creative

WEIGHT_HELP = (
    "How often it plays against the campaign's other creatives that fit a break: weight 3 "
    "plays three times as often as weight 1. All equal: an even rotation."
)


SKIP_HELP = (
    "Players that can offer a Skip button show it the seconds set below into the ad (VAST "
    "skipoffset). Unticked: not skippable, as TV ads usually are. Skipped ads still count "
    "their impression; the skip is reported."
)


INDUSTRY_ID_HELP = (
    "The spot's id in an industry registry, which players, server-side ad insertion and "
    "measurement vendors know it by across ad servers: its Ad-ID code in the US (ad-id.org, "
    "e.g. ABCD0123456H), its Clearcast clock number in the UK. Sent as VAST <UniversalAdId> "
    "beside this ad server's own id. Emptied: only the ad server's own id."
)


SCHEDULE_HELP = (
    "A seasonal or dated spot: it plays only between these moments (UTC), within the "
    "campaign's flight. A side left empty is the flight's own start or end; untick to clear."
)


def state(creative: Creative, *, weighted: bool) -> None:
    """Paused, its weight where the campaign's creatives do not all have the same one, its
    schedule if it has one, and whether it can be skipped."""
    if creative.paused:
        st.badge("Paused", color="gray", icon=":material/pause_circle:")
    if weighted:
        st.badge(f"Weight {creative.weight}", color="blue", icon=":material/balance:")
    span = formatting.schedule(creative.starts_at, creative.ends_at)
    if span is not None:
        st.badge(f"Runs {span}", color="violet", icon=":material/event:")
    if creative.skip_offset_s is not None:
        st.badge(
            f"Skippable after {creative.skip_offset_s:g} s",
            color="orange",
            icon=":material/skip_next:",
        )
    if creative.universal_ad_id is not None:
        named = formatting.md(str(creative.universal_ad_id))  # ids may hold ] * _ and the like
        st.badge(named, color="gray", icon=":material/tag:")


def controls(api: AdminApi, creative: Creative) -> None:
    """Pause or resume at once; rename and reweight in a popover."""
    if creative.paused:
        if st.button("Resume", icon=":material/play_circle:", key=f"resume-{creative.id}"):
            _save(api, creative, "resumed: players get it again", paused=False)
    elif st.button("Pause", icon=":material/pause_circle:", key=f"pause-{creative.id}"):
        _save(api, creative, "paused: players no longer get it", paused=True)
    with st.popover("Settings", icon=":material/tune:"):
        name = st.text_input(
            "Name", value=creative.name, max_chars=MAX_NAME_LENGTH, key=f"name-{creative.id}"
        )
        weight = st.number_input(
            "Rotation weight",
            min_value=1,
            max_value=MAX_WEIGHT,
            value=creative.weight,
            help=WEIGHT_HELP,
            key=f"weight-{creative.id}",
        )
        skip_offset = None
        # A tag's own ad server says whether its ads skip. Streamlit gives an emptied number
        # back as its default: the box clears the offset.
        if not creative.vast_tag_url and st.checkbox(
            "Skippable",
            value=creative.skip_offset_s is not None,
            help=SKIP_HELP,
            key=f"skippable-{creative.id}",
        ):
            longest = max(0.5, (creative.duration_ms or 0) / 1000 - 0.5)
            skip_offset = st.number_input(
                "Skip button after (seconds)",
                min_value=0.5,
                max_value=longest,
                value=creative.skip_offset_s or min(5.0, longest),
                step=0.5,
                key=f"skip-{creative.id}",
            )
        industry = None if creative.vast_tag_url else _industry_id(creative)
        starts_at = ends_at = None
        # Streamlit gives an emptied date back as its default: a schedule is cleared by this box.
        if st.checkbox(
            "Own schedule",
            value=creative.starts_at is not None or creative.ends_at is not None,
            help=SCHEDULE_HELP,
            key=f"scheduled-{creative.id}",
        ):
            starts, ends = st.columns(2)
            starts_at = starts.datetime_input(
                "Runs from (UTC)", value=_shown(creative.starts_at), key=f"starts-{creative.id}"
            )
            ends_at = ends.datetime_input(
                "Runs until (UTC)", value=_shown(creative.ends_at), key=f"ends-{creative.id}"
            )
        if st.button("Save", type="primary", key=f"save-creative-{creative.id}"):
            _save(
                api,
                creative,
                "saved",
                name=name,
                weight=int(weight),
                starts_at=_sent(starts_at),
                ends_at=_sent(ends_at),
                **(
                    {}
                    if creative.vast_tag_url
                    else {"skip_offset_s": skip_offset, "universal_ad_id": industry}
                ),
            )


def _industry_id(creative: Creative) -> dict[str, str] | None:
    """The registry (one offered, or any other typed in) and the id; None while the id is
    empty. The API checks both (an Ad-ID code's form, a registry's name)."""
    stored = creative.universal_ad_id
    registries = list(KNOWN_REGISTRIES)
    if stored is not None and stored.registry not in registries:
        registries.append(stored.registry)
    registry_column, value_column = st.columns([2, 3])
    registry = registry_column.selectbox(
        "Industry ID registry",
        registries,
        index=registries.index(stored.registry) if stored else 0,
        accept_new_options=True,
        help=INDUSTRY_ID_HELP,
        key=f"registry-{creative.id}",
    )
    value = value_column.text_input(
        "Industry ID",
        value=stored.value if stored else "",
        max_chars=100,
        placeholder="ABCD0123456H",
        key=f"industry-id-{creative.id}",
    )
    if not value.strip() or not registry:
        return None
    return {"registry": registry, "value": value}


def _shown(moment: datetime | None) -> datetime | None:
    return None if moment is None else formatting.naive_utc(moment)


def _sent(moment: datetime | None) -> str | None:
    """An input's naive UTC value as the API takes it."""
    return None if moment is None else moment.replace(tzinfo=UTC).isoformat()


def _save(api: AdminApi, creative: Creative, done: str, **changes: object) -> None:
    try:
        saved = api.update_creative(creative.id, **changes)
    except ApiError as exc:
        ui.report_api_error(exc, action="change the creative")
        return
    session.notify(f"Creative {formatting.quoted(saved.name)} {done}.")
    st.rerun()
