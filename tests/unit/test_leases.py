"""The lease ledger and a replica's local lease: invariants, the lease contract and the tail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings, target
from hypothesis import strategies as st

from ads.campaigns import Pacing
from ads.leases import CampaignAccount, Grant, LeasePolicy, LocalLease, Refund
from ads.pacing import BUCKET, Flight

START = datetime(2026, 3, 1, tzinfo=UTC)
COST = 10_000
POLICY = LeasePolicy(ttl=timedelta(minutes=1), settle_window=timedelta(minutes=5))
HOLD = POLICY.ttl + POLICY.settle_window
"""How long a reservation outlives its grant."""


def flight(
    impressions: float, *, pacing: Pacing = Pacing.ASAP, end: datetime = START + timedelta(days=1)
) -> Flight:
    return Flight(budget=int(impressions * COST), cost=COST, pacing=pacing, start=START, end=end)


def account(impressions: float, *, pacing: Pacing = Pacing.ASAP) -> CampaignAccount:
    return CampaignAccount.open(flight(impressions, pacing=pacing), now=START, policy=POLICY)


def grant(acct: CampaignAccount, impressions: float, *, now: datetime = START) -> int:
    """Ask for ``impressions`` as replica r1; the number of impressions granted."""
    return acct.grant("r1", int(impressions * COST), now=now).amount // COST


def received(impressions: int, *, at: datetime = START) -> Grant:
    """A grant as a replica receives it at ``at``."""
    return Grant(amount=impressions * COST, ttl=POLICY.ttl, expires_at=at + HOLD)


def assert_invariant(acct: CampaignAccount) -> None:
    assert acct.committed >= 0
    assert acct.reserved >= 0
    assert acct.committed + acct.reserved <= acct.flight.budget


@pytest.mark.parametrize(
    "changes",
    [
        {"ttl": timedelta(0)},
        {"bucket": timedelta(0)},
        {"settle_window": timedelta(seconds=-1)},
        {"catch_up": 0},
    ],
)
def test_policy_rejects_nonsense(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        LeasePolicy(**changes)


def test_grant_is_whole_impressions_within_the_request_and_the_budget() -> None:
    acct = account(100.5)
    assert grant(acct, 30.5) == 30
    assert (acct.reserved, acct.unreserved) == (30 * COST, int(70.5 * COST))
    assert grant(acct, -3) == 0
    assert_invariant(acct)


def test_leases_shrink_as_the_budget_runs_out_so_the_tail_is_shared() -> None:
    acct = account(10)
    granted = [
        acct.grant(replica, 100 * COST, now=START).amount // COST
        for replica in ["r1", "r2", "r1", "r2", "r1", "r2", "r1"]
    ]
    assert granted == [5, 1, 1, 1, 1, 1, 0]
    assert acct.unreserved == 0


def test_even_pacing_limits_grants_and_says_when_to_retry() -> None:
    acct = CampaignAccount.open(
        flight(96 * 10, pacing=Pacing.EVEN, end=START + timedelta(days=10)),
        now=START,
        policy=POLICY,
    )
    assert grant(acct, 50) == 1  # 96 impressions a day: one per 15-minute bucket
    acct.settle(COST)
    empty = acct.grant("r1", 50 * COST, now=START + timedelta(minutes=3))
    assert (empty.amount, empty.retry_at) == (0, START + BUCKET)
    assert grant(acct, 50, now=START + BUCKET) == 1


def test_empty_grant_before_the_flight_retries_at_its_start() -> None:
    acct = account(10)
    assert acct.grant("r1", COST, now=START - timedelta(hours=1)).retry_at == START


def test_empty_grant_on_a_fully_reserved_budget_retries_when_a_reservation_expires() -> None:
    acct = account(1)
    assert grant(acct, 1) == 1
    assert acct.grant("r2", COST, now=START).retry_at == START + HOLD


def test_settle_draws_down_the_oldest_reservations_first() -> None:
    acct = account(100)
    assert grant(acct, 10) == 10
    assert grant(acct, 10, now=START + timedelta(minutes=1)) == 10
    acct.settle(12 * COST)
    assert (acct.committed, acct.reserved) == (12 * COST, 8 * COST)
    assert acct.expire(START + HOLD) == 0
    assert acct.expire(START + HOLD + timedelta(minutes=1)) == 8 * COST
    assert acct.reserved == 0


def test_unreserved_spend_is_absorbed_by_the_budget_and_counted_as_overspend_beyond() -> None:
    acct = account(10)
    acct.settle(4 * COST)
    assert grant(acct, 6) == 3
    acct.settle(9 * COST)
    assert (acct.committed, acct.reserved, acct.overspend) == (10 * COST, 0, 3 * COST)
    assert_invariant(acct)
    with pytest.raises(ValueError, match="negative"):
        acct.settle(-1)


def test_refunds_return_what_replicas_will_not_spend() -> None:
    acct = account(100)
    first = acct.grant("r1", 10 * COST, now=START)
    assert acct.release([Refund(amount=4 * COST, expires_at=first.expires_at)], now=START) == (
        4 * COST
    )
    assert acct.reserved == 6 * COST
    assert acct.release([Refund(amount=100 * COST, expires_at=first.expires_at)], now=START) == (
        6 * COST
    )
    with pytest.raises(ValueError, match="negative"):
        acct.release([Refund(amount=-1, expires_at=first.expires_at)], now=START)


def test_a_refund_after_its_reservation_expired_is_ignored() -> None:
    acct = account(100)
    old = acct.grant("r1", 5 * COST, now=START)
    later = START + HOLD
    assert grant(acct, 5, now=later) == 5
    assert acct.release([Refund(amount=5 * COST, expires_at=old.expires_at)], now=later) == 0
    assert acct.reserved == 5 * COST


def test_recovered_account_grants_nothing_while_old_leases_may_still_be_spent() -> None:
    acct = CampaignAccount.recover(flight(10), committed=3 * COST, now=START, policy=POLICY)
    assert acct.grant("r1", COST, now=START + HOLD - timedelta(seconds=1)).retry_at == (
        START + HOLD
    )
    acct.settle(5 * COST)  # impressions served from leases granted before the restart
    assert (acct.committed, acct.reserved) == (8 * COST, 0)
    assert grant(acct, 5, now=START + HOLD) == 1
    assert_invariant(acct)


def test_restored_overspend_is_kept_apart_from_committed_spend() -> None:
    acct = CampaignAccount.open(flight(10), now=START, policy=POLICY, committed=12 * COST)
    assert (acct.committed, acct.overspend, acct.unreserved) == (10 * COST, 2 * COST, 0)


def test_complete_when_no_impression_is_affordable_or_the_flight_is_over() -> None:
    acct = account(3.5)
    assert not acct.is_complete(START)
    acct.settle(3 * COST)
    assert acct.is_complete(START)
    assert account(10).is_complete(START + timedelta(days=1))


def test_budget_changes_apply_from_the_next_grant() -> None:
    acct = account(10)
    assert grant(acct, 8) == 5
    acct.update(flight(20))
    assert grant(acct, 8) == 7
    acct.update(flight(6))  # below committed + reserved: no grants until leases drain
    assert grant(acct, 8) == 0
    acct.settle(4 * COST)
    acct.release([Refund(amount=8 * COST, expires_at=START + HOLD)], now=START)
    assert grant(acct, 8) == 1


def test_local_lease_spends_oldest_grants_first_and_across_grants() -> None:
    lease = LocalLease()
    half_a_minute_later = START + timedelta(seconds=30)
    lease.add(received(3), now=START)
    lease.add(received(3, at=half_a_minute_later), now=half_a_minute_later)
    assert lease.try_spend(2 * COST, START)
    assert lease.try_spend(2 * COST, START)  # one from each grant
    assert lease.balance(START) == 2 * COST
    assert not lease.try_spend(3 * COST, START)
    later = START + timedelta(minutes=1)
    assert lease.balance(later) == 2 * COST  # the first grant was used up before it lapsed
    assert lease.take_refunds(later) == []
    assert lease.try_spend(COST, later)
    lapsed = START + timedelta(seconds=90)
    assert lease.take_refunds(lapsed) == [
        Refund(amount=COST, expires_at=half_a_minute_later + HOLD)
    ]
    assert lease.take_refunds(lapsed) == []


def test_local_lease_refills_at_low_water_unless_told_to_wait() -> None:
    lease = LocalLease()
    assert lease.needs_refill(0.5, now=START)
    lease.add(received(10), now=START)
    for _ in range(5):
        assert not lease.needs_refill(0.5, now=START)
        assert lease.try_spend(COST, START)
    assert lease.needs_refill(0.5, now=START)
    later = START + BUCKET
    lease.add(Grant(amount=0, ttl=POLICY.ttl, expires_at=START + HOLD, retry_at=later), now=START)
    assert not lease.needs_refill(0.5, now=later - timedelta(seconds=1))
    assert lease.needs_refill(0.5, now=later)


def test_a_new_or_changed_campaign_asks_again_soon_whatever_a_stale_ledger_said() -> None:
    lease = LocalLease()
    soon, later = START + timedelta(seconds=2), START + BUCKET

    def empty(retry_at: datetime) -> Grant:
        return Grant(amount=0, ttl=POLICY.ttl, expires_at=START + HOLD, retry_at=retry_at)

    lease.add(empty(later), now=START)
    lease.recheck(soon)  # the campaign's terms changed: the wait shortens at once
    assert lease.needs_refill(0.5, now=soon)
    lease.add(empty(later), now=START + timedelta(seconds=1))  # the ledger had not read it yet
    assert not lease.needs_refill(0.5, now=soon - timedelta(milliseconds=1))
    assert lease.needs_refill(0.5, now=soon)
    lease.add(empty(later), now=soon)  # asked after the change was read: the ledger's word holds
    assert not lease.needs_refill(0.5, now=later - timedelta(seconds=1))
    assert lease.needs_refill(0.5, now=later)


def test_a_shorter_ttl_also_shortens_the_grants_held_before() -> None:
    lease = LocalLease()
    long_lived = Grant(amount=2 * COST, ttl=5 * POLICY.ttl, expires_at=START + 2 * HOLD)
    lease.add(long_lived, now=START)
    lease.add(received(1), now=START)
    assert lease.balance(START + POLICY.ttl) == 0


def test_drained_lease_refunds_its_balance_and_its_forfeited_grants() -> None:
    lease = LocalLease()
    lease.add(received(2), now=START)
    later = START + timedelta(seconds=50)
    lease.add(received(3, at=later), now=later)
    refunds = lease.drain(START + timedelta(minutes=1))
    assert refunds == [
        Refund(amount=2 * COST, expires_at=START + HOLD),
        Refund(amount=3 * COST, expires_at=later + HOLD),
    ]
    assert lease.balance(START) == 0
    assert lease.drain(START) == []


Op = tuple[str, int, int]
OPS = st.tuples(
    st.sampled_from(["grant", "settle", "release", "expire", "recover"]),
    st.integers(0, 30),
    st.integers(0, 400),
)


@settings(max_examples=300, deadline=None)
@given(
    impressions=st.integers(1, 50),
    pacing=st.sampled_from(Pacing),
    ops=st.lists(OPS, max_size=60),
)
def test_no_sequence_of_operations_breaks_the_invariant(
    impressions: int, pacing: Pacing, ops: list[Op]
) -> None:
    """Any grants, settles, refunds, expiries and restarts, within the lease contract or not:
    committed + reserved stays within the budget, and all settled spend is either committed or
    counted as overspend.
    """
    f = flight(impressions + 0.3, pacing=pacing, end=START + timedelta(hours=2))
    acct, now, settled = CampaignAccount.open(f, now=START, policy=POLICY), START, 0
    for op, size, seconds in ops:
        now += timedelta(seconds=seconds)
        amount = size * COST // 3
        if op == "grant":
            acct.expire(now)
            before = acct.reserved
            granted = acct.grant(f"r{size % 3}", amount, now=now).amount
            assert granted % COST == 0
            assert acct.reserved == before + granted
        elif op == "settle":
            acct.settle(amount)
            settled += amount
        elif op == "release":
            acct.release([Refund(amount=amount, expires_at=now + POLICY.ttl)], now=now)
        elif op == "expire":
            acct.expire(now)
        else:
            acct = CampaignAccount.recover(f, committed=acct.committed, now=now, policy=POLICY)
            settled = acct.committed + acct.overspend
        assert_invariant(acct)
        assert acct.committed + acct.overspend == settled


WINDOW_SECONDS = int(POLICY.settle_window.total_seconds())
ReplicaTick = tuple[int, list[int | None], bool]
REPLICA_TICKS = st.tuples(
    st.integers(0, 8),
    st.lists(st.none() | st.integers(0, WINDOW_SECONDS), max_size=4),
    st.sampled_from([False, False, False, True]),
)
"""One replica in one tick: how many impressions it asks for (0: no refill), then the requests
it serves (each a beacon delay in seconds, None if the ad is never played), and whether it then
shuts down, releasing its balance."""


IDLE: ReplicaTick = (0, [], False)


@settings(max_examples=100, deadline=None)
@given(
    impressions=st.integers(1, 12),
    pacing=st.sampled_from(Pacing),
    restart_at=st.none() | st.integers(0, 11),
    ticks=st.lists(
        st.tuples(st.integers(0, 400), st.lists(REPLICA_TICKS, min_size=3, max_size=3)),
        max_size=12,
    ),
)
# A restart while a lease is out: the new ledger must not grant that budget again.
@example(
    impressions=1,
    pacing=Pacing.ASAP,
    restart_at=1,
    ticks=[(0, [(1, [], False), IDLE, IDLE]), (0, [(0, [0], False), (1, [0], False), IDLE])],
)
# A grant kept past its ttl: its reservation has expired and been granted again.
@example(
    impressions=1,
    pacing=Pacing.ASAP,
    restart_at=None,
    ticks=[(0, [(1, [], False), IDLE, IDLE]), (400, [(0, [0], False), (1, [0], False), IDLE])],
)
# A grant forfeited unspent, refunded only after its reservation expired and was granted again.
@example(
    impressions=2,
    pacing=Pacing.ASAP,
    restart_at=None,
    ticks=[
        (0, [IDLE, IDLE, (1, [0], False)]),
        (0, [IDLE, IDLE, (1, [], False)]),
        (360, [IDLE, (1, [], False), (1, [0], False)]),
        (0, [IDLE, (0, [0], False), IDLE]),
    ],
)
# An early beacon of an old grant, then a late one of a newer grant, across the old one's
# expiry: settling against the newest reservation would let the old one return money still due.
@example(
    impressions=2,
    pacing=Pacing.ASAP,
    restart_at=None,
    ticks=[
        (0, [(1, [60], False), IDLE, IDLE]),
        (50, [IDLE, (1, [], False), IDLE]),
        (50, [IDLE, (0, [300], False), IDLE]),
        (260, [IDLE, IDLE, (1, [0], False)]),
        (60, [IDLE, IDLE, IDLE]),
    ],
)
def test_replicas_keeping_the_lease_contract_never_overspend(
    impressions: int,
    pacing: Pacing,
    restart_at: int | None,
    ticks: list[tuple[int, list[ReplicaTick]]],
) -> None:
    """Replicas spend only live grants and every beacon lands within the settle window, at
    whatever times: the billed spend never exceeds the budget, even across a ledger restart.
    """
    f = flight(impressions + 0.5, pacing=pacing, end=START + timedelta(hours=1))
    acct = CampaignAccount.open(f, now=START, policy=POLICY)
    leases = [LocalLease() for _ in range(3)]
    beacons: list[datetime] = []
    now, billed = START, 0
    for tick, (seconds, replicas) in enumerate(ticks):
        now += timedelta(seconds=seconds)
        acct.settle(sum(COST for at in beacons if at <= now))
        beacons = [at for at in beacons if at > now]
        if tick == restart_at:
            acct = CampaignAccount.recover(f, committed=acct.committed, now=now, policy=POLICY)
        for number, (lease, (asked, served, shut_down)) in enumerate(
            zip(leases, replicas, strict=True)
        ):
            if asked:
                acct.release(lease.take_refunds(now), now=now)
                lease.add(acct.grant(f"r{number}", asked * COST, now=now), now=now)
            for delay in served:
                if lease.try_spend(COST, now) and delay is not None:
                    beacons.append(now + timedelta(seconds=delay))
                    billed += COST
            if shut_down:
                acct.release(lease.drain(now), now=now)
        assert_invariant(acct)
    acct.settle(len(beacons) * COST)
    target(billed / f.budget)
    assert billed <= f.budget
    assert acct.overspend == 0
