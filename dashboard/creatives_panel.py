"""A campaign's creatives: drag-and-drop MP4 upload with visible progress, third-party VAST
tags, previews, review state (and, for admins, approval), deletion.

Files are checked here before a byte is sent (MP4 by name and by its ``ftyp`` box, at most
100 MB); the API checks them again for real. Creatives still transcoding refresh on their own.
"""

from __future__ import annotations

import time
import uuid
from typing import IO

import streamlit as st
from pydantic import ValidationError
from streamlit.delta_generator import DeltaGenerator

from ads.creative_review import ReviewPolicy, ReviewStatus, initial_review
from ads.creatives import VastTagCreate
from ads.roles import Role
from config.settings import get_settings
from dashboard import components as ui
from dashboard import creative_captions, creative_settings, formatting, review_panel, session
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import Campaign, Creative, CreativeStatus

MAX_UPLOAD_MB = 100
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
PROCESSING_WAIT_SECONDS = 60.0
REFRESH_SECONDS = 2.0


def upload_problem(filename: str, size: int, head: bytes) -> str | None:
    """Why a file cannot be uploaded, or ``None``; ``head`` is its first bytes (≥ 8)."""
    shown = formatting.quoted(filename)
    if not filename.lower().endswith(".mp4"):
        return f"{shown} is not an MP4 file: only .mp4 videos can be uploaded."
    if size == 0:
        return f"{shown} is empty."
    if size > MAX_UPLOAD_BYTES:
        return f"{shown} is {formatting.file_size(size)}; the limit is {MAX_UPLOAD_MB} MB."
    if head[4:8] != b"ftyp":
        return f"{shown} does not look like an MP4 video (no ftyp box at its start)."
    return None


def _follow_processing(api: AdminApi, creative: Creative, bar: DeltaGenerator) -> Creative:
    """Poll a new creative until it is processed (or a minute has passed)."""
    deadline = time.monotonic() + PROCESSING_WAIT_SECONDS
    while creative.status is CreativeStatus.PROCESSING and time.monotonic() < deadline:
        bar.progress(min(max(creative.progress, 0.0), 1.0), text="Transcoding renditions…")
        time.sleep(0.5)
        creative = api.get_creative(creative.id)
    return creative


