"""A creative's closed captions on the campaign page: the languages it has, upload a WebVTT or
SubRip file per language, open or remove one (``/creatives/{id}/captions``).

Files are checked here for their type and size before they are sent; the API reads them as a
player would and says what is wrong, and on which line.
"""

from __future__ import annotations

import httpx
import streamlit as st
from streamlit.elements.media import SubtitleData

from ads.captions import MAX_CAPTION_BYTES
from dashboard import components as ui
from dashboard import formatting, session
from dashboard.api_client import AdminApi, ApiError
from dashboard.models import Creative

CAPTION_TYPES = ["vtt", "srt"]
LANGUAGE_HELP = (
    "The language of the captions, as an ISO 639 code with an optional region: en, es, "
    "es-MX, fr-CA, pt-BR. A second file in a language replaces the first."
)
_SOURCES = {"webvtt": "WebVTT", "srt": "SubRip (converted)"}


def subtitles(creative: Creative) -> SubtitleData:
    """The creative's captions by language, for the preview player to show (None without any,
    or while none can be read)."""
    tracks: SubtitleData = {c.language: text for c in creative.captions if (text := _webvtt(c.url))}
    return tracks or None


@st.cache_data(max_entries=256, ttl=600, show_spinner=False)
def _webvtt(url: str) -> str | None:
    """A caption file's text (a new upload is a new URL, so a file read once stays right)."""
    try:
        response = httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return None
    if response.status_code != 200 or not response.text.startswith("WEBVTT"):
        return None
    return response.text


def state(creative: Creative) -> None:
    """A badge naming the languages the creative is captioned in."""
    if creative.captions:
        languages = ", ".join(c.language for c in creative.captions)
        st.badge(f"CC {languages}", color="green", icon=":material/closed_caption:")


def panel(api: AdminApi, creative: Creative) -> None:
    """The creative's captions, and for editors an upload form and removal."""
    with st.expander(f"Captions ({len(creative.captions)})", icon=":material/closed_caption:"):
        if creative.captions:
            st.dataframe(
                [
                    {
                        "Language": c.language,
                        "Cues": c.cues,
                        "Uploaded as": _SOURCES.get(c.source_format, c.source_format),
                        "By": c.uploaded_by or "—",
                        "When": formatting.moment(c.uploaded_at) if c.uploaded_at else "—",
                        "File": c.url,
                    }
                    for c in creative.captions
                ],
                hide_index=True,
                column_config={"File": st.column_config.LinkColumn(display_text="Open")},
            )
            st.caption("Players get them with the ad (VAST 4.1 and later, and JSON).")
        else:
            st.caption(
                "No captions yet. Captioned ads reach viewers who watch with the sound off "
                "or cannot hear it."
            )
        if session.can_edit():
            _upload_form(api, creative)
            _remove(api, creative)


def upload_problem(filename: str, size: int) -> str | None:
    """Why a file cannot be sent as captions, or ``None``."""
    shown = formatting.quoted(filename)
    if filename.rsplit(".", 1)[-1].lower() not in CAPTION_TYPES:
        return f"{shown} is not a caption file: upload WebVTT (.vtt) or SubRip (.srt)."
    if size == 0:
        return f"{shown} is empty."
    if size > MAX_CAPTION_BYTES:
        limit = formatting.file_size(MAX_CAPTION_BYTES)
        return f"{shown} is {formatting.file_size(size)}; caption files are at most {limit}."
    return None


def _upload_form(api: AdminApi, creative: Creative) -> None:
    with st.form(f"captions-{creative.id}", clear_on_submit=True):
        file = st.file_uploader(
            "Caption file (WebVTT or SubRip)",
            type=CAPTION_TYPES,
            key=f"captions-file-{creative.id}",
        )
        language = st.text_input(
            "Language",
            placeholder="en",
            max_chars=20,
            help=LANGUAGE_HELP,
            key=f"captions-language-{creative.id}",
        )
        sent = st.form_submit_button("Upload captions", icon=":material/upload_file:")
    if not sent:
        return
    if file is None or not language.strip():
        st.error("Choose a caption file and say its language.", icon=":material/error:")
        return
    problem = upload_problem(file.name, file.size)
    if problem:
        st.error(problem, icon=":material/error:")
        return
    try:
        saved = api.upload_captions(
            creative.id, language=language, filename=file.name, content=file.getvalue()
        )
    except ApiError as exc:
        ui.report_api_error(exc, action="upload the captions", labels=_LABELS)
        return
    added = ", ".join(c.language for c in saved.captions)
    session.notify(f"Captions saved: {formatting.quoted(saved.name)} now has {added}.")
    st.rerun()


_LABELS = {"file": "Caption file", "language": "Language"}


def _remove(api: AdminApi, creative: Creative) -> None:
    if not creative.captions:
        return
    with st.container(horizontal=True):
        for caption in creative.captions:
            if st.button(
                f"Remove {caption.language}",
                icon=":material/delete:",
                key=f"captions-remove-{creative.id}-{caption.language}",
            ):
                try:
                    api.delete_captions(creative.id, caption.language)
                except ApiError as exc:
                    ui.report_api_error(exc, action="remove the captions")
                    return
                session.notify(f"Captions in {caption.language} removed.")
                st.rerun()
