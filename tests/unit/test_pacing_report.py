"""The pacing report: cumulative spend by UTC day against the plan's."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ads.catalog import CatalogCampaign
from ads.pacing_report import flight_days, pacing_report
from tests.unit.catalog_factories import campaign as catalog_campaign

START = datetime(2026, 3, 1, 12, tzinfo=UTC)


def campaign(number: int, **fields: Any) -> CatalogCampaign:
    return catalog_campaign(number, id=str(uuid.uuid4()), **fields)


def test_flight_days_are_the_utc_days_a_range_touches() -> None:
    assert flight_days(START, START + timedelta(hours=12)) == [date(2026, 3, 1)]
    assert flight_days(START, START + timedelta(hours=13)) == [date(2026, 3, 1), date(2026, 3, 2)]
    assert flight_days(START, START) == []


def test_spend_adds_up_day_by_day_against_the_plan_of_the_whole_flight() -> None:
    # 300.00 over three days from noon: 50.00 the first half day, 100.00 a day after.
    even = campaign(
        1, budget_total=Decimal(300), start_date=START, end_date=START + timedelta(days=3)
    )
    spend = {date(2026, 3, 1): Decimal("40.00"), date(2026, 3, 3): Decimal("70.50")}
    report = pacing_report(even, spend, now=START + timedelta(days=2))  # noon of the 3rd
    assert [(d.day, d.spent, d.planned) for d in report.days] == [
        (date(2026, 3, 1), Decimal("40.00"), Decimal("50")),
        (date(2026, 3, 2), Decimal("40.00"), Decimal("150")),  # a day without delivery
        (date(2026, 3, 3), Decimal("110.50"), Decimal("200")),  # today: planned by now
        (date(2026, 3, 4), None, Decimal("300")),  # to come: the plan alone
    ]
    assert report.budget_total == Decimal(300) and report.pacing == "even"
    ended = pacing_report(even, spend, now=START + timedelta(days=30))
    assert [(d.spent, d.planned) for d in ended.days][-1] == (Decimal("110.50"), Decimal(300))
    ahead = pacing_report(even, {}, now=START - timedelta(hours=1))
    assert [(d.spent, d.planned) for d in ahead.days] == [
        (None, Decimal(50)),
        (None, Decimal(150)),
        (None, Decimal(250)),
        (None, Decimal(300)),
    ]


def test_asap_has_no_plan() -> None:
    asap = campaign(1, pacing="asap", start_date=START, end_date=START + timedelta(days=2))
    report = pacing_report(asap, {}, now=START + timedelta(hours=13))
    assert [(d.spent, d.planned) for d in report.days] == [
        (Decimal(0), None),
        (Decimal(0), None),
        (None, None),
    ]
