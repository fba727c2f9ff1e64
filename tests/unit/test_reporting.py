"""Reporting math, ranges, zero-filled series and the CSV export (pure)."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ads.errors import InvalidInput
from ads.reporting import (
    CampaignFigures,
    Counters,
    Granularity,
    Reach,
    ReportRange,
    behind_plan,
    budget_remaining,
    campaign_stats,
    dashboard,
    ecpm,
    fill_series,
    performance_csv,
    performance_filename,
    performance_report,
    rate,
    resolve_range,
    spreadsheet_safe,
    total,
)

NOW = datetime(2025, 3, 10, 10, 30, 15, tzinfo=UTC)
HOUR, DAY = Granularity.HOUR, Granularity.DAY


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


def figures(name: str, *, impressions: int = 0, spend: str = "0") -> CampaignFigures:
    return CampaignFigures(
        id=uuid.uuid4(),
        name=name,
        status="active",
        budget_total=Decimal("100.00"),
        budget_spent=Decimal("40.5"),
        counters=Counters(impressions=impressions, clicks=1, spend=Decimal(spend)),
    )


# --- metrics -----------------------------------------------------------------------------


def test_rates_and_ecpm() -> None:
    assert rate(3, 4) == 0.75
    assert rate(1, 3) == 1 / 3
    assert ecpm(Decimal("0.0375"), 3) == Decimal("12.500000")
    assert ecpm(Decimal("1"), 3) == Decimal("333.333333")
    assert ecpm(Decimal("0.000001"), 7) == Decimal("0.000143")


def test_metrics_are_zero_without_impressions() -> None:
    assert rate(0, 0) == 0.0
    assert rate(5, 0) == 0.0
    assert ecpm(Decimal("12.5"), 0) == Decimal(0)


def test_budget_remaining_never_goes_negative() -> None:
    assert budget_remaining(Decimal("100.00"), Decimal("40.123456")) == Decimal("59.876544")
    assert budget_remaining(Decimal("100.00"), Decimal("100.000001")) == Decimal(0)


def test_counters_add_up_field_by_field() -> None:
    a = Counters(impressions=2, starts=2, completes=1, clicks=1, spend=Decimal("0.025"))
    b = Counters(impressions=3, first_quartiles=3, errors=1, spend=Decimal("0.0375"))
    summed = total([a, b, Counters()])
    assert summed == Counters(
        impressions=5,
        starts=2,
        first_quartiles=3,
        completes=1,
        clicks=1,
        errors=1,
        spend=Decimal("0.0625"),
    )
    assert total([]) == Counters()


def test_campaign_totals_carry_derived_metrics_and_budget() -> None:
    report_range = ReportRange(start=at(10, 22), end=at(11, 1), granularity=HOUR)
    series = fill_series(
        report_range.hours(),
        {
            at(10, 22): Counters(impressions=3, completes=2, clicks=1, spend=Decimal("0.036")),
            at(11, 0): Counters(impressions=1, completes=1, spend=Decimal("0.012")),
        },
    )
    stats = campaign_stats(
        campaign_id=uuid.uuid4(),
        report_range=report_range,
        series=series,
        budget_total=Decimal("10.00"),
        budget_spent=Decimal("10.5"),
        reach=Reach(devices=3, impressions=4),
    )
    body = stats.model_dump(mode="json", by_alias=True)
    assert body["from"] == "2025-03-10T22:00:00Z" and body["to"] == "2025-03-11T01:00:00Z"
    totals = body["totals"]
    assert (totals["impressions"], totals["completes"], totals["clicks"]) == (4, 3, 1)
    assert totals["spend"] == 0.048 and totals["ecpm"] == 12.0
    assert totals["vcr"] == 0.75 and totals["ctr"] == 0.25
    assert totals["budget_remaining"] == 0.0 and totals["budget_spent"] == 10.5
    assert totals["reach"] == 3 and totals["frequency"] == 1.33
    assert [p["bucket"] for p in body["series"]] == [
        "2025-03-10T22:00:00Z",
        "2025-03-10T23:00:00Z",
        "2025-03-11T00:00:00Z",
    ]
    assert body["series"][1]["impressions"] == 0 and body["series"][1]["spend"] == 0.0


@pytest.mark.parametrize(
    ("reach", "shown"),
    [(Reach(), (0, 0.0)), (None, (None, None))],  # None: not counted in time, so null, not 0
)
def test_daily_buckets_serialise_as_dates(
    reach: Reach | None, shown: tuple[int | None, float | None]
) -> None:
    report_range = ReportRange(start=at(1), end=at(3), granularity=DAY)
    stats = campaign_stats(
        campaign_id=uuid.uuid4(),
        report_range=report_range,
        series=fill_series(report_range.days(), {}),
        budget_total=Decimal(1),
        budget_spent=Decimal(0),
        reach=reach,
    )
    body = stats.model_dump(mode="json", by_alias=True)
    assert [p["bucket"] for p in body["series"]] == ["2025-03-01", "2025-03-02"]
    assert body["totals"]["vcr"] == 0.0 and body["totals"]["ecpm"] == 0.0
    assert (body["totals"]["reach"], body["totals"]["frequency"]) == shown


def test_dashboard_totals_are_the_sums_of_its_series() -> None:
    days = ReportRange(start=at(4), end=at(11), granularity=DAY).days()
    series = fill_series(
        days,
        {
            date(2025, 3, 4): Counters(impressions=10, completes=5, clicks=1, spend=Decimal("0.1")),
            date(2025, 3, 10): Counters(impressions=30, completes=5, clicks=3, spend=Decimal("2")),
        },
    )
    board = dashboard(
        campaigns=3, active_campaigns=1, series=series, top_campaigns=[], recent_campaigns=[]
    )
    body = board.model_dump(mode="json")
    assert body["totals"] == {
        "campaigns": 3,
        "active_campaigns": 1,
        "impressions": 40,
        "clicks": 4,
        "completes": 10,
        "spend": 2.1,
        "ctr": 0.1,
        "vcr": 0.25,
    }
    assert [d["day"] for d in body["series"]] == [f"2025-03-{d:02}" for d in range(4, 11)]
    assert body["series"][-1] == {
        "day": "2025-03-10",
        "impressions": 30,
        "completes": 5,
        "clicks": 3,
        "spend": 2.0,
    }


# --- ranges ------------------------------------------------------------------------------


def test_default_range_is_the_last_seven_days_including_today() -> None:
    window = resolve_range(None, None, granularity=DAY, now=NOW)
    assert (window.start, window.end) == (at(4), at(11))
    assert window.days() == [date(2025, 3, d) for d in range(4, 11)]


def test_default_hourly_range_is_168_hours_ending_with_the_current_one() -> None:
    window = resolve_range(None, None, granularity=HOUR, now=NOW)
    hours = window.hours()
    assert len(hours) == 168
    assert hours[0] == at(3, 11) and hours[-1] == at(10, 10)


def test_now_in_another_zone_is_taken_in_utc() -> None:
    new_york_evening = datetime(2025, 3, 10, 21, tzinfo=timezone(timedelta(hours=-5)))
    window = resolve_range(None, None, granularity=DAY, now=new_york_evening)
    assert window.last_day == date(2025, 3, 11)


def test_date_only_to_covers_that_whole_day() -> None:
    window = resolve_range("2025-03-01", "2025-03-01", granularity=DAY, now=NOW)
    assert (window.start, window.end) == (at(1), at(2))
    assert window.days() == [date(2025, 3, 1)]
    march = resolve_range("2025-03-01", "2025-03-31", granularity=DAY, now=NOW)
    assert len(march.days()) == 31


def test_datetime_bounds_widen_to_whole_buckets() -> None:
    window = resolve_range("2025-03-10T21:30:00Z", "2025-03-11T02:10:00", granularity=HOUR, now=NOW)
    assert window.hours() == [at(10, 21), at(10, 22), at(10, 23), at(11, 0), at(11, 1), at(11, 2)]
    exact = resolve_range("2025-03-10T21:00:00Z", "2025-03-11T02:00:00Z", granularity=HOUR, now=NOW)
    assert exact.hours()[0] == at(10, 21) and exact.hours()[-1] == at(11, 1)
    days = resolve_range("2025-03-10T21:30:00Z", "2025-03-12T00:00:00Z", granularity=DAY, now=NOW)
    assert days.days() == [date(2025, 3, 10), date(2025, 3, 11)]


def test_offsets_are_converted_to_utc() -> None:
    window = resolve_range(
        "2025-03-11T01:30:00+02:00", "2025-03-11T03:00:00+02:00", granularity=HOUR, now=NOW
    )
    assert window.hours() == [at(10, 23), at(11, 0)]
    days = resolve_range("2025-03-11T01:00:00+02:00", "2025-03-11", granularity=DAY, now=NOW)
    assert days.days() == [date(2025, 3, 10), date(2025, 3, 11)]


def test_only_from_runs_to_now_and_only_to_reaches_back_seven_days() -> None:
    since = resolve_range("2025-03-09T08:00:00Z", None, granularity=HOUR, now=NOW)
    assert (since.start, since.end) == (at(9, 8), at(10, 11))
    until = resolve_range(None, "2025-02-28", granularity=DAY, now=NOW)
    assert until.days() == [date(2025, 2, d) for d in range(22, 29)]


def test_buckets_cross_month_and_leap_day_boundaries() -> None:
    leap = resolve_range("2024-02-28", "2024-03-01", granularity=DAY, now=NOW)
    assert leap.days() == [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]
    new_year = resolve_range("2024-12-31T22:00", "2025-01-01T02:00", granularity=HOUR, now=NOW)
    assert [h.isoformat() for h in new_year.hours()] == [
        "2024-12-31T22:00:00+00:00",
        "2024-12-31T23:00:00+00:00",
        "2025-01-01T00:00:00+00:00",
        "2025-01-01T01:00:00+00:00",
    ]


def test_fill_series_keeps_order_and_fills_gaps() -> None:
    hours = [at(10, 23), at(11, 0), at(11, 1)]
    counted = {at(11, 0): Counters(impressions=7), at(12, 0): Counters(impressions=99)}
    assert fill_series(hours, counted) == [
        (at(10, 23), Counters()),
        (at(11, 0), Counters(impressions=7)),
        (at(11, 1), Counters()),
    ]


@pytest.mark.parametrize(
    ("granularity", "raw_from", "raw_to"),
    [
        (HOUR, "2025-01-01", "2025-01-31"),
        (HOUR, "2025-01-01T05:00Z", "2025-02-01T05:00Z"),
        (DAY, "2024-01-01", "2024-12-31"),
        (DAY, "2025-01-01T00:00", "2026-01-02T00:00"),
    ],
)
def test_longest_allowed_ranges(granularity: Granularity, raw_from: str, raw_to: str) -> None:
    window = resolve_range(raw_from, raw_to, granularity=granularity, now=NOW)
    assert window.end - window.start == granularity.max_span


@pytest.mark.parametrize(
    ("granularity", "raw_from", "raw_to", "field", "message"),
    [
        (DAY, "2025-03-10", "2025-03-09", "to", "after"),
        (HOUR, "2025-03-10T10:00Z", "2025-03-10T10:00Z", "to", "after"),
        (HOUR, "2025-03-10T11:00+01:00", "2025-03-10T10:00Z", "to", "after"),
        (HOUR, "2025-03-11", None, "to", "after"),
        (HOUR, "2025-01-01", "2025-02-01", "from", "31 days"),
        (HOUR, "2025-01-01T05:00Z", "2025-02-01T05:00:01Z", "from", "31 days"),
        (DAY, "2024-01-01", "2025-01-01", "from", "366 days"),
        (DAY, "2000-01-01", None, "from", "366 days"),
        (DAY, "2025-13-01", None, "from", "ISO 8601"),
        (DAY, "yesterday", None, "from", "ISO 8601"),
        (DAY, "", None, "from", "ISO 8601"),
        (DAY, None, "2025-03-10T25:00", "to", "ISO 8601"),
        (DAY, None, "10/03/2025", "to", "ISO 8601"),
        (DAY, None, "9999-12-31", "to", "out of range"),
        (DAY, "0001-01-01T00:00+01:00", "0001-01-02", "from", "out of range"),
        (DAY, None, "0001-01-03", "to", "out of range"),
    ],
)
def test_invalid_ranges_are_refused(
    granularity: Granularity, raw_from: str | None, raw_to: str | None, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        resolve_range(raw_from, raw_to, granularity=granularity, now=NOW)
    assert caught.value.status_code == 422
    assert caught.value.details[0]["field"] == field


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Spring = launch", "Spring = launch"),
        ("Café 🎬", "Café 🎬"),
        ("", ""),
        (-5, -5),
        (0.25, 0.25),
    ],
)
def test_spreadsheet_safe_defuses_formulas_in_text_only(value: object, expected: object) -> None:
    assert spreadsheet_safe(value) == expected


def test_performance_csv_round_trips_hostile_names() -> None:
    names = [
        '=cmd|" /C calc"!A0',
        'Comma, "quoted" and\nnewline',
        "Ünïcödé 🎬 — 広告",
        "@mention",
        "plain",
    ]
    rows = [figures(n, impressions=i * 1000, spend=f"{i * 12.5:.6f}") for i, n in enumerate(names)]
    window = ReportRange(start=at(1), end=at(8), granularity=DAY)
    report = performance_report(window, rows)
    text = performance_csv(report)

    assert text.startswith(
        "campaign_id,name,status,impressions,starts,completes,clicks,errors,vcr,ctr,spend,ecpm,"
        "budget_total,budget_spent,budget_remaining,advertiser,reach,frequency,priority,"
        "invalid_impressions\r\n"
    )
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [p["name"] for p in parsed] == [
        '\'=cmd|" /C calc"!A0',
        'Comma, "quoted" and\nnewline',
        "Ünïcödé 🎬 — 広告",
        "'@mention",
        "plain",
    ]
    for parsed_row, row in zip(parsed, report.rows, strict=True):
        expected = row.model_dump(mode="json")
        assert parsed_row["campaign_id"] == str(row.campaign_id)
        assert int(parsed_row["impressions"]) == expected["impressions"]
        assert float(parsed_row["spend"]) == expected["spend"]
        assert float(parsed_row["ecpm"]) == expected["ecpm"]
        assert float(parsed_row["ctr"]) == expected["ctr"]
        assert float(parsed_row["budget_remaining"]) == 59.5
    assert parsed[1]["ecpm"] == "12.5" and parsed[0]["ecpm"] == "0.0"


def test_performance_csv_of_no_campaigns_is_just_the_header() -> None:
    window = ReportRange(start=at(1), end=at(8), granularity=DAY)
    text = performance_csv(performance_report(window, []))
    assert text.count("\r\n") == 1 and text.startswith("campaign_id,")
    assert performance_filename(window) == "performance_2025-03-01_2025-03-07.csv"


def test_performance_rows_keep_the_given_order_and_compute_metrics() -> None:
    window = ReportRange(start=at(1), end=at(2), granularity=DAY)
    report = performance_report(window, [figures("b", impressions=4, spend="0.05"), figures("a")])
    first, second = report.rows
    assert (first.name, first.ctr, first.ecpm) == ("b", 0.25, Decimal("12.500000"))
    assert (second.name, second.ctr, second.vcr, second.ecpm) == ("a", 0.0, 0.0, Decimal(0))
    assert (first.reach, first.frequency) == (None, None)  # not counted
    assert report.model_dump(mode="json", by_alias=True)["from"] == "2025-03-01T00:00:00Z"
    assert window.end - window.start == timedelta(days=1)


def test_reach_counts_devices_and_frequency_is_per_device_reached() -> None:
    assert Reach().frequency == 0.0
    assert Reach(devices=3, impressions=7).frequency == 2.33
    window = ReportRange(start=at(1), end=at(2), granularity=DAY)
    reached = replace(figures("a", impressions=9), reach=Reach(devices=2, impressions=5))
    nobody = replace(figures("b"), reach=Reach())
    (row, zero) = performance_report(window, [reached, nobody]).rows
    assert (row.impressions, row.reach, row.frequency) == (9, 2, 2.5)
    assert (zero.reach, zero.frequency) == (0, 0.0)
    csv_text = performance_csv(performance_report(window, [figures("c")]))
    assert csv_text.splitlines()[1].endswith(",,,standard,0")  # not counted: empty cells
    filtered = replace(figures("d"), invalid_impressions=3)
    assert performance_report(window, [filtered]).rows[0].invalid_impressions == 3


def test_behind_plan_lists_the_campaigns_furthest_behind_first() -> None:
    ids = [uuid.uuid4() for _ in range(5)]
    cpm = Decimal(10)  # ten impressions cost 0.10
    rows = [
        (ids[0], "half", Decimal(50), Decimal(100), cpm),
        (ids[1], "on plan", Decimal(95), Decimal(100), cpm),
        (ids[2], "nothing yet", Decimal(0), Decimal(100), cpm),
        (ids[3], "a few cents short", Decimal("0.00"), Decimal("0.09"), cpm),
        (ids[4], "asap", Decimal(0), None, cpm),
    ]
    behind = behind_plan(rows, limit=5)
    assert [(b.name, b.pace) for b in behind] == [("nothing yet", 0.0), ("half", 0.5)]
    assert behind[1].budget_planned == Decimal(100)
    assert [b.name for b in behind_plan(rows, limit=1)] == ["nothing yet"]
