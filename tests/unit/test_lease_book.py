"""A decision replica's LeaseBook against a ledger account, on a simulated clock: two replicas
sharing a campaign whose pacing allows only a few impressions right now."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from ads.catalog import CatalogCampaign
from ads.leases import CampaignAccount, Grant, LeasePolicy, Refund
from ads.pacing import BUCKET, Flight, Micros, impression_cost, to_micros
from deployments.serving import leases as lease_module
from deployments.serving.leases import LeaseBook

# The test stack's lease times (tests/stack_fixtures.py): grants live 3 s, reservations 23 s.
POLICY = LeasePolicy(ttl=timedelta(seconds=3), settle_window=timedelta(seconds=20))
REFILL = timedelta(seconds=0.1)
RUN = timedelta(seconds=40)
BUCKET_START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now


class FakeLedger:
    """BudgetLedger.refill (``ledger.refill.remote(...)``) over one account, at the simulated
    time: refunds first, then grants, as the actor does."""

    def __init__(self, account: CampaignAccount, clock: Clock) -> None:
        self._account, self._clock = account, clock
        self.calls = 0
        self.refill = SimpleNamespace(remote=self._refill)

    async def _refill(
        self, replica: str, requests: dict[str, Micros], refunds: dict[str, list[Refund]]
    ) -> dict[str, Grant]:
        self.calls += 1
        now = self._clock.now
        for returned in refunds.values():
            self._account.release(returned, now=now)
        return {cid: self._account.grant(replica, ask, now=now) for cid, ask in requests.items()}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(BUCKET_START)

    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return clock.now

    monkeypatch.setattr(lease_module, "datetime", FrozenDatetime)
    return clock


def _campaign(allowed_now: int) -> tuple[CatalogCampaign, CampaignAccount]:
    """An even-paced campaign (the dashboard's default, $2,500 at a $20 CPM) activated
    ``allowed_now`` minutes before a 15-minute boundary, its flight so long that pacing allows
    ``allowed_now`` impressions (and half of one) until that boundary."""
    cost = impression_cost(Decimal(20))
    budget = Decimal(2500)
    left_in_bucket = timedelta(minutes=allowed_now)
    # the bucket's share of an even spread is what is left of it times budget / flight length
    flight_length = left_in_bucket * (to_micros(budget) / ((allowed_now + 0.5) * cost))
    opened = BUCKET_START + BUCKET - left_in_bucket
    campaign = CatalogCampaign(
        id="c1",
        name="Browser launch",
        status="active",
        budget_total=budget,
        budget_spent=Decimal(0),
        cpm=Decimal(20),
        pacing="even",
        start_date=opened,
        end_date=opened + flight_length,
        click_through_url=None,
    )
    account = CampaignAccount.open(Flight.of(campaign), now=opened, policy=POLICY)
    return campaign, account


@pytest.mark.parametrize("allowed_now", [1, 2, 3, 4])
def test_replicas_keep_a_lease_while_pacing_allows_only_a_few_impressions(
    clock: Clock, allowed_now: int
) -> None:
    """Each replica asks for its next grant before the current one lapses, while that one is
    still reserved; with a small allowance the ledger then grants nothing and says when to
    retry. The lapsed grant's refund gives the money back moments later: the replica must ask
    again then, not sit out the retry time (the end of the bucket or 23 s) with no lease.
    Before that fix the browser test's VAST request found no lease on either replica for
    10 s when the test happened to run a minute before a quarter hour."""
    campaign, account = _campaign(allowed_now)
    start = clock.now = campaign.start_date + timedelta(seconds=1)
    ledger = FakeLedger(account, clock)
    books = [
        LeaseBook(name, ledgers=[ledger], refill_seconds=0.1, wanted=lambda _: [campaign])
        for name in ("r1", "r2")
    ]
    serving = min(allowed_now, len(books))  # replicas that can hold an impression each
    short: list[float] = []

    async def run() -> None:
        while clock.now < start + RUN:
            for book in books:
                await book.refill(clock.now)
            if sum(book.covers(campaign, clock.now) for book in books) < serving:
                short.append((clock.now - start).total_seconds())
            clock.now += REFILL

    asyncio.run(run())

    late = [t for t in short if t > 1]  # the first grants arrive within the first rounds
    assert not late, f"fewer than {serving} replica(s) with a lease from {late[0]:.1f} s on"
    rounds = RUN / REFILL
    assert ledger.calls < len(books) * rounds / 4, "a dry lease must not ask every round"


def test_a_started_book_covers_live_campaigns_from_the_first_request(clock: Clock) -> None:
    """A replica that scales up under load serves at once instead of refusing every paid
    campaign until its first refill round."""
    campaign, account = _campaign(allowed_now=4)
    clock.now = campaign.start_date + timedelta(seconds=1)
    ledger = FakeLedger(account, clock)
    book = LeaseBook("r1", ledgers=[ledger], refill_seconds=60, wanted=lambda _: [campaign])

    async def run() -> bool:
        await book.start()
        try:
            return book.covers(campaign, clock.now)
        finally:
            await book.close()

    assert asyncio.run(run())
    assert ledger.calls >= 1
