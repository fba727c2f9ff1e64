"""Campaign validation and status rules (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from ads.campaigns import (
    ALLOWED_TRANSITIONS,
    CampaignCreate,
    CampaignStatus,
    CampaignUpdate,
    check_transition,
    merge_update,
)
from ads.errors import Conflict, InvalidInput

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "  Launch  ",
        "budget_total": "100.50",
        "cpm": 10,
        "start_date": "2026-12-01",
        "end_date": "2026-12-31T12:00:00+01:00",
    }
    data.update(overrides)
    return data


def test_dates_are_normalised_to_utc_and_names_trimmed() -> None:
    campaign = CampaignCreate.model_validate(body())
    assert campaign.name == "Launch"
    assert campaign.start_date == datetime(2026, 12, 1, tzinfo=UTC)
    assert campaign.end_date == datetime(2026, 12, 31, 11, tzinfo=UTC)
    assert campaign.budget_total == Decimal("100.50")
    naive = CampaignCreate.model_validate(body(start_date="2026-12-01T08:00:00"))
    assert naive.start_date.tzinfo is not None and naive.start_date.hour == 8


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:01+00:12", "9999-12-31T23:59:00-01:00"])
def test_a_moment_outside_the_utc_calendar_is_a_validation_error(moment: str) -> None:
    # Found by the API fuzzer: converting these to UTC overflowed into a 500.
    with pytest.raises(ValidationError, match="out of range in UTC"):
        CampaignUpdate.model_validate({"end_date": moment})


@pytest.mark.parametrize(
    "overrides",
    [
        {"budget_total": -1},
        {"budget_total": 0},
        {"budget_total": "1e13"},
        {"cpm": -0.01},
        {"name": "   "},
        {"name": "tab\tok but null \x00 is not"},
        {"end_date": "2026-11-30"},
        {"end_date": "2026-12-01"},
        {"click_through_url": "ftp://example.com"},
        {"click_through_url": 'https://example.com/"onmouseover'},
        {"daily_cap": 0},
        {"surprise": True},
        {"impression_trackers": ["javascript:alert(1)"]},
        {"click_trackers": [f"https://t.example/{n}" for n in range(6)]},
        {"verifications": [{"vendor": "a b", "script_url": "https://v.example/omid.js"}]},
        {"verifications": [{"vendor": "a.example-omid", "script_url": "ftp://v.example/v.js"}]},
        {"verifications": [{"vendor": "a.example-omid"}]},
        {
            "verifications": [
                {"vendor": f"v{n}", "script_url": "https://v.example/"} for n in range(4)
            ]
        },
        {
            "verifications": [
                {"vendor": "v", "script_url": "https://v.example/", "parameters": "\x00"}
            ]
        },
    ],
)
def test_invalid_bodies_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CampaignCreate.model_validate(body(**overrides))


def test_verifications_keep_one_entry_per_vendor_and_trackers_one_per_url() -> None:
    script = "https://v.example/omid.js"
    campaign = CampaignCreate.model_validate(
        body(
            verifications=[
                {"vendor": " ias.example-omid ", "script_url": script, "parameters": "old"},
                {"vendor": "ias.example-omid", "script_url": script, "parameters": '{"k": 1}'},
            ],
            impression_trackers=["https://t.example/i", "https://t.example/i"],
        )
    )
    assert [(v.vendor, v.parameters) for v in campaign.verifications] == [
        ("ias.example-omid", '{"k": 1}')
    ]
    assert campaign.impression_trackers == ["https://t.example/i"]


def test_markup_in_names_is_kept_verbatim() -> None:
    name = '<b>Sale</b> & "quotes" ]]>'
    assert CampaignCreate.model_validate(body(name=name)).name == name


def test_transition_table_matches_the_spec() -> None:
    s = CampaignStatus
    assert ALLOWED_TRANSITIONS[s.DRAFT] == {s.ACTIVE}
    assert ALLOWED_TRANSITIONS[s.ACTIVE] == {s.PAUSED, s.COMPLETED}
    assert ALLOWED_TRANSITIONS[s.PAUSED] == {s.ACTIVE, s.COMPLETED}
    assert ALLOWED_TRANSITIONS[s.COMPLETED] == set()


def test_disallowed_transition_raises_conflict_with_allowed_list() -> None:
    with pytest.raises(Conflict) as caught:
        check_transition(
            CampaignStatus.DRAFT, CampaignStatus.PAUSED, end_date=NOW + timedelta(1), now=NOW
        )
    assert caught.value.details == {"allowed": ["active"]}
    with pytest.raises(Conflict, match="end date"):
        check_transition(CampaignStatus.PAUSED, CampaignStatus.ACTIVE, end_date=NOW, now=NOW)
    check_transition(
        CampaignStatus.PAUSED, CampaignStatus.ACTIVE, end_date=NOW + timedelta(seconds=1), now=NOW
    )


def test_merge_update_checks_combined_dates_and_spent_budget() -> None:
    current = {"start_date": NOW, "end_date": NOW + timedelta(days=5)}
    with pytest.raises(InvalidInput):
        merge_update(
            current, CampaignUpdate(end_date=NOW - timedelta(days=1)), budget_spent=Decimal(0)
        )
    with pytest.raises(Conflict):
        merge_update(current, CampaignUpdate(budget_total=Decimal("5")), budget_spent=Decimal("6"))
    changes = merge_update(current, CampaignUpdate(name="New"), budget_spent=Decimal(0))
    assert changes == {"name": "New"}
    capped = {**current, "frequency_cap_ads": 3, "frequency_cap_hours": 24}
    with pytest.raises(InvalidInput, match="frequency_cap_ads and frequency_cap_hours"):
        merge_update(capped, CampaignUpdate(frequency_cap_ads=None), budget_spent=Decimal(0))
    both = CampaignUpdate(frequency_cap_ads=None, frequency_cap_hours=None)
    assert merge_update(capped, both, budget_spent=Decimal(0)) == {
        "frequency_cap_ads": None,
        "frequency_cap_hours": None,
    }


def test_update_refuses_null_for_required_fields_but_allows_clearing_optional() -> None:
    with pytest.raises(ValidationError):
        CampaignUpdate.model_validate({"name": None})
    update = CampaignUpdate.model_validate({"click_through_url": None})
    assert update.model_dump(exclude_unset=True) == {"click_through_url": None}


def test_offsets_other_than_utc_are_converted() -> None:
    tz = timezone(timedelta(hours=-5))
    campaign = CampaignCreate.model_validate(
        body(start_date=datetime(2026, 12, 1, 19, tzinfo=tz), end_date="2027-01-01")
    )
    assert campaign.start_date == datetime(2026, 12, 2, 0, tzinfo=UTC)


def test_a_cap_counts_devices_unless_it_says_households() -> None:
    assert CampaignCreate.model_validate(body()).frequency_cap_scope == "device"
    household = CampaignCreate.model_validate(
        body(frequency_cap_ads=2, frequency_cap_hours=24, frequency_cap_scope="household")
    )
    assert household.frequency_cap_scope == "household"
    with pytest.raises(ValidationError, match="frequency_cap_scope"):
        CampaignCreate.model_validate(body(frequency_cap_scope="home"))
    with pytest.raises(ValidationError, match="frequency_cap_scope cannot be null"):
        CampaignUpdate.model_validate({"frequency_cap_scope": None})
