"""Spend projections: the last 24 hours' rate carried to the end date."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ads.catalog import CatalogCampaign
from ads.dayparts import Daypart, weekly_hours
from ads.projection import FallingShort, Projection, basis, falling_short, project
from tests.unit.catalog_factories import campaign as catalog_campaign

START = datetime(2026, 3, 1, tzinfo=UTC)  # a Sunday
NOW = START + timedelta(days=5, hours=12)  # noon of the 6th day


def campaign(**fields: Any) -> CatalogCampaign:
    fields = {
        "budget_total": Decimal(1000),
        "start_date": START,
        "end_date": START + timedelta(days=10),
        **fields,
    }
    return catalog_campaign(1, **fields)


def at_rate(made: CatalogCampaign, *, spent: int, basis_spend: int) -> Projection:
    """``made``'s projection at NOW, nothing spent today."""
    projection = project(
        made,
        spent=Decimal(spent),
        spent_today=Decimal(0),
        basis_spend=Decimal(basis_spend),
        now=NOW,
    )
    assert projection is not None
    return projection


def test_the_basis_is_the_24_complete_hours_before_the_current_one() -> None:
    assert basis(NOW + timedelta(minutes=59)) == (NOW - timedelta(days=1), NOW)


def test_the_last_days_rate_carried_to_the_end() -> None:
    # 4.5 days left at 80.00 a day: 360.00 more.
    projection = project(
        campaign(), spent=Decimal(400), spent_today=Decimal(30), basis_spend=Decimal(80), now=NOW
    )
    assert projection is not None
    assert projection.spend_at_end == Decimal(760)
    assert projection.share_of_budget == 0.76
    assert projection.budget_spent_at is None
    assert (projection.basis_start, projection.basis_end) == basis(NOW)
    assert projection.basis_spend == Decimal(80)


def test_even_pacing_stops_at_the_budget() -> None:
    projection = project(
        campaign(), spent=Decimal(900), spent_today=Decimal(0), basis_spend=Decimal(300), now=NOW
    )
    assert projection is not None
    assert (projection.spend_at_end, projection.share_of_budget) == (Decimal(1000), 1.0)
    assert projection.budget_spent_at is None  # the plan spreads it to the end date


def test_asap_says_when_the_budget_runs_out() -> None:
    # 100.00 left at 48.00 a day (2.00 an hour): 50 hours from noon, i.e. 14:00 two days on.
    asap = campaign(pacing="asap")
    projection = project(
        asap, spent=Decimal(900), spent_today=Decimal(0), basis_spend=Decimal(48), now=NOW
    )
    assert projection is not None
    assert projection.spend_at_end == Decimal(1000)
    assert projection.budget_spent_at == NOW + timedelta(hours=50)
    slow = at_rate(asap, spent=900, basis_spend=1)
    assert slow.budget_spent_at is None
    assert slow.spend_at_end == Decimal("904.5")


def test_a_daily_cap_holds_each_day_with_todays_spend_counted() -> None:
    # 80.00 a day at most 50.00: today 20.00 more (30.00 spent), then 50.00 x 4 days.
    capped = campaign(daily_cap=Decimal(50))
    projection = project(
        capped, spent=Decimal(400), spent_today=Decimal(30), basis_spend=Decimal(80), now=NOW
    )
    assert projection is not None and projection.spend_at_end == Decimal(620)
    full = project(
        capped, spent=Decimal(400), spent_today=Decimal(60), basis_spend=Decimal(80), now=NOW
    )
    assert full is not None and full.spend_at_end == Decimal(600)  # today's cap already met


def test_dayparts_count_the_hours_the_campaign_runs() -> None:
    # 18:00-22:00 every day: 4 running hours in the basis, 4 x 5 left (today's included).
    prime_time = campaign(daypart=Daypart(weekly_hours(set(range(7)), 18, 22), zone="UTC"))
    projection = project(
        prime_time, spent=Decimal(400), spent_today=Decimal(0), basis_spend=Decimal(40), now=NOW
    )
    assert projection is not None and projection.spend_at_end == Decimal(600)
    # ASAP and running out: 40.00 left at 10.00 an hour, i.e. today by 22:00.
    asap = campaign(pacing="asap", daypart=prime_time.daypart)
    soon = at_rate(asap, spent=960, basis_spend=40)
    assert soon.budget_spent_at == NOW.replace(hour=22)
    # 60.00 left: 40.00 today, the rest in tomorrow's first two hours.
    later = at_rate(asap, spent=940, basis_spend=40)
    assert later.budget_spent_at == NOW.replace(hour=20) + timedelta(days=1)


def test_no_projection_without_a_day_of_running_behind_it() -> None:
    def projected(made: CatalogCampaign, now: datetime = NOW) -> bool:
        figures = {"spent": Decimal(1), "spent_today": Decimal(0), "basis_spend": Decimal(1)}
        return project(made, now=now, **figures) is not None

    assert projected(campaign())
    assert not projected(campaign(status="paused"))
    assert not projected(campaign(cpm=Decimal(0)))
    assert not projected(campaign(), now=START + timedelta(days=10))  # ended
    assert not projected(campaign(), now=START + timedelta(hours=23, minutes=59))
    assert projected(campaign(), now=START + timedelta(hours=24))
    weekends = Daypart(weekly_hours({5, 6}, 0, 24), zone="UTC")
    assert not projected(campaign(daypart=weekends), now=datetime(2026, 3, 4, 12, tzinfo=UTC))


def test_campaigns_projected_below_90_percent_fall_short_furthest_first() -> None:
    ids = [uuid.uuid4() for _ in range(4)]
    made = campaign()
    projected = [
        (ids[0], "On course", Decimal(1000), at_rate(made, spent=400, basis_spend=120)),
        (ids[1], "Short", Decimal(1000), at_rate(made, spent=400, basis_spend=80)),
        (ids[2], "Shorter", Decimal(1000), at_rate(made, spent=100, basis_spend=80)),
        (ids[3], "Young", Decimal(1000), None),
    ]
    assert falling_short(projected, limit=5) == [
        FallingShort(
            id=ids[2],
            name="Shorter",
            budget_total=Decimal(1000),
            spend_at_end=Decimal(460),
            share_of_budget=0.46,
        ),
        FallingShort(
            id=ids[1],
            name="Short",
            budget_total=Decimal(1000),
            spend_at_end=Decimal(760),
            share_of_budget=0.76,
        ),
    ]
    assert [s.name for s in falling_short(projected, limit=1)] == ["Shorter"]