def _upload(
    api: AdminApi, campaign: Campaign, *, name: str, filename: str, content: IO[bytes], size: int
) -> None:
    """Send the file, then follow its processing, all inside one status box."""
    with st.status(f"Uploading {formatting.quoted(filename)}…", expanded=True) as box:
        bar = st.progress(0.0, text="Uploading…")
        last_percent = -1

        def on_progress(sent: int) -> None:
            nonlocal last_percent
            percent = min(100, sent * 100 // max(size, 1))
            if percent != last_percent:
                last_percent = percent
                text = f"Uploading… {formatting.file_size(sent)} of {formatting.file_size(size)}"
                bar.progress(percent / 100, text=text)

        try:
            creative = api.upload_creative(
                campaign.id, name=name, filename=filename, content=content, on_progress=on_progress
            )
            box.update(label=f"Processing {formatting.quoted(creative.name)}…")
            creative = _follow_processing(api, creative, bar)
        except ApiError as exc:
            if exc.status == 401:
                raise
            box.update(label=f"Upload failed: {exc.message}", state="error")
            return
        shown = formatting.quoted(creative.name)
        if creative.status is CreativeStatus.ACTIVE:
            bar.progress(1.0, text="Ready")
            box.update(label=f"{shown} is ready", state="complete", expanded=False)
        elif creative.status is CreativeStatus.FAILED:
            box.update(label=f"{shown} failed: {creative.error}", state="error")
        else:
            box.update(label=f"{shown} is still processing", state="complete")


def _upload_form(api: AdminApi, campaign: Campaign) -> bool:
    """The drop zone; returns whether a file was sent."""
    with st.form(f"upload-{campaign.id}", clear_on_submit=True):
        file = st.file_uploader(
            f"Video (MP4, up to {MAX_UPLOAD_MB} MB)",
            type=["mp4"],
            max_upload_size=MAX_UPLOAD_MB,
            help="Drag and drop an MP4 file here, or browse for one.",
        )
        name = st.text_input(
            "Creative name", placeholder="Defaults to the file name", max_chars=255
        )
        _review_note(third_party=False)
        sent = st.form_submit_button("Upload creative", type="primary", icon=":material/upload:")
    if not sent:
        return False
    if file is None:
        st.error("Choose an MP4 file to upload first.", icon=":material/error:")
        return False
    problem = upload_problem(file.name, file.size, file.getbuffer()[:8].tobytes())
    if problem:
        st.error(problem, icon=":material/error:")
        return False
    title = name.strip() or file.name.rsplit(".", 1)[0]
    _upload(api, campaign, name=title, filename=file.name, content=file, size=file.size)
    return True


def _review_note(*, third_party: bool) -> None:
    """Say so when what this user adds will wait for an admin (the server's CREATIVE_REVIEW)."""
    policy = ReviewPolicy(get_settings().creative_review)
    if (
        initial_review(policy, third_party=third_party, maker=session.role())
        is ReviewStatus.PENDING
    ):
        kind = "third-party tags" if third_party else "uploads"
        st.caption(f"An admin approves {kind} before players get them.")


_TAG_HELP = (
    "A VAST tag of another ad server (an SSP, the advertiser's own ad server). Players get a "
    "VAST Wrapper: they fetch the tag for the ad and fire this campaign's tracking beside the "
    "tag's own, so impressions, completions and spend count here as for an uploaded video. "
    "IAB macros in it, such as [CACHEBUSTING], are filled by the player."
)


def _tag_form(api: AdminApi, campaign: Campaign) -> bool:
    """A third-party VAST tag as a creative; returns whether one was added."""
    with (
        st.expander("Add a third-party VAST tag", icon=":material/link:"),
        st.form(f"vast-tag-{campaign.id}", clear_on_submit=True),
    ):
        url = st.text_input(
            "VAST tag URL",
            placeholder="https://ads.example.com/vast?cb=[CACHEBUSTING]",
            help=_TAG_HELP,
        )
        cols = st.columns([3, 2])
        name = cols[0].text_input("Tag name", placeholder="e.g. SSP backfill", max_chars=255)
        longest = get_settings().max_creative_duration_s  # what the API takes
        seconds = cols[1].number_input(
            "Ad length (seconds)",
            min_value=1.0,
            max_value=longest,
            value=min(30.0, longest),
            step=5.0,
        )
        _review_note(third_party=True)
        sent = st.form_submit_button("Add VAST tag", icon=":material/add_link:")
    if not sent:
        return False
    try:
        tag = VastTagCreate(name=name, vast_tag_url=url, duration_s=seconds)
    except ValidationError as exc:
        st.error("\n\n".join(ui.validation_messages(exc, _TAG_LABELS)), icon=":material/error:")
        return False
    try:
        added = api.add_vast_tag(campaign.id, tag)
    except ApiError as exc:
        ui.show_api_error(exc, action="add the VAST tag", labels=_TAG_LABELS)
        return False
    waits = added.review_status is ReviewStatus.PENDING
    session.notify(
        f"VAST tag {formatting.quoted(added.name)} added"
        + (": it is served once an admin approves it." if waits else ".")
    )
    return True


_TAG_LABELS = {"name": "Tag name", "vast_tag_url": "VAST tag URL", "duration_s": "Ad length"}


def _facts(creative: Creative) -> str:
    if creative.vast_tag_url:
        return f"{formatting.duration(creative.duration_ms)} · third-party VAST tag"
    parts = [formatting.duration(creative.duration_ms), formatting.file_size(creative.size_bytes)]
    if creative.width and creative.height:
        parts.append(f"{creative.width}x{creative.height}")
    codecs = " + ".join(c for c in (creative.video_codec, creative.audio_codec) if c)
    if codecs:
        parts.append(codecs)
    if creative.bitrate_kbps:
        parts.append(f"{creative.bitrate_kbps:,.0f} kbps")
    return " · ".join(parts)


def _loudness(creative: Creative) -> None:
    if creative.loudness is None:
        return
    text, warn = formatting.loudness(creative.loudness)
    if warn:
        st.warning(text, icon=":material/volume_up:")
    else:
        st.caption(f":material/graphic_eq: {text}")


def _renditions(creative: Creative) -> None:
    with st.expander(f"Renditions ({len(creative.renditions)})"):
        if not creative.renditions:
            st.caption("No renditions yet.")
            return
        st.dataframe(
            [
                {
                    "Rendition": r.name,
                    "Size": f"{r.width}x{r.height}" if r.width and r.height else "—",
                    "Bitrate (kbps)": r.bitrate_kbps,
                    "Loudness (LUFS)": r.loudness_lufs,
                    "Codec": r.codec or "—",
                    "Type": r.mime or "—",
                    "URL": r.url,
                }
                for r in creative.renditions
            ],
            hide_index=True,
            column_config={
                "Bitrate (kbps)": st.column_config.NumberColumn(format="%d"),
                "Loudness (LUFS)": st.column_config.NumberColumn(format="%.1f"),
                "URL": st.column_config.LinkColumn(display_text="Open"),
            },
        )


def _delete(api: AdminApi, creative: Creative) -> None:
    with st.popover("Delete", icon=":material/delete:"):
        st.markdown(f"Delete **{formatting.md(creative.name)}**? Players stop receiving it.")
        if st.button("Delete creative", type="primary", key=f"delete-creative-{creative.id}"):
            api.delete_creative(creative.id)
            session.notify(f"Creative {formatting.quoted(creative.name)} deleted.")
            st.rerun()


def show_preview(creative: Creative, *, tag_caption: str) -> None:
    """The video once encoded (with its captions), or a third-party tag's URL under
    ``tag_caption``."""
    if creative.vast_tag_url:
        st.caption(tag_caption)
        st.code(creative.vast_tag_url, language=None, wrap_lines=True)
    elif creative.url and creative.status is CreativeStatus.ACTIVE:
        st.video(creative.url, subtitles=creative_captions.subtitles(creative))
    else:
        st.caption("The preview appears once the video is processed.")


def _card(api: AdminApi, creative: Creative, *, weighted: bool) -> None:
    with st.container(border=True, key=f"creative-{creative.id}"):
        preview, about = st.columns([2, 3], gap="medium")
        with preview:
            show_preview(creative, tag_caption="Served as a VAST Wrapper of this tag:")
        with about:
            with st.container(horizontal=True, vertical_alignment="center"):
                st.markdown(f"**{formatting.md(creative.name)}**")
                ui.creative_badge(creative.status)
                if creative.review_status is not ReviewStatus.APPROVED:
                    ui.review_badge(creative.review_status)
                creative_settings.state(creative, weighted=weighted)
                creative_captions.state(creative)
            st.caption(_facts(creative))
            _loudness(creative)
            review_panel.state(creative)
            if creative.status is CreativeStatus.PROCESSING:
                st.progress(min(max(creative.progress, 0.0), 1.0), text="Transcoding renditions…")
            elif creative.status is CreativeStatus.FAILED:
                st.error(creative.error or "Processing failed.", icon=":material/error:")
            if not creative.vast_tag_url:
                _renditions(creative)
                creative_captions.panel(api, creative)
            if session.role() is Role.ADMIN:
                review_panel.controls(api, creative)
            if session.can_edit():
                with st.container(horizontal=True):
                    creative_settings.controls(api, creative)
                    _delete(api, creative)


def _draw(api: AdminApi, creatives: list[Creative]) -> None:
    if not creatives:
        hint = " Upload an MP4 or add a VAST tag above." if session.can_edit() else ""
        st.info(f"No creatives yet.{hint}")
    weighted = len({c.weight for c in creatives}) > 1
    for creative in creatives:
        _card(api, creative, weighted=weighted)


def _follow(campaign_id: uuid.UUID) -> None:
    """Fragment body: redraw the creatives every few seconds while some are processing."""
    api = session.api()
    try:
        creatives = api.list_creatives(campaign_id)
    except ApiError as exc:  # a fragment's errors do not reach the app's handler
        ui.report_api_error(exc, action="refresh the creatives")
        return
    if not any(c.status is CreativeStatus.PROCESSING for c in creatives):
        st.rerun()  # processing is over: redraw the whole page, which stops the timer
    _draw(api, creatives)


def render(api: AdminApi, campaign: Campaign) -> None:
    """The creatives section of the campaign page."""
    st.subheader("Creatives")
    try:
        creatives = api.list_creatives(campaign.id)
    except ApiError as exc:
        if exc.status != 404:
            raise
        st.info("Creative upload is not available on this server yet.", icon=":material/info:")
        return
    if session.can_edit():
        uploaded = _upload_form(api, campaign)
        tagged = _tag_form(api, campaign)  # drawn whether or not a file was just sent
        if uploaded or tagged:
            creatives = api.list_creatives(campaign.id)
    if any(c.status is CreativeStatus.PROCESSING for c in creatives):
        st.fragment(run_every=REFRESH_SECONDS)(_follow)(campaign.id)
    else:
        _draw(api, creatives)
