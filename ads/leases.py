"""Budget leases: the ledger's reservations for decision replicas, and a replica's local lease.

A decision replica never calls the ledger per request. It holds a :class:`LocalLease` per
campaign, spends it locally, asks for more in the background when it runs low and hands back
what it will not spend. The ledger keeps a :class:`CampaignAccount` per campaign: the committed
spend (what impression flushes reported) and the reservations it has granted, oldest first. It
grants only what is neither committed nor reserved, and only as much as pacing allows, so
``committed + reserved <= budget`` holds after every operation.

The lease contract, under which the reservations cover every impression that can still be billed:

- a replica spends a grant only until ``ttl`` after receiving it (:class:`LocalLease` enforces
  this grant by grant);
- an impression is settled (flushed and reported) within ``settle_window`` of being served: the
  age limit of impression beacons, plus the sinks' flush interval, clock skew and call latency.

A reservation expires ``ttl + settle_window`` after its grant, when nothing can be billed against
it any more. Settles and refunds draw down the *oldest* reservations, whichever replica they came
from (a beacon does not name the grant that paid for it). Then an expiry never returns more than
the money of the expiring grants that can no longer be spent or settled (never-played ads, unspent
balances), so the reservations left always cover what is still live. A refund counts only while
its grant's reservation has not expired: after that, the money already came back. Spend that
arrives with nothing reserved for it (the contract was broken) is committed from the unreserved
budget while there is any, and counted as :attr:`CampaignAccount.overspend` beyond that.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ads.pacing import BUCKET, CATCH_UP, Flight, Micros, advance, allowance, begin


@dataclass(frozen=True, slots=True)
class LeasePolicy:
    """How long grants live, and how pacing releases the budget."""

    ttl: timedelta = timedelta(minutes=1)
    """How long a replica may spend a grant after receiving it."""
    settle_window: timedelta = timedelta(minutes=10)
    """How long after it was served an impression may still be settled."""
    bucket: timedelta = BUCKET
    catch_up: int = CATCH_UP

    def __post_init__(self) -> None:
        zero = timedelta(0)
        if self.ttl <= zero or self.bucket <= zero or self.settle_window < zero:
            raise ValueError("ttl and bucket must be positive, settle_window not negative")
        if self.catch_up < 1:
            raise ValueError("catch_up must be at least 1")


@dataclass(frozen=True, slots=True)
class Grant:
    """Budget granted to a replica: spend at most ``amount`` within ``ttl`` of receiving it."""

    amount: Micros
    ttl: timedelta
    expires_at: datetime
    """When the ledger takes back whatever of the grant has not been settled."""
    retry_at: datetime | None = None
    """Set on an empty grant: asking again before then would get nothing either."""


@dataclass(frozen=True, slots=True)
class Refund:
    """Money of a grant that its replica will not spend, handed back to the ledger."""

    amount: Micros
    expires_at: datetime
    """The grant's :attr:`Grant.expires_at`."""


@dataclass(slots=True)
class _Reservation:
    amount: Micros
    expires_at: datetime


@dataclass(slots=True)
class _Held:
    """What is left of a grant on a replica, spendable until ``spend_by``."""

    amount: Micros
    spend_by: datetime
    expires_at: datetime


