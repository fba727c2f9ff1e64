"""The log-level export's CSV: one row per beacon, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ads.errors import InvalidInput
from ads.event_log import COLUMNS, MAX_DAYS, LoggedEvent, export_days, filename, header, rows
from ads.events import ad_serving_id_of

SERVED = datetime(2026, 12, 6, 23, 59, 30, tzinfo=UTC)
CREATIVE = uuid.UUID(int=5)


def event(**changes: object) -> LoggedEvent:
    values: dict[str, object] = {
        "served_at": SERVED,
        "received_at": datetime(2026, 12, 7, 0, 0, 1, 250000, tzinfo=UTC),
        "event": "impression",
        "ad_serving_id": "a" * 32,
        "request_id": "req-1",
        "creative_id": CREATIVE,
        "cost": Decimal("0.012500"),
        "error_code": None,
        "place": "US-CA",
        "user_agent": "Roku/DVP-12.5 (12.5.0.4142-AE)",
        **changes,
    }
    return LoggedEvent(**values)  # type: ignore[arg-type]


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(header() + text)))


def test_a_counted_beacon_is_a_row_of_its_fields_and_platform() -> None:
    (row,) = parsed(rows([event()]))
    assert list(row) == list(COLUMNS)
    assert row == {
        "served_at": "2026-12-06T23:59:30+00:00",
        "received_at": "2026-12-07T00:00:01.250000+00:00",
        "event": "impression",
        "ad_serving_id": "a" * 32,
        "request_id": "req-1",
        "creative_id": str(CREATIVE),
        "cost": "0.012500",
        "error_code": "",
        "place": "US-CA",
        "platform": "roku",
        "user_agent": "Roku/DVP-12.5 (12.5.0.4142-AE)",
        "counted": "true",
        "invalid_reason": "",
    }


def test_an_invalid_beacon_says_why_and_blanks_stay_blank() -> None:
    robot = event(
        event="error",
        cost=Decimal(0),
        error_code=405,
        request_id=None,
        creative_id=None,
        place=None,
        user_agent=None,
        invalid_reason="robot",
    )
    (row,) = parsed(rows([robot]))
    assert (row["counted"], row["invalid_reason"], row["cost"]) == ("false", "robot", "0.00")
    assert (row["error_code"], row["platform"], row["user_agent"]) == ("405", "", "")
    assert (row["request_id"], row["creative_id"], row["place"]) == ("", "", "")


def test_text_a_spreadsheet_would_run_is_quoted_and_commas_stay_in_their_cell() -> None:
    hostile = event(user_agent='=HYPERLINK("http://x.example"),"a,b"', request_id="+1-2")
    (row,) = parsed(rows([hostile]))
    assert row["user_agent"] == '\'=HYPERLINK("http://x.example"),"a,b"'
    assert row["request_id"] == "'+1-2"
    assert len(parsed(rows([hostile, event(), event()]))) == 3


def test_the_file_is_named_by_campaign_and_days() -> None:
    day = date(2026, 12, 6)
    assert filename(CREATIVE, day) == f"events_{CREATIVE}_2026-12-06.csv"
    assert filename(CREATIVE, day, day) == f"events_{CREATIVE}_2026-12-06.csv"
    assert filename(CREATIVE, day, date(2026, 12, 7)) == (
        f"events_{CREATIVE}_2026-12-06_to_2026-12-07.csv"
    )


def test_an_export_covers_a_range_of_past_days_up_to_a_month() -> None:
    today = date(2026, 12, 7)
    assert export_days(today, today, today=today) == [today]
    month = export_days(date(2026, 11, 7), today, today=today)
    assert len(month) == MAX_DAYS and month[0] == date(2026, 11, 7) and month[-1] == today
    for first, last, says in [
        (today, date(2026, 12, 6), "ends before its first day"),
        (date(2026, 11, 6), today, "at most 31 days"),
        (today, date(2026, 12, 8), "ends in the future"),
        (date(2026, 12, 8), date(2026, 12, 8), "ends in the future"),
    ]:
        with pytest.raises(InvalidInput, match=says):
            export_days(first, last, today=today)


def test_the_ad_serving_id_is_read_off_a_stored_event_id() -> None:
    assert ad_serving_id_of("ab12:impression") == "ab12"
    assert ad_serving_id_of("ab12:firstQuartile~1765065600000-3") == "ab12"
