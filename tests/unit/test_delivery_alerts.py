"""Delivery alerts: when a campaign is behind its plan, when it is back on it, and what the
history entry says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ads.delivery_alerts import BEHIND, ON_PLAN, delivery_change, describe, is_behind

CPM = Decimal(10)  # an impression costs 0.01


@pytest.mark.parametrize(
    ("spent", "planned", "behind"),
    [
        (Decimal("0.00"), Decimal("100.00"), True),
        (Decimal("89.99"), Decimal("100.00"), True),
        (Decimal("90.00"), Decimal("100.00"), False),  # at the line: on plan
        (Decimal("0.00"), Decimal("0.09"), False),  # nine impressions short: noise
        (Decimal("0.00"), Decimal("0.10"), True),
        (Decimal("0.00"), None, False),  # no plan (ASAP, or not started)
        (Decimal("0.00"), Decimal("0.00"), False),
    ],
)
def test_behind_means_under_ninety_percent_by_ten_impressions(
    spent: Decimal, planned: Decimal | None, behind: bool
) -> None:
    assert is_behind(spent, planned, CPM) is behind


def test_a_campaign_falls_behind_once_and_stays_until_back_over_ninety_five_percent() -> None:
    def state(flagged: bool, spent: str) -> dict[str, list[object]] | None:
        return delivery_change(
            flagged=flagged, spent=Decimal(spent), planned=Decimal("100.00"), cpm=CPM
        )

    assert state(False, "95.00") is None
    assert state(False, "80.00") == {
        "delivery": [ON_PLAN, BEHIND],
        "spent": [None, "80.00"],
        "planned": [None, "100.00"],
    }
    assert state(True, "80.00") is None  # still behind: not news again
    assert state(True, "92.00") is None  # over the line it fell at, not yet back on plan
    assert state(True, "95.00") == {
        "delivery": [BEHIND, ON_PLAN],
        "spent": [None, "95.00"],
        "planned": [None, "100.00"],
    }


def test_back_on_plan_when_within_five_impressions_or_without_a_plan() -> None:
    near = delivery_change(flagged=True, spent=Decimal("0.00"), planned=Decimal("0.04"), cpm=CPM)
    assert near is not None and near["delivery"] == [BEHIND, ON_PLAN]
    gone = delivery_change(flagged=True, spent=Decimal("5.00"), planned=None, cpm=CPM)
    assert gone == {"delivery": [BEHIND, ON_PLAN], "spent": [None, "5.00"], "planned": [None, None]}


def test_the_plan_is_kept_to_the_cent() -> None:
    change = delivery_change(
        flagged=False, spent=Decimal("1.00"), planned=Decimal("41.666667"), cpm=CPM
    )
    assert change is not None and change["planned"] == [None, "41.67"]


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        (
            {"delivery": [ON_PLAN, BEHIND], "spent": [None, "12.00"], "planned": [None, "30.00"]},
            "delivery behind plan: 12.00 spent of 30.00 planned (40%)",
        ),
        (
            {"delivery": [BEHIND, ON_PLAN], "spent": [None, "0.00"], "planned": [None, "0.00"]},
            "delivery back on plan: 0.00 spent of 0.00 planned",
        ),
        (
            {"delivery": [BEHIND, ON_PLAN], "spent": [None, "5.00"], "planned": [None, None]},
            "delivery back on plan",
        ),
    ],
)
def test_an_entry_says_the_state_with_the_spend_against_the_plan(
    changes: dict[str, list[object]], says: str
) -> None:
    assert describe(changes) == says