class CampaignAccount:
    """The ledger's account of one campaign: committed spend and reservations, oldest first."""

    __slots__ = (
        "_committed",
        "_flight",
        "_frozen_until",
        "_holders",
        "_marks",
        "_overspend",
        "_policy",
        "_reservations",
        "_reserved",
    )

    def __init__(
        self,
        flight: Flight,
        *,
        committed: Micros,
        now: datetime,
        policy: LeasePolicy,
        spent_today: Micros | None,
        frozen_until: datetime | None,
    ) -> None:
        self._flight = flight
        self._policy = policy
        self._committed = min(committed, flight.budget)
        self._overspend = committed - self._committed
        self._reservations: deque[_Reservation] = deque()
        self._reserved: Micros = 0
        self._holders: dict[str, datetime] = {}
        self._marks = begin(
            flight,
            spent=self._committed,
            now=now,
            spent_today=spent_today,
            bucket=policy.bucket,
        )
        self._frozen_until = frozen_until

    @classmethod
    def open(
        cls,
        flight: Flight,
        *,
        now: datetime,
        policy: LeasePolicy,
        committed: Micros = 0,
        spent_today: Micros | None = None,
    ) -> CampaignAccount:
        """An account for a campaign with no lease out (new, or on the ledger's first start).

        ``spent_today`` is what the campaign spent since midnight UTC, when known (see
        :func:`ads.pacing.begin`).
        """
        return cls(
            flight,
            committed=committed,
            now=now,
            policy=policy,
            spent_today=spent_today,
            frozen_until=None,
        )

    @classmethod
    def recover(
        cls,
        flight: Flight,
        *,
        committed: Micros,
        now: datetime,
        policy: LeasePolicy,
        spent_today: Micros | None = None,
    ) -> CampaignAccount:
        """An account rebuilt after a ledger restart from the committed spend alone.

        Leases granted before the restart may still be spent and settled for ``ttl +
        settle_window``; until then the account grants nothing and commits what is settled from
        the unreserved budget.
        """
        return cls(
            flight,
            committed=committed,
            now=now,
            policy=policy,
            spent_today=spent_today,
            frozen_until=now + policy.ttl + policy.settle_window,
        )

    @property
    def flight(self) -> Flight:
        return self._flight

    @property
    def committed(self) -> Micros:
        """Spend reported by impression flushes, up to the budget."""
        return self._committed

    @property
    def reserved(self) -> Micros:
        """Granted and not yet settled, released or expired."""
        return self._reserved

    @property
    def overspend(self) -> Micros:
        """Spend settled beyond the budget; stays 0 while the lease contract holds."""
        return self._overspend

    @property
    def unreserved(self) -> Micros:
        """Budget neither committed nor reserved."""
        return max(0, self._flight.budget - self._committed - self._reserved)

    def is_complete(self, now: datetime) -> bool:
        """True once the flight is over or not even one more impression is affordable."""
        return now >= self._flight.end or self._flight.budget - self._committed < self._flight.cost

    def update(self, flight: Flight) -> None:
        """Apply a management change (budget, CPM, dates, daily cap) from the next grant on.

        Grants already out stay valid: a budget cut below ``committed + reserved`` stops new
        grants until the reservations are settled or expire.
        """
        self._flight = flight

    def grant(self, replica: str, requested: Micros, *, now: datetime) -> Grant:
        """Reserve up to ``requested`` for ``replica`` and return the grant.

        The amount is a whole number of impressions, limited by the unreserved budget and the
        pacing allowance, and to half of an even split of those among the replicas granted
        something within the last ``ttl`` (but at least one impression), so that the last
        impressions are shared out rather than hoarded. It is 0 while the account is frozen
        after a restart.
        """
        policy, flight = self._policy, self._flight
        self.expire(now)
        expires_at = now + policy.ttl + policy.settle_window
        if self._frozen_until is not None:
            if now < self._frozen_until:
                return Grant(
                    amount=0, ttl=policy.ttl, expires_at=expires_at, retry_at=self._frozen_until
                )
            self._frozen_until = None
        spent = self._committed + self._reserved
        self._marks = advance(flight, self._marks, spent=spent, now=now, bucket=policy.bucket)
        pace = allowance(
            flight,
            self._marks,
            spent=spent,
            now=now,
            bucket=policy.bucket,
            catch_up=policy.catch_up,
        )
        available = min(self.unreserved, pace)
        holders = len(self._holders) + (replica not in self._holders)
        amount = min(requested, available, max(available // (2 * holders), flight.cost))
        amount -= amount % flight.cost
        if amount <= 0:
            retry_at = self._next_chance(now)
            return Grant(amount=0, ttl=policy.ttl, expires_at=expires_at, retry_at=retry_at)
        self._reservations.append(_Reservation(amount=amount, expires_at=expires_at))
        self._reserved += amount
        self._holders.pop(replica, None)
        self._holders[replica] = now + policy.ttl
        return Grant(amount=amount, ttl=policy.ttl, expires_at=expires_at)

    def settle(self, spend: Micros) -> None:
        """Commit ``spend`` from an impression flush, drawing down the oldest reservations."""
        if spend < 0:
            raise ValueError("spend must not be negative")
        covered = self._draw_down(spend)
        self._committed += covered
        absorbed = min(spend - covered, self.unreserved)
        self._committed += absorbed
        self._overspend += spend - covered - absorbed

    def release(self, refunds: Iterable[Refund], *, now: datetime) -> Micros:
        """Take back money that replicas will not spend; the amount taken back.

        Refunds of grants whose reservation has expired by ``now`` are ignored: that money
        already came back.
        """
        self.expire(now)
        live = [refund.amount for refund in refunds if refund.expires_at > now]
        if any(amount < 0 for amount in live):
            raise ValueError("a refund must not be negative")
        return self._draw_down(sum(live))

    def expire(self, now: datetime) -> Micros:
        """Return the reservations whose time is up to the budget; the amount returned."""
        queue, returned = self._reservations, 0
        while queue and queue[0].expires_at <= now:
            returned += queue.popleft().amount
        self._reserved -= returned
        holders = self._holders
        while holders:
            replica, until = next(iter(holders.items()))
            if until > now:
                break
            del holders[replica]
        return returned

    def _next_chance(self, now: datetime) -> datetime:
        """When pacing may release more (the next bucket) or a reservation comes back."""
        if now < self._flight.start:
            return self._flight.start
        chance = self._marks.bucket_end
        if self._reservations:
            chance = min(chance, self._reservations[0].expires_at)
        return chance

    def _draw_down(self, amount: Micros) -> Micros:
        """Take up to ``amount`` off the oldest reservations; how much was taken."""
        queue, left = self._reservations, amount
        while left and queue:
            head = queue[0]
            if head.amount > left:
                head.amount -= left
                left = 0
            else:
                left -= head.amount
                queue.popleft()
        self._reserved -= amount - left
        return amount - left


class LocalLease:
    """A decision replica's lease on one campaign, spent per request without any I/O.

    Grants are spent oldest first, each only until ``ttl`` after it was added; what is left of a
    grant by then is forfeited, to be refunded with the next refill.
    """

    __slots__ = ("_balance", "_forfeited", "_held", "_recheck_at", "_retry_at", "_size")

    def __init__(self) -> None:
        self._held: deque[_Held] = deque()
        self._balance: Micros = 0
        self._forfeited: list[Refund] = []
        self._size: Micros = 0
        self._retry_at: datetime | None = None
        self._recheck_at: datetime | None = None

    def recheck(self, at: datetime) -> None:
        """Ask again by ``at`` however far an empty grant received before then puts it off: the
        campaign is new or its terms changed, and a ledger that had not read the change yet
        named a retry time for the old terms (a daypart that was off, a budget spent)."""
        self._recheck_at = at
        if self._retry_at is not None:
            self._retry_at = min(self._retry_at, at)

    def balance(self, now: datetime) -> Micros:
        """What may still be spent at ``now``."""
        held = self._held
        while held and held[0].spend_by <= now:
            lapsed = held.popleft()
            self._balance -= lapsed.amount
            self._forfeited.append(Refund(amount=lapsed.amount, expires_at=lapsed.expires_at))
        return self._balance

    def add(self, grant: Grant, *, now: datetime) -> None:
        """Add a grant received at ``now``."""
        retry = grant.retry_at
        if self._recheck_at is not None:
            if retry is not None and now < self._recheck_at:
                retry = min(retry, self._recheck_at)
            elif now >= self._recheck_at:
                self._recheck_at = None
        self._retry_at = retry
        if grant.amount > 0:
            spend_by = now + grant.ttl
            for held in reversed(self._held):  # a shorter ttl than before: keep them in order
                if held.spend_by <= spend_by:
                    break
                held.spend_by = spend_by
            self._held.append(
                _Held(amount=grant.amount, spend_by=spend_by, expires_at=grant.expires_at)
            )
            self._balance += grant.amount
            self._size = self.balance(now)

    def try_spend(self, cost: Micros, now: datetime) -> bool:
        """Spend ``cost`` if the lease still holds that much at ``now``; O(1) amortised."""
        if cost > self.balance(now):
            return False
        self._balance -= cost
        held = self._held
        while cost:
            head = held[0]
            if head.amount > cost:
                head.amount -= cost
                return True
            cost -= head.amount
            held.popleft()
        return True

    def needs_refill(self, low_water_fraction: float, *, now: datetime) -> bool:
        """True when the balance is at most ``low_water_fraction`` of what the last refill left,
        unless the last grant was empty and its ``retry_at`` is still ahead.
        """
        if self._retry_at is not None and now < self._retry_at:
            return False
        return self.balance(now) <= self._size * low_water_fraction

    def lapses_within(self, now: datetime, horizon: timedelta) -> bool:
        """True when the grant spent next lapses within ``horizon``: time to ask for the next
        one, so the lease does not run dry while the refill is on its way."""
        return bool(self._held) and self._held[0].spend_by <= now + horizon

    def take_refunds(self, now: datetime) -> list[Refund]:
        """What was forfeited by ``now`` and not yet taken, to refund with the next refill."""
        self.balance(now)
        refunds, self._forfeited = self._forfeited, []
        return refunds

    def drain(self, now: datetime) -> list[Refund]:
        """Everything still spendable, and what was forfeited, taken out of the lease to be
        refunded (on shutdown, or when the replica stops serving the campaign).
        """
        refunds = self.take_refunds(now)
        refunds += [Refund(amount=h.amount, expires_at=h.expires_at) for h in self._held]
        self._held.clear()
        self._balance = self._size = 0
        return refunds
