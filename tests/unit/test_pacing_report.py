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
    noon_of_the_3rd = START + timedelta(days=2)
    report = pacing_report(even, spend, basis_spend=Decimal(0), now=noon_of_the_3rd)
    assert [(d.day, d.spent, d.planned) for d in report.days] == [
        (date(2026, 3, 1), Decimal("40.00"), Decimal("50")),
        (date(2026, 3, 2), Decimal("40.00"), Decimal("150")),  # a day without delivery
        (date(2026, 3, 3), Decimal("110.50"), Decimal("200")),  # today: planned by now
        (date(2026, 3, 4), None, Decimal("300")),  # to come: the plan alone
    ]
    assert report.budget_total == Decimal(300) and report.pacing == "even"
    ended = pacing_report(even, spend, basis_spend=Decimal(0), now=START + timedelta(days=30))
    assert [(d.spent, d.planned) for d in ended.days][-1] == (Decimal("110.50"), Decimal(300))
    ahead = pacing_report(even, {}, basis_spend=Decimal(0), now=START - timedelta(hours=1))
    assert [(d.spent, d.planned) for d in ahead.days] == [
        (None, Decimal(50)),
        (None, Decimal(150)),
        (None, Decimal(250)),
        (None, Decimal(300)),
    ]


def test_asap_has_no_plan() -> None:
    asap = campaign(1, pacing="asap", start_date=START, end_date=START + timedelta(days=2))
    report = pacing_report(asap, {}, basis_spend=Decimal(0), now=START + timedelta(hours=13))
    assert [(d.spent, d.planned) for d in report.days] == [
        (Decimal(0), None),
        (Decimal(0), None),
        (None, None),
    ]


def test_the_report_projects_from_the_flights_spend() -> None:
    # 300.00 over three days from noon; 110.50 spent by noon of the 3rd, 40.00 of it today and
    # 60.00 in the last 24 hours: 60.00 more by the end, 170.50 of 300.00.
    even = campaign(
        1, budget_total=Decimal(300), start_date=START, end_date=START + timedelta(days=3)
    )
    spend = {date(2026, 3, 1): Decimal("70.50"), date(2026, 3, 3): Decimal(40)}
    now = START + timedelta(days=2)
    report = pacing_report(even, spend, basis_spend=Decimal(60), now=now)
    assert report.projection is not None
    assert report.projection.spend_at_end == Decimal("170.50")
    assert report.projection.share_of_budget == float(Decimal("170.50") / 300)
    young = pacing_report(even, spend, basis_spend=Decimal(60), now=START + timedelta(hours=2))
    assert young.projection is None
