"""Creative review: who waits for approval, what the catalog serves, and the review decisions
(pure)."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from pydantic import ValidationError

from ads.creative_review import (
    MAX_NOTE_LENGTH,
    ReviewDecision,
    ReviewPolicy,
    ReviewStatus,
    catalog_status,
    initial_review,
    reviewed,
)
from ads.errors import Conflict, InvalidInput
from ads.roles import Role
from ads.selection import choose
from tests.unit.catalog_factories import NOW, campaign, creative

APPROVED, PENDING, REJECTED = ReviewStatus


@pytest.mark.parametrize(
    ("policy", "third_party", "maker", "expected"),
    [
        (ReviewPolicy.THIRD_PARTY, True, Role.EDITOR, PENDING),
        (ReviewPolicy.THIRD_PARTY, False, Role.EDITOR, APPROVED),
        (ReviewPolicy.THIRD_PARTY, True, Role.ADMIN, APPROVED),
        (ReviewPolicy.ALL, False, Role.EDITOR, PENDING),
        (ReviewPolicy.ALL, True, Role.EDITOR, PENDING),
        (ReviewPolicy.ALL, False, Role.ADMIN, APPROVED),
        (ReviewPolicy.OFF, True, Role.EDITOR, APPROVED),
    ],
)
def test_what_waits_for_review(
    policy: ReviewPolicy, third_party: bool, maker: Role, expected: ReviewStatus
) -> None:
    assert initial_review(policy, third_party=third_party, maker=maker) is expected


@pytest.mark.parametrize(
    ("status", "review", "served"),
    [
        ("active", APPROVED, True),
        ("active", PENDING, False),
        ("active", REJECTED, False),
        ("processing", APPROVED, False),
    ],
)
def test_only_approved_active_creatives_are_served(
    status: str, review: ReviewStatus, served: bool
) -> None:
    spot = replace(creative(1), status=catalog_status(status, review))
    picked = choose([campaign(1)], [spot], now=NOW, max_duration_ms=None, rng=random.Random(1))
    assert (picked is not None) is served


def test_approving_and_rejecting() -> None:
    approve = ReviewDecision(decision="approve")
    take_down = ReviewDecision(decision="reject", note="  Autoplays sound at full volume \n")
    assert take_down.note == "Autoplays sound at full volume"
    assert reviewed(PENDING, approve) is APPROVED
    assert reviewed(REJECTED, approve) is APPROVED  # fixed and looked at again
    assert reviewed("pending", take_down) is REJECTED
    assert reviewed(APPROVED, take_down) is REJECTED  # taken back down
    with pytest.raises(Conflict, match="already approved"):
        reviewed(APPROVED, approve)
    with pytest.raises(Conflict, match="already rejected"):
        reviewed(REJECTED, take_down)


@pytest.mark.parametrize("note", [None, "", "   "])
def test_a_rejection_says_why(note: str | None) -> None:
    with pytest.raises(InvalidInput, match="say why") as refused:
        reviewed(PENDING, ReviewDecision(decision="reject", note=note))
    assert refused.value.details == [{"field": "note", "message": "a rejection needs a note"}]


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "maybe"},
        {"decision": "approve", "note": "x" * (MAX_NOTE_LENGTH + 1)},
        {"decision": "reject", "note": "bad\x00note"},
        {"decision": "approve", "reviewer": "someone else"},
        {},
    ],
)
def test_bad_review_bodies_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ReviewDecision.model_validate(body)


def test_notes_keep_their_text_as_written() -> None:
    note = "Landing page <script> & “quotes” —\nsecond line"
    assert ReviewDecision(decision="reject", note=note).note == note
