"""Change history (pure): what an edit changed, in JSON terms."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from ads.campaigns import Pacing, VerificationSpec
from ads.history import (
    BUDGET_SPENT,
    FAILED,
    FLIGHT_ENDED,
    READY,
    completion_changes,
    completion_note,
    field_changes,
    plain,
    processed_changes,
    processed_text,
)
from ads.platforms import Platform


def test_only_the_fields_that_differ_are_listed_before_and_after() -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    before = {
        "budget_total": Decimal("1000.00"),
        "name": "Launch",
        "start_date": start,
        "target_platforms": ["roku"],
        "daily_cap": None,
    }
    after = {
        "budget_total": Decimal("1500.00"),
        "name": "Launch",
        "start_date": start,
        "target_platforms": [Platform.ROKU, Platform.FIRE_TV],
        "daily_cap": Decimal("50.00"),
    }
    assert field_changes(before, after, after) == {
        "budget_total": ["1000.00", "1500.00"],
        "target_platforms": [["roku"], ["roku", "fire_tv"]],
        "daily_cap": [None, "50.00"],
    }
    assert field_changes(before, before, before) == {}


def test_values_become_what_json_holds() -> None:
    spec = VerificationSpec(vendor="v.example-omid", script_url="https://v.example/v.js")
    ident = uuid.UUID(int=7)
    assert plain(Pacing.ASAP) == "asap"
    assert plain(ident) == str(ident)
    assert plain(datetime(2026, 1, 2, 3, tzinfo=UTC)) == "2026-01-02T03:00:00+00:00"
    assert plain([spec]) == [
        {"vendor": "v.example-omid", "script_url": "https://v.example/v.js", "parameters": ""}
    ]
    assert plain({"k": 1}) == {"k": 1}


def test_processing_records_the_renditions_or_the_reason() -> None:
    assert processed_changes("Spot", renditions=4, error=None) == {
        "creative": [None, "Spot"],
        "processing": [None, READY],
        "renditions": [None, 4],
    }
    failed = processed_changes("Spot", renditions=0, error="Too short.")
    assert failed == {
        "creative": [None, "Spot"],
        "processing": [None, FAILED],
        "error": [None, "Too short."],
    }
    assert processed_text(failed) == "creative “Spot” could not be processed: Too short."
    measured = processed_changes("Spot", renditions=4, error=None, loudness=(-14.67, -24.01))
    assert measured["loudness"] == [-14.67, -24.01]
    assert processed_text(measured) == (
        "creative “Spot” ready: 4 renditions, loudness -14.7 → -24.0 LUFS"
    )


def test_a_completion_says_why_and_how_much_of_the_budget_went() -> None:
    changes = completion_changes(
        "paused", flight_ended=False, spent=Decimal("99.99"), budget=Decimal(100)
    )
    assert changes == {
        "status": ["paused", "completed"],
        "reason": [None, BUDGET_SPENT],
        "spent": [None, "99.99"],
        "budget": [None, "100.00"],
    }
    assert completion_note(changes) == f"{BUDGET_SPENT}; 99.99 of 100.00 spent (100%)"
    assert completion_note({"reason": [None, FLIGHT_ENDED]}) == FLIGHT_ENDED
