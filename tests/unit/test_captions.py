"""Caption files: what is accepted, what WebVTT is stored, and what is refused with which line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.captions import (
    MAX_CAPTION_BYTES,
    CaptionsRejected,
    caption_language,
    read_captions,
)

THIRTY_S = 30_000
VTT = b"""WEBVTT - spring spot

NOTE written by the agency

STYLE
::cue { color: yellow }

intro
00:00.500 --> 00:03.000 line:85%
Spring is here & so are <b>savings</b>.

00:00:03.000 --> 00:00:29.900
- Thirty percent off.
- <i>Everything?</i>
"""


def rejected(data: bytes, *, duration_ms: int = THIRTY_S) -> CaptionsRejected:
    with pytest.raises(CaptionsRejected) as caught:
        read_captions(data, duration_ms=duration_ms)
    return caught.value


def test_webvtt_is_kept_as_written() -> None:
    captions = read_captions(VTT, duration_ms=THIRTY_S)
    assert (captions.cues, captions.last_end_ms, captions.source_format) == (2, 29_900, "webvtt")
    assert captions.text == VTT.decode()


def test_webvtt_loses_only_its_byte_order_mark_and_carriage_returns() -> None:
    windows = b"\xef\xbb\xbf" + VTT.replace(b"\n", b"\r\n")
    assert read_captions(windows, duration_ms=THIRTY_S).text == VTT.decode()
    old_mac = VTT.replace(b"\n", b"\r")
    assert read_captions(old_mac, duration_ms=THIRTY_S).text == VTT.decode()


def test_subrip_becomes_webvtt() -> None:
    srt = (
        b'1\r\n00:00:01,000 --> 00:00:02,5\r\n<font color="#ff0">Bold</font> &amp; <B>brave</B>'
        b"\r\n\r\n2\r\n00:00:03,000 --> 00:00:05,250 X1:10 X2:20\r\n{\\an8}on top: 1 < 2 --> 3\r\n"
    )
    captions = read_captions(srt, duration_ms=THIRTY_S)
    assert (captions.cues, captions.last_end_ms, captions.source_format) == (2, 5_250, "srt")
    assert captions.text == (
        "WEBVTT\n\n"
        "1\n00:00:01.000 --> 00:00:02.500\nBold &amp;amp; <b>brave</b>\n\n"
        "2\n00:00:03.000 --> 00:00:05.250\non top: 1 &lt; 2 --&gt; 3\n"
    )
    # What was converted is WebVTT this module accepts as it is.
    again = read_captions(captions.text.encode(), duration_ms=THIRTY_S)
    assert (again.text, again.cues, again.source_format) == (captions.text, 2, "webvtt")


def test_a_cue_may_run_a_little_past_the_end_but_not_start_after_it() -> None:
    assert read_captions(b"WEBVTT\n\n00:29.000 --> 00:31.000\nbye\n", duration_ms=THIRTY_S)
    late = rejected(b"WEBVTT\n\n00:29.000 --> 00:31.001\nbye\n")
    assert late.message == "line 3: the cue runs to 00:00:31.001, past the ad's end at 00:00:30.000"
    after = rejected(b"WEBVTT\n\n00:30.000 --> 00:30.500\nbye\n")
    assert "past the ad's end" in after.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfeW\x00E\x00", "captions must be UTF-8 text (byte 0 is not)"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nhi\x00\n", "the file holds NUL bytes"),
        (b"\x00\x00\x00\x18ftypmp42", "the file holds NUL bytes"),  # an MP4 renamed .vtt
        (b"<tt xmlns='http://www.w3.org/ns/ttml'/>", "not a caption file"),
        (b"", "not a caption file"),
        (b"WEBVTT\n", "the file holds no cues"),
        (b"WEBVTT\n00:01.000 --> 00:02.000\nhi\n", "line 2: WebVTT wants a blank line"),
        (b"WEBVTT\n\n00:01.000 -> 00:02.000\nhi\n", "line 3: a cue without a timing line"),
        (b"WEBVTT\n\nid\nsecond line\n00:01.000 --> 00:02.000\n", "line 3: a cue without"),
        (b"WEBVTT\n\n00:01.000 --> 00:02\nhi\n", "line 3: the timing must read"),
        (b"WEBVTT\n\n00:61.000 --> 00:62.000\nhi\n", "line 3: the timing must read"),
        (b"WEBVTT\n\n00:02.000 --> 00:01.000\nhi\n", "line 3: the cue ends at or before"),
        (b"WEBVTT\n\n00:01.000 --> 00:01.000\nhi\n", "line 3: the cue ends at or before"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nhi --> there\n", "line 4: cue text holds '-->'"),
        (
            b"WEBVTT\n\n00:05.000 --> 00:06.000\na\n\n00:04.000 --> 00:07.000\nb\n",
            "line 6: the cue starts before the cue above it",
        ),
        (b"1\n00:00:01.000\nhi\n", "line 2: the timing must read 00:00:01,000"),
        (b"1\n00:00:01,000 --> 00:00:02,000\n\nhello\n", "line 4: a SubRip cue is a number"),
    ],
)
def test_what_is_refused_says_why_and_where(data: bytes, message: str) -> None:
    error = rejected(data)
    assert error.status_code == 422 and error.code == "captions_invalid"
    assert error.details == [{"field": "file", "message": error.message}]
    assert message in error.message


def test_a_note_block_may_not_hide_a_timing() -> None:
    for note in (b"NOTE a", b"NOTE"):
        error = rejected(b"WEBVTT\n\n" + note + b"\n00:01.000 --> 00:02.000\nhi\n")
        assert error.message == "line 3: a NOTE block holds '-->'"
    # A cue may be named like a block keyword: it is a cue, by its timing line.
    named = read_captions(
        b"WEBVTT\n\nNOTEWORTHY\n00:01.000 --> 00:02.000\nhi\n", duration_ms=THIRTY_S
    )
    assert named.cues == 1


def test_too_big_or_too_many_cues_are_refused() -> None:
    assert "limited to 256 KiB" in rejected(b"WEBVTT\n\n" + b" " * MAX_CAPTION_BYTES).message
    cues = b"".join(
        b"%02d:%02d.%03d --> %02d:%02d.%03d\nx\n\n"
        % (0, n // 1000, n % 1000, 0, n // 1000, n % 1000 + 1)
        for n in range(0, 2_001 * 2, 2)
    )
    error = rejected(b"WEBVTT\n\n" + cues, duration_ms=60_000)
    assert "more than 2000 cues" in error.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("en", "en"),
        (" EN ", "en"),
        ("es-mx", "es-MX"),
        ("pt_BR", "pt-BR"),
        ("es-419", "es-419"),
        ("ZH-HANT-tw", "zh-Hant-TW"),
        ("yue", "yue"),
    ],
)
def test_languages_are_stored_in_bcp_47_cases(raw: str, expected: str) -> None:
    assert caption_language(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "e", "english", "../en", "en/../../etc", "en-", "en-USA1", "<b>en</b>", "e n"]
)
def test_other_languages_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(CaptionsRejected) as caught:
        caption_language(raw)
    assert caught.value.details == [{"field": "language", "message": caught.value.message}]


@given(st.binary(max_size=600))
def test_any_bytes_are_captions_or_a_clear_refusal(data: bytes) -> None:
    try:
        captions = read_captions(data, duration_ms=THIRTY_S)
    except CaptionsRejected as exc:
        refusal = exc.message
    else:
        assert captions.text.startswith("WEBVTT") and captions.cues >= 1
        return
    assert refusal


@given(st.lists(st.text(min_size=1, max_size=40).filter(lambda t: t.strip()), max_size=5))
def test_any_subrip_text_converts_to_webvtt_this_module_accepts(lines: list[str]) -> None:
    text = [line.replace("\r", " ").replace("\n", " ").replace("\x00", " ") for line in lines]
    srt = "1\n00:00:01,000 --> 00:00:02,000\n" + "\n".join(t for t in text if t.strip()) + "\n"
    converted = read_captions(srt.encode(), duration_ms=THIRTY_S)
    assert "-->" not in converted.text.split("\n", 4)[-1]
    assert read_captions(converted.text.encode(), duration_ms=THIRTY_S).cues == 1
