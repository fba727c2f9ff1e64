"""How numbers, dates and statuses read on every page (US English, amounts in dollars, UTC)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from ads.campaigns import CampaignStatus, Pacing
from ads.creative_review import ReviewStatus
from ads.geo import place_name
from ads.loudness import LoudnessReport, LoudnessVerdict
from ads.platforms import LABELS as PLATFORM_LABELS
from ads.platforms import Platform
from ads.priority import Priority
from ads.roles import Role
from ads.separation import TIER1_CATEGORIES, family
from dashboard.models import CreativeStatus

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")

BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "primary"]


@dataclass(frozen=True, slots=True)
class StatusStyle:
    label: str
    color: BadgeColor
    icon: str


CAMPAIGN_STATUS: dict[CampaignStatus, StatusStyle] = {
    CampaignStatus.DRAFT: StatusStyle("Draft", "gray", ":material/edit_note:"),
    CampaignStatus.ACTIVE: StatusStyle("Active", "green", ":material/play_circle:"),
    CampaignStatus.PAUSED: StatusStyle("Paused", "orange", ":material/pause_circle:"),
    CampaignStatus.COMPLETED: StatusStyle("Completed", "blue", ":material/task_alt:"),
}
PACING: dict[Pacing, str] = {Pacing.EVEN: "Even", Pacing.ASAP: "As fast as possible"}
PRIORITY: dict[Priority, StatusStyle] = {
    Priority.SPONSORSHIP: StatusStyle("Sponsorship", "violet", ":material/workspace_premium:"),
    Priority.STANDARD: StatusStyle("Standard", "gray", ":material/campaign:"),
    Priority.HOUSE: StatusStyle("House", "blue", ":material/home:"),
}
ROLE: dict[Role, StatusStyle] = {
    Role.ADMIN: StatusStyle("Admin", "violet", ":material/shield_person:"),
    Role.EDITOR: StatusStyle("Editor", "blue", ":material/edit:"),
    Role.VIEWER: StatusStyle("Viewer", "gray", ":material/visibility:"),
}
ROLE_HELP: dict[Role, str] = {
    Role.ADMIN: "manages the team and every campaign",
    Role.EDITOR: "creates and changes campaigns and creatives",
    Role.VIEWER: "reads campaigns, creatives and reports; changes nothing",
}
CREATIVE_STATUS: dict[CreativeStatus, StatusStyle] = {
    CreativeStatus.PROCESSING: StatusStyle("Processing", "orange", ":material/hourglass_top:"),
    CreativeStatus.ACTIVE: StatusStyle("Ready", "green", ":material/check_circle:"),
    CreativeStatus.FAILED: StatusStyle("Failed", "red", ":material/error:"),
}
REVIEW_STATUS: dict[ReviewStatus, StatusStyle] = {
    ReviewStatus.APPROVED: StatusStyle("Approved", "green", ":material/verified:"),
    ReviewStatus.PENDING: StatusStyle("Awaiting review", "orange", ":material/pending:"),
    ReviewStatus.REJECTED: StatusStyle("Rejected", "red", ":material/block:"),
}


def money(value: float | Decimal | None) -> str:
    """``$1,234.56``; ``—`` when unknown."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(float(value)):,.2f}"


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def percent(fraction: float | None) -> str:
    """A ratio (0.125) as ``12.5%``."""
    return "—" if fraction is None else f"{fraction * 100:.1f}%"


def frequency(value: float | None) -> str:
    """Impressions per device reached (2.345) as ``2.3x``; ``—`` when no device was reached."""
    return "—" if not value else f"{value:.1f}x"


def file_size(size_bytes: int | None) -> str:
    if size_bytes is None:
        return "—"
    size = float(size_bytes)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def duration(milliseconds: int | None) -> str:
    """``0:06`` style (minutes:seconds), with tenths under ten seconds: ``6.0 s``."""
    if milliseconds is None:
        return "—"
    seconds = milliseconds / 1000
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def day(value: datetime) -> str:
    """``Mar 3, 2025`` (in UTC)."""
    utc = value.astimezone(UTC)
    return f"{utc:%b} {utc.day}, {utc.year}"


def moment(value: datetime) -> str:
    """``Mar 3, 2025 14:05 UTC``."""
    return f"{day(value)} {value.astimezone(UTC):%H:%M} UTC"


def naive_utc(value: datetime) -> datetime:
    """``value`` in UTC without its zone, to the minute: what Streamlit's datetime inputs take."""
    return value.astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)


def schedule(starts_at: datetime | None, ends_at: datetime | None) -> str | None:
    """A creative's own schedule in words (None without one): ``Dec 20, 2026 00:00 UTC to Dec
    27, 2026 06:00 UTC``, ``from …`` or ``until …``."""
    if starts_at is not None and ends_at is not None:
        return f"{moment(starts_at)} to {moment(ends_at)}"
    if starts_at is not None:
        return f"from {moment(starts_at)}"
    if ends_at is not None:
        return f"until {moment(ends_at)}"
    return None


def category(code: str) -> str:
    """``IAB2 · Automotive``; a subcategory shows its family's name: ``IAB2-3 · Automotive``."""
    return f"{code} · {TIER1_CATEGORIES.get(family(code), 'Unknown')}"


def place(code: str) -> str:
    """``United States (US)``, ``California, US (US-CA)``: an ISO 3166 place a campaign targets
    (ads/geo.py); an unknown code (typed, not yet checked) as typed."""
    name = place_name(code)
    return code if name == code else f"{name} ({code})"


def platform(name: str) -> str:
    """``Roku``, ``Amazon Fire TV``…: a device platform (ads/platforms.py) as marketers know it."""
    try:
        return PLATFORM_LABELS[Platform(name)]
    except ValueError:  # a platform this dashboard is older than
        return name


def md(text: str) -> str:
    """``text`` escaped for Streamlit markdown (labels, captions): shown as typed, never styled."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def quoted(name: str) -> str:
    """A user-given name inside a message: in curly quotes, escaped for markdown."""
    return f"“{md(name)}”"


def lufs(value: float) -> str:
    return f"{value:.1f} LUFS"


def loudness(report: LoudnessReport) -> tuple[str, bool]:
    """A sentence on a creative's loudness, and whether its team should act on it (the
    renditions could not be brought to the target)."""
    target = lufs(report.target_lufs)
    if report.source_verdict is LoudnessVerdict.SILENT:
        return "No sound: players get a silent audio track.", False
    uploaded = f"Uploaded at {lufs(report.source_lufs)}"
    if report.served_lufs is None or report.served_verdict is None:
        return f"{uploaded}; the renditions are being brought to {target}.", False
    served = lufs(report.served_lufs)
    if report.served_verdict is not LoudnessVerdict.ON_TARGET:
        off = report.served_lufs - report.target_lufs
        why = {
            "peak": f": louder would peak over {report.max_true_peak_dbtp:g} dBTP",
            "max_gain": ": raising it further would bring up its noise",
        }.get(report.limited_by or "", "")
        side = "over" if off > 0 else "under"
        return f"{uploaded}; players hear {served}, {abs(off):.1f} dB {side} {target}{why}.", True
    gain = report.gain_db or 0.0
    if abs(gain) < 0.05:
        return f"Loudness {served}, on the {target} target.", False
    turned = "down" if gain < 0 else "up"
    return f"{uploaded}; turned {turned} {abs(gain):.1f} dB to {served} (target {target}).", False
