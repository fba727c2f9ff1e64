"""The dashboard's pure pieces: formatting, upload checks, the VAST tag, the API client's errors."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from ads.campaigns import BulkStatusResult, CampaignStatus, StatusOutcome, StatusResult
from ads.forecast import Forecast
from ads.history import processed_changes
from ads.loudness import Loudness, LoudnessPolicy, Normalization, loudness_report
from ads.team_history import TeamAction, TeamChange
from ads.vmap import PASSED_ON, ScheduleRequest, ad_breaks
from dashboard import formatting, metrics
from dashboard.api_client import AdminApi, ApiError
from dashboard.creative_captions import upload_problem as caption_problem
from dashboard.creatives_panel import MAX_UPLOAD_BYTES, upload_problem
from dashboard.delivery_hours import busiest, heatmap, week_grid
from dashboard.forecast_panel import verdict
from dashboard.models import Campaign, CampaignChange, PerformanceRow
from dashboard.tags import vast_tag_url, vmap_tag_url
from dashboard.views.campaign_detail import _change_text as campaign_change_text
from dashboard.views.campaign_form import duplicate, key_value_lines, parse_key_values
from dashboard.views.campaigns import bulk_outcome
from dashboard.views.team import change_text
from tests.dashboard.helpers import TAG_MACROS

MP4_HEAD = b"\x00\x00\x00\x20ftypisom"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "$0.00"), (1234.5, "$1,234.50"), (Decimal("1000000"), "$1,000,000.00"), (-3, "-$3.00")],
)
def test_money(value: float | Decimal, shown: str) -> None:
    assert formatting.money(value) == shown
    assert formatting.money(None) == "—"


def test_numbers_sizes_durations_and_dates() -> None:
    assert formatting.count(1234567) == "1,234,567"
    assert formatting.percent(0.1234) == "12.3%"
    assert formatting.frequency(2.345) == "2.3x" and formatting.frequency(0.0) == "—"
    assert formatting.file_size(512) == "512 B"
    assert formatting.file_size(5 * 1024 * 1024) == "5.0 MB"
    assert formatting.duration(6000) == "6.0 s"
    assert formatting.duration(95_000) == "1:35"
    moment = datetime(2025, 3, 3, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert formatting.day(moment) == "Mar 4, 2025"  # shown in UTC
    assert formatting.moment(moment) == "Mar 4, 2025 04:30 UTC"


def test_markdown_in_names_is_shown_as_typed() -> None:
    assert formatting.md("**big** [x](javascript:y) :red[z] $1") == (
        r"\*\*big\*\* \[x\]\(javascript\:y\) \:red\[z\] \$1"
    )


@pytest.mark.parametrize(
    ("name", "size", "head", "problem"),
    [
        ("spot.mp4", 10_000, MP4_HEAD, None),
        ("SPOT.MP4", MAX_UPLOAD_BYTES, MP4_HEAD, None),
        ("spot.mov", 10_000, MP4_HEAD, "not an MP4 file"),
        ("spot.mp4", 0, b"", "is empty"),
        ("spot.mp4", MAX_UPLOAD_BYTES + 1, MP4_HEAD, "the limit is 100 MB"),
        ("notes.mp4", 10_000, b"hello world!", "does not look like an MP4"),
    ],
)
def test_upload_checks(name: str, size: int, head: bytes, problem: str | None) -> None:
    found = upload_problem(name, size, head)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_vast_tag_url() -> None:
    cid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    base = "https://ads.example.com/api/v1/vast"
    assert vast_tag_url("https://ads.example.com/", cid) == (
        f"{base}?campaign_id=12345678-1234-5678-1234-567812345678&{TAG_MACROS}"
    )
    assert vast_tag_url("https://ads.example.com", cid, max_duration_s=15, max_ads=1) == (
        f"{base}?campaign_id=12345678-1234-5678-1234-567812345678&max_duration=15&{TAG_MACROS}"
    )
    assert vast_tag_url("https://ads.example.com", max_duration_s=120, max_ads=4) == (
        f"{base}?max_duration=120&max_ads=4&{TAG_MACROS}"
    )
    assert vast_tag_url("https://ads.example.com", max_duration_s=0) == f"{base}?{TAG_MACROS}"
    blocked = vast_tag_url("https://ads.example.com", blocked_categories=["IAB8-5", "IAB26"])
    assert blocked == f"{base}?blocked_categories=IAB8-5,IAB26&{TAG_MACROS}"
    sports = vast_tag_url("https://ads.example.com", max_ads=4, content_categories=["IAB17"])
    assert sports == f"{base}?max_ads=4&content_cat=IAB17&{TAG_MACROS}"
    kids = vast_tag_url("https://ads.example.com", max_ads=4, child_directed=True)
    assert kids == f"{base}?max_ads=4&coppa=1&{TAG_MACROS}"


def test_vmap_tag_url_is_read_back_as_the_schedule_it_describes() -> None:
    url = vmap_tag_url(
        "https://ads.example.com/",
        content_minutes=45,
        midroll_every_minutes=15,
        preroll=False,
        postroll=True,
        break_s=90,
        max_ads=3,
        content_categories=["IAB17"],
    )
    assert url == (
        "https://ads.example.com/api/v1/vmap?content_duration=2700&midroll_every=900&preroll=0"
        f"&break_duration=90&max_ads=3&content_cat=IAB17&{TAG_MACROS}"
    )
    query = dict(parse_qsl(urlsplit(url).query))
    breaks = ad_breaks(ScheduleRequest.model_validate(query))
    assert [b.time_offset for b in breaks] == ["00:15:00.000", "00:30:00.000", "end"]
    assert set(PASSED_ON) >= {"content_cat", "ifa", "app_bundle", "ua"}  # what the tag sets


def _client(handler: httpx.MockTransport) -> AdminApi:
    return AdminApi(httpx.Client(base_url="http://api.test/admin", transport=handler), token="t")


def test_api_errors_carry_status_code_message_and_fields() -> None:
    body = {
        "error": {
            "code": "invalid_input",
            "message": "request validation failed",
            "details": [{"field": "budget_total", "message": "must be greater than 0"}],
        }
    }
    api = _client(httpx.MockTransport(lambda request: httpx.Response(422, json=body)))
    with pytest.raises(ApiError) as caught:
        api.list_campaigns()
    assert (caught.value.status, caught.value.code) == (422, "invalid_input")
    assert caught.value.field_errors == [("budget_total", "must be greater than 0")]

    api = _client(httpx.MockTransport(lambda request: httpx.Response(502, text="<html>")))
    with pytest.raises(ApiError) as caught:
        api.dashboard()
    assert (caught.value.status, caught.value.code) == (502, "http_error")

    api = _client(httpx.MockTransport(lambda request: httpx.Response(200, json={"rows": 1})))
    with pytest.raises(ApiError) as caught:
        api.performance(start=datetime.now(UTC), end=datetime.now(UTC))
    assert caught.value.code == "bad_response"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ApiError) as caught:
        _client(httpx.MockTransport(refuse)).profile()
    assert (caught.value.status, caught.value.code) == (503, "unreachable")


def test_requests_carry_the_token_and_report_upload_progress() -> None:
    seen: list[httpx.Request] = []
    creative = {
        "id": str(uuid.uuid4()),
        "campaign_id": str(uuid.uuid4()),
        "name": "spot",
        "status": "processing",
    }

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(201, json={"creative": creative})

    progress: list[int] = []
    data = MP4_HEAD + bytes(300_000)
    uploaded = _client(httpx.MockTransport(answer)).upload_creative(
        uuid.uuid4(),
        name="spot",
        filename="spot.mp4",
        content=io.BytesIO(data),
        on_progress=progress.append,
    )
    assert uploaded.name == "spot"
    assert seen[0].headers["authorization"] == "Bearer t"
    assert data in seen[0].content
    assert progress[-1] == len(data) and progress == sorted(progress)


def _campaign_json(**fields: object) -> dict[str, object]:
    now = datetime.now(UTC)
    campaign: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "name": "Spring",
        "description": "",
        "status": "active",
        "budget_total": 100.0,
        "budget_spent": 25.0,
        "budget_remaining": 75.0,
        "cpm": 10.0,
        "pacing": "even",
        "daily_cap": None,
        "start_date": (now - timedelta(days=2)).isoformat(),
        "end_date": (now + timedelta(days=2)).isoformat(),
        "click_through_url": None,
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
    }
    campaign.update(fields)
    return campaign


def test_figures_fall_back_to_campaigns_while_reports_are_missing() -> None:
    campaigns = [_campaign_json(), _campaign_json(status="draft", budget_spent=5.0)]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/campaigns"):
            page = {"campaigns": campaigns, "total": 2, "limit": 200, "offset": 0}
            return httpx.Response(200, json=page)
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "Not Found"}})

    api = _client(httpx.MockTransport(answer))
    summary, live = metrics.overview(api)
    assert not live
    assert (summary.totals.campaigns, summary.totals.active_campaigns) == (2, 1)
    assert summary.totals.spend == 30.0 and summary.totals.impressions == 0
    assert [d.day for d in summary.series] == metrics.last_days(7)
    rows, live = metrics.performance(api, start=datetime.now(UTC), end=datetime.now(UTC))
    assert not live
    assert [(r.name, r.impressions, r.budget_remaining) for r in rows] == [
        ("Spring", 0, 75.0),
        ("Spring", 0, 75.0),
    ]
    page = api.list_campaigns()
    assert metrics.impressions_by_campaign(api, page.campaigns) is None


def test_performance_sums_per_advertiser_as_the_ad_server_compares_names() -> None:
    def row(name: str, advertiser: str | None, impressions: int, spend: float) -> PerformanceRow:
        return PerformanceRow(
            campaign_id=uuid.uuid4(),
            name=name,
            status="active",
            impressions=impressions,
            completes=impressions // 2,
            clicks=impressions // 100,
            spend=spend,
            advertiser=advertiser,
        )

    rows = [
        row("a", "Acme Motors", 1000, 10.0),
        row("b", "acme  MOTORS", 3000, 30.0),
        row("c", None, 500, 2.5),
        row("d", "Brew Co", 0, 0.0),
    ]
    acme, none, brew = metrics.by_advertiser(rows)
    assert (acme.advertiser, acme.campaigns, acme.impressions, acme.spend) == (
        "Acme Motors",
        2,
        4000,
        40.0,
    )
    assert (acme.vcr, acme.ctr, acme.ecpm) == (0.5, 0.01, 10.0)
    assert (none.advertiser, none.impressions) == (metrics.NO_ADVERTISER, 500)
    assert (brew.impressions, brew.vcr, brew.ecpm) == (0, 0.0, 0.0)


def test_a_copy_of_an_ended_flight_starts_now_as_long() -> None:
    now = datetime(2026, 6, 1, 12, 30, 45, tzinfo=UTC)
    source = Campaign.model_validate(
        {
            "id": uuid.uuid4(),
            "name": "x" * 255,
            "status": "completed",
            "budget_total": 100,
            "budget_spent": 100,
            "cpm": 10,
            "start_date": now - timedelta(days=40),
            "end_date": now - timedelta(days=10),
            "pacing": "even",
            "description": "",
            "budget_remaining": 0,
            "daily_cap": None,
            "click_through_url": None,
            "created_at": now - timedelta(days=41),
            "updated_at": now - timedelta(days=10),
        }
    )
    copy = duplicate(source, now=now)
    assert copy.name == ("Copy of " + "x" * 255)[:255]
    assert copy.start_date == datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
    assert copy.end_date - copy.start_date == timedelta(days=30)
    running = source.model_copy(update={"end_date": now + timedelta(days=1)})
    assert duplicate(running, now=now).start_date == source.start_date


@pytest.mark.parametrize(
    ("history", "needed", "kind", "says"),
    [
        (0, 1000, "info", "No ad requests counted yet"),
        (168, None, "info", "At CPM 0"),
        (168, 400, "success", "The 500 unsold breaks expected by Dec 13, 2026 cover the 400"),
        (168, 900, "warning", "only 500 breaks expected by Dec 13, 2026 are unsold"),
        (168, 5000, "error", "more than the 2,000 ad requests expected by Dec 13, 2026 in all"),
    ],
)
def test_forecast_verdict_compares_the_budget_with_the_breaks(
    history: int, needed: int | None, kind: str, says: str
) -> None:
    result = Forecast(
        start=datetime(2026, 12, 6, tzinfo=UTC),
        end=datetime(2026, 12, 13, 12, tzinfo=UTC),
        history_hours=history,
        requests=2000,
        paid_filled=1500,
        unsold=500,
        impressions_needed=needed,
    )
    shown_kind, text = verdict(result)
    assert shown_kind == kind and says in text


def test_forecast_verdict_weighs_the_breaks_the_targeting_reaches() -> None:
    result = Forecast(
        start=datetime(2026, 12, 6, tzinfo=UTC),
        end=datetime(2026, 12, 13, 12, tzinfo=UTC),
        history_hours=168,
        requests=2000,
        paid_filled=1500,
        unsold=500,
        impressions_needed=300,
        targeted_share=0.2,
        targeted_samples=1000,
        targeted_requests=400,
        targeted_unsold=100,
    )
    assert verdict(result) == (
        "warning",
        "The remaining budget buys 300 impressions; only 100 breaks expected by Dec 13, 2026 "
        "are unsold. The rest must be won from running campaigns (priority and remaining budget "
        "decide the draw).",
    )


@pytest.mark.parametrize(
    ("action", "changes", "says"),
    [
        ("added", {"role": [None, "editor"]}, "added **ana@x\\.example** as editor"),
        ("removed", {}, "removed **ana@x\\.example**"),
        ("restored", {}, "restored **ana@x\\.example** as an active admin with a new password"),
        (
            "changed",
            {"role": ["viewer", "admin"], "active": [True, False], "password": [None, "set"]},
            "changed **ana@x\\.example**: role viewer → admin, deactivated, new password",
        ),
        ("changed", {"active": [False, True]}, "changed **ana@x\\.example**: reactivated"),
    ],
)
def test_team_history_in_words(action: str, changes: dict[str, list[object]], says: str) -> None:
    change = TeamChange(
        user_id=uuid.uuid4(),
        email="ana@x.example",
        at=datetime(2026, 12, 6, tzinfo=UTC),
        actor="admin@x.example",
        action=TeamAction(action),
        changes=changes,
    )
    assert change_text(change) == says


def test_a_completion_by_the_ad_server_says_why() -> None:
    change = CampaignChange(
        at=datetime(2026, 12, 7, tzinfo=UTC),
        actor="ad server (automatic)",
        action="status",
        changes={"status": ["active", "completed"], "reason": [None, "the flight ended"]},
    )
    assert campaign_change_text(change) == "Status: active → completed (the flight ended)"
    spent = change.model_copy(
        update={"changes": {**change.changes, "spent": [None, "90.00"], "budget": [None, "100.00"]}}
    )
    assert campaign_change_text(spent) == (
        "Status: active → completed "
        f"({formatting.md('the flight ended; 90.00 of 100.00 spent (90%)')})"
    )


def test_a_creative_added_says_whether_it_awaits_review() -> None:
    def added(review: str) -> CampaignChange:
        return CampaignChange(
            at=datetime(2026, 12, 7, tzinfo=UTC),
            actor="ed@team.example.com",
            action="creative_added",
            changes={"creative": [None, "Spot"], "review": [None, review]},
        )

    assert campaign_change_text(added("pending")) == (
        f"added creative {formatting.quoted('Spot')} (awaiting review)"
    )
    assert campaign_change_text(added("approved")) == f"added creative {formatting.quoted('Spot')}"


def test_a_delivery_alert_says_the_spend_against_the_plan() -> None:
    change = CampaignChange(
        at=datetime(2026, 12, 7, tzinfo=UTC),
        actor="ad server (automatic)",
        action="delivery",
        changes={
            "delivery": ["on plan", "behind plan"],
            "spent": [None, "12.00"],
            "planned": [None, "30.00"],
        },
    )
    assert campaign_change_text(change) == formatting.md(
        "delivery behind plan: 12.00 spent of 30.00 planned (40%)"
    )


def test_processing_says_how_many_renditions_or_why_not() -> None:
    def processed(error: str | None) -> CampaignChange:
        return CampaignChange(
            at=datetime(2026, 12, 7, tzinfo=UTC),
            actor="ad server (automatic)",
            action="creative_processed",
            changes=processed_changes("Spot", renditions=3, error=error),
        )

    ready = formatting.md("creative “Spot” ready: 3 renditions")
    assert campaign_change_text(processed(None)) == ready
    assert campaign_change_text(processed("Too short.")) == formatting.md(
        "creative “Spot” could not be processed: Too short."
    )


def test_a_bulk_status_change_is_summed_up_then_each_refusal_named() -> None:
    ids = [uuid.uuid4() for _ in range(4)]
    paused, active = CampaignStatus.PAUSED, CampaignStatus.ACTIVE
    result = BulkStatusResult(
        results=[
            StatusResult(campaign_id=ids[0], outcome=StatusOutcome.CHANGED, status=paused),
            StatusResult(campaign_id=ids[1], outcome=StatusOutcome.UNCHANGED, status=paused),
            StatusResult(
                campaign_id=ids[2],
                outcome=StatusOutcome.REFUSED,
                status=CampaignStatus.COMPLETED,
                message="cannot change status from completed to paused",
            ),
            StatusResult(campaign_id=ids[3], outcome=StatusOutcome.NOT_FOUND, status=None),
        ],
        changed=1,
    )
    names = dict(zip(ids, ["A", "B", "<C>", "D"], strict=True))
    assert bulk_outcome(result, names, paused) == [
        ("1 campaign now paused; 1 paused already.", ":material/check_circle:"),
        (
            "“\\<C\\>” not changed: cannot change status from completed to paused.",  # markdown
            ":material/error:",
        ),
        ("“D” not changed: it no longer exists.", ":material/error:"),
    ]
    none = BulkStatusResult(results=[], changed=0)
    assert bulk_outcome(none, {}, active) == [
        ("0 campaigns now active.", ":material/check_circle:")
    ]


def test_key_values_go_from_form_lines_to_the_api_and_back() -> None:
    text = " genre = comedy, drama \n\nlive=true\ngenre=news\nno equals sign"
    parsed = parse_key_values(text)
    assert parsed == {
        "genre": ["comedy", "drama", "news"],
        "live": ["true"],
        "no equals sign": [],  # the API says what is wrong with it
    }
    assert key_value_lines({"genre": ["comedy", "drama"], "live": ["true"]}) == [
        "genre=comedy,drama",
        "live=true",
    ]
    assert parse_key_values("\n".join(key_value_lines({"a": ["x", "y"]}))) == {"a": ["x", "y"]}


def test_a_key_value_edit_reads_as_the_form_writes_them() -> None:
    change = CampaignChange(
        at=datetime(2026, 12, 7, tzinfo=UTC),
        actor="editor@x.example",
        action="updated",
        changes={"target_keys": [{}, {"live": ["true"], "genre": ["comedy", "drama"]}]},
    )
    assert campaign_change_text(change) == "Key-values: — → genre=comedy,drama; live=true"


A85 = LoudnessPolicy()


@pytest.mark.parametrize(
    ("source", "served", "applied", "sentence", "warn"),
    [
        (Loudness(-70.0, None), [], None, "No sound: players get a silent audio track.", False),
        (
            Loudness(-14.67, -13.7),
            [],
            None,
            "Uploaded at -14.7 LUFS; the renditions are being brought to -24.0 LUFS.",
            False,
        ),
        (
            Loudness(-14.67, -13.7),
            [Loudness(-24.02, -22.3)],
            Normalization(-9.33),
            "Uploaded at -14.7 LUFS; turned down 9.3 dB to -24.0 LUFS (target -24.0 LUFS).",
            False,
        ),
        (
            Loudness(-23.98, -12.0),
            [Loudness(-24.0, -12.1)],
            Normalization(-0.02),
            "Loudness -24.0 LUFS, on the -24.0 LUFS target.",
            False,
        ),
        (
            Loudness(-33.0, -6.0),
            [Loudness(-29.1, -2.1)],
            Normalization(4.0, "peak"),
            "Uploaded at -33.0 LUFS; players hear -29.1 LUFS, 5.1 dB under -24.0 LUFS:"
            " louder would peak over -2 dBTP.",
            True,
        ),
    ],
)
def test_loudness_sentence(
    source: Loudness,
    served: list[Loudness],
    applied: Normalization | None,
    sentence: str,
    warn: bool,
) -> None:
    report = loudness_report(source, served, A85, applied=applied)
    assert report is not None
    assert formatting.loudness(report) == (sentence, warn)


def test_a_creative_schedule_in_words_and_in_the_history() -> None:
    start, end = datetime(2026, 12, 20, tzinfo=UTC), datetime(2026, 12, 27, 6, tzinfo=UTC)
    assert formatting.schedule(None, None) is None
    assert formatting.schedule(start, None) == "from Dec 20, 2026 00:00 UTC"
    assert formatting.schedule(None, end) == "until Dec 27, 2026 06:00 UTC"
    assert formatting.schedule(start, end) == ("Dec 20, 2026 00:00 UTC to Dec 27, 2026 06:00 UTC")
    change = CampaignChange(
        at=datetime(2026, 12, 7, tzinfo=UTC),
        actor="editor@x.example",
        action="creative_updated",
        changes={
            "creative": ["Holiday", "Holiday"],
            "starts_at": [None, start.isoformat()],
            "ends_at": [end.isoformat(), None],
        },
    )
    assert campaign_change_text(change) == (
        "changed creative “Holiday”: runs from Dec 20, 2026 00:00 UTC;"
        " runs until the campaign's end"
    )


@pytest.mark.parametrize(
    ("before", "after", "text"),
    [
        ([], ["en"], "captions added in en"),
        (["en"], ["en", "es-MX", "fr"], "captions added in es\\-MX, fr"),
        (["en", "fr"], ["en"], "captions removed in fr"),
        (["en"], ["fr"], "captions added in fr; captions removed in en"),
        (["en"], ["en"], "captions replaced"),
    ],
)
def test_the_history_says_which_captions_changed(
    before: list[str], after: list[str], text: str
) -> None:
    change = CampaignChange(
        at=datetime(2026, 12, 7, tzinfo=UTC),
        actor="editor@x.example",
        action="creative_updated",
        changes={"creative": ["Spot", "Spot"], "captions": [before, after]},
    )
    assert campaign_change_text(change) == f"changed creative “Spot”: {text}"


@pytest.mark.parametrize(
    ("name", "size", "problem"),
    [
        ("spot.vtt", 2_000, None),
        ("SPOT.SRT", 2_000, None),
        ("spot.mp4", 2_000, "“spot\\.mp4” is not a caption file"),
        ("captions.txt", 2_000, "is not a caption file"),
        ("spot.vtt", 0, "“spot\\.vtt” is empty."),
        ("spot.vtt", 300_000, "caption files are at most 256.0 KB"),
    ],
)
def test_the_caption_form_checks_a_file_before_sending_it(
    name: str, size: int, problem: str | None
) -> None:
    found = caption_problem(name, size)
    assert found is None if problem is None else problem in str(found)


def test_impressions_are_placed_by_weekday_and_hour_on_the_campaigns_clock() -> None:
    new_york = ZoneInfo("America/New_York")
    points = [
        (datetime(2026, 12, 7, 1, tzinfo=UTC), 5),  # Monday 01:00 UTC: Sunday 20:00 in New York
        (datetime(2026, 12, 14, 1, tzinfo=UTC), 7),  # the next Sunday evening
        (datetime(2026, 12, 8, 15, tzinfo=UTC), 3),  # Tuesday 10:00 there
        (datetime(2026, 12, 9, 15, tzinfo=UTC), 0),
    ]
    grid = week_grid(points, new_york)
    assert len(grid) == 7 and all(len(row) == 24 for row in grid)
    assert grid[6][20] == 12 and grid[1][10] == 3
    assert sum(map(sum, grid)) == 15
    assert busiest(grid) == (6, 20, 12)
    assert week_grid(points, ZoneInfo("UTC"))[0][1] == 12  # both Monday 01:00 in UTC
    assert busiest(week_grid([], new_york)) is None
    tie = week_grid([(datetime(2026, 12, 9, 8, tzinfo=UTC), 4), (points[2][0], 4)], ZoneInfo("UTC"))
    assert busiest(tie) == (1, 15, 4)  # the earliest of equals
    figure = heatmap(grid)
    assert list(figure.data[0].y) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert figure.data[0].z[6][20] == 12
