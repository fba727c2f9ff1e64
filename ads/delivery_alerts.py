"""Delivery alerts: when an evenly paced campaign falls behind its plan, and when it is back on it.

A campaign is *behind* when it has spent less than :data:`BEHIND_PLAN_PACE` of what its plan
released so far (``ads.pacing.planned_by``), by at least :data:`BEHIND_PLAN_IMPRESSIONS`
impressions' cost (a smaller shortfall is noise): the Home page's rule. Once behind, it is *back
on plan* only at :data:`ON_PLAN_PACE`, or within :data:`ON_PLAN_IMPRESSIONS` impressions of the
plan, so that a campaign hovering at the line is not news every minute. Pure: the catalog sync
checks the active campaigns every minute (storage/delivery_alerts.py) and writes each change of
state into the campaign's history, where the webhook picks it up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ads.history import plain

BEHIND_PLAN_PACE = 0.9
BEHIND_PLAN_IMPRESSIONS = 10
"""A shortfall smaller than this many impressions' cost is noise, not a campaign behind plan."""
ON_PLAN_PACE = 0.95
ON_PLAN_IMPRESSIONS = 5

BEHIND, ON_PLAN = "behind plan", "on plan"
"""The states a delivery entry of the history moves between (``changes["delivery"]``)."""
_CENT = Decimal("0.01")


def _shortfall(spent: Decimal, planned: Decimal, cpm: Decimal) -> Decimal:
    """How many impressions ``spent`` lags ``planned`` by, at ``cpm``."""
    return (planned - spent) * 1000 / cpm if cpm > 0 else Decimal(0)


def is_behind(spent: Decimal, planned: Decimal | None, cpm: Decimal) -> bool:
    """Whether spend lags the plan by enough to be news (None: no plan, never behind)."""
    if not planned:
        return False
    return (
        spent < planned * Decimal(str(BEHIND_PLAN_PACE))
        and _shortfall(spent, planned, cpm) >= BEHIND_PLAN_IMPRESSIONS
    )


def is_caught_up(spent: Decimal, planned: Decimal | None, cpm: Decimal) -> bool:
    """Whether a campaign that was behind is back on plan (None: no plan any more)."""
    if not planned:
        return True
    return (
        spent >= planned * Decimal(str(ON_PLAN_PACE))
        or _shortfall(spent, planned, cpm) < ON_PLAN_IMPRESSIONS
    )


def delivery_change(
    *, flagged: bool, spent: Decimal, planned: Decimal | None, cpm: Decimal
) -> dict[str, list[Any]] | None:
    """The history entry's ``changes`` when a campaign (``flagged`` behind or not) changes
    state, with the spend and the plan that made it; None when it stays as it was."""
    behind = not is_caught_up(spent, planned, cpm) if flagged else is_behind(spent, planned, cpm)
    if behind == flagged:
        return None
    before, after = (BEHIND, ON_PLAN) if flagged else (ON_PLAN, BEHIND)
    return {
        "delivery": [before, after],
        "spent": [None, plain(spent)],
        "planned": [None, plain(planned.quantize(_CENT)) if planned is not None else None],
    }


def describe(changes: dict[str, list[Any]]) -> str:
    """``delivery behind plan: 12.00 spent of 30.00 planned (40%)`` for a delivery entry."""
    state = changes.get("delivery", [None, "?"])[-1]
    what = "delivery back on plan" if state == ON_PLAN else f"delivery {state}"
    spent = changes.get("spent", [None, None])[-1]
    planned = changes.get("planned", [None, None])[-1]
    if spent is None or planned is None:
        return what
    text = f"{what}: {spent} spent of {planned} planned"
    if (plan := Decimal(str(planned))) > 0:
        text += f" ({Decimal(str(spent)) / plan:.0%})"
    return text
