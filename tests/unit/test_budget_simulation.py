"""Budget simulations: flights of days run in seconds on a fake clock stepping a minute.

Decision replicas hold a :class:`LocalLease` per campaign, refill it at a low-water mark (refunding
what lapsed) and serve Poisson-ish requests that follow a daily curve. An ad's impression beacon
fires one to four minutes after it was served, or never for an ad that is never played, and a
sink settles each minute's beacons into the campaign accounts. *Delivered* spend is what the
advertiser is billed: impressions whose beacon fired, at their CPM.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ads.campaigns import Pacing
from ads.dayparts import Daypart, weekly_hours
from ads.leases import CampaignAccount, LeasePolicy, LocalLease
from ads.pacing import Flight, impression_cost, planned_spend, to_micros

START = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
"""Mid-morning, so that the first and last days of a flight are partial."""
STEP = timedelta(minutes=1)
HOUR = timedelta(hours=1)
POLICY = LeasePolicy(ttl=timedelta(minutes=2), settle_window=timedelta(minutes=6))
LOW_WATER = 0.5
BEACON_DELAYS = tuple(STEP * minutes for minutes in range(1, 5))


class Simulation:
    """Replicas, a sink and the ledger's accounts for ``flights``, driven one step at a time.

    ``demand`` is the mean number of requests per replica and minute for each campaign, over a
    day; the rate swings by ±50% around it in the course of the day.
    """

    def __init__(
        self,
        flights: dict[str, Flight],
        *,
        demand: dict[str, float],
        seed: int,
        replicas: int = 3,
        never_played: float = 0.0,
    ) -> None:
        self.flights = flights
        self.now = min(f.start for f in flights.values())
        self.accounts = {
            cid: CampaignAccount.open(f, now=self.now, policy=POLICY) for cid, f in flights.items()
        }
        self.delivered = dict.fromkeys(flights, 0)
        self.requests = dict.fromkeys(flights, 0)
        self.filled = dict.fromkeys(flights, 0)
        self._demand = demand
        self._leases = [{cid: LocalLease() for cid in flights} for _ in range(replicas)]
        self._rng = random.Random(seed)
        self._never_played = never_played
        self._beacons: defaultdict[datetime, Counter[str]] = defaultdict(Counter)
        self._committed_at_midnight = dict.fromkeys(flights, 0)
        self._steps = 0

    def step(self) -> None:
        """One minute: the sink flushes, then every replica refills and serves, in turn."""
        now = self.now
        if now.hour == now.minute == 0:
            self._committed_at_midnight = {c: a.committed for c, a in self.accounts.items()}
        for cid, spend in self._beacons.pop(now, {}).items():
            self.accounts[cid].settle(spend)
        swing = 1 + 0.5 * math.sin(2 * math.pi * (now.hour * 60 + now.minute) / 1440)
        replicas = len(self._leases)
        for turn in range(replicas):
            replica = (self._steps + turn) % replicas
            for cid, lease in self._leases[replica].items():
                flight = self.flights[cid]
                if not flight.start <= now < flight.end:
                    continue
                if flight.daypart is not None and not flight.daypart.active_at(now):
                    continue  # not eligible: the index serves it only in its hours
                mean = self._demand[cid] * swing
                if lease.needs_refill(LOW_WATER, now=now):
                    account = self.accounts[cid]
                    account.release(lease.take_refunds(now), now=now)
                    asked = math.ceil(4 * mean) * flight.cost
                    lease.add(account.grant(f"replica-{replica}", asked, now=now), now=now)
                arrivals = max(0, round(self._rng.gauss(mean, math.sqrt(mean))))
                self._serve(cid, lease, arrivals=arrivals)
        self._steps += 1
        self.now = now + STEP

    def restart_ledger(self, *, recover: bool = True) -> None:
        """Rebuild every account from its committed spend (and today's, from the daily roll-up),
        as a restarted ledger would; ``recover=False`` forgets that leases may still be out.
        """
        rebuild = CampaignAccount.recover if recover else CampaignAccount.open
        self.accounts = {
            cid: rebuild(
                self.flights[cid],
                committed=account.committed,
                now=self.now,
                policy=POLICY,
                spent_today=account.committed - self._committed_at_midnight[cid],
            )
            for cid, account in self.accounts.items()
        }

    def flush(self) -> None:
        """Step on until every beacon fired has been settled."""
        while self._beacons:
            self.step()

    def _serve(self, cid: str, lease: LocalLease, *, arrivals: int) -> None:
        cost, now, played = self.flights[cid].cost, self.now, 1 - self._never_played
        served = 0
        while served < arrivals and lease.try_spend(cost, now):
            served += 1
        self.requests[cid] += arrivals
        self.filled[cid] += served
        for _ in range(served):
            draw = self._rng.random()  # played below ``played``, then a uniform beacon delay
            if draw < played:
                delay = BEACON_DELAYS[int(draw / played * len(BEACON_DELAYS))]
                self._beacons[now + delay][cid] += cost
                self.delivered[cid] += cost


def pacing_error(sim: Simulation, cid: str) -> float:
    """Delivered spend against the plan, as a fraction of the plan (negative when behind)."""
    plan = planned_spend(sim.flights[cid], sim.now)
    return (sim.delivered[cid] - plan) / plan


def underspend(sim: Simulation, cid: str) -> float:
    """The part of the budget left undelivered."""
    budget = sim.flights[cid].budget
    return (budget - sim.delivered[cid]) / budget


def small_flights(
    count: int, *, seed: int, start: datetime, hours: int, pacing: Pacing | None = None
) -> dict[str, Flight]:
    """``count`` campaigns with budgets of 10 to 100 impressions at assorted CPMs."""
    rng = random.Random(seed)
    flights = {}
    for number in range(count):
        cost = impression_cost(Decimal(rng.choice(["2.50", "8.00", "12.34", "25.00", "40.10"])))
        flights[f"small-{number}"] = Flight(
            budget=rng.randint(10, 100) * cost,
            cost=cost,
            pacing=pacing or (Pacing.EVEN, Pacing.ASAP)[number % 2],
            start=start,
            end=start + timedelta(hours=hours),
        )
    return flights


def month_flight(daypart: Daypart | None = None) -> Flight:
    """The simulations' 30-day even flight: $4,321 at a CPM of $12.34 (~350,000 impressions)."""
    return Flight(
        budget=to_micros(Decimal("4321.00")),
        cost=impression_cost(Decimal("12.34")),
        pacing=Pacing.EVEN,
        start=START,
        end=START + timedelta(days=30),
        daypart=daypart,
    )


def test_even_pacing_stays_within_two_percent_of_plan_every_hour() -> None:
    flight = month_flight()
    needed = flight.budget / flight.cost / ((flight.end - flight.start) / STEP)
    # Three replicas each see the whole need on average: 1.5x to 4.5x of it over a day.
    sim = Simulation({"even": flight}, demand={"even": needed}, seed=6, never_played=0.01)
    errors = []
    while sim.now < flight.end:
        sim.step()
        if (sim.now - START) % HOUR == timedelta(0):
            errors.append(pacing_error(sim, "even"))
    sim.flush()
    assert len(errors) == 30 * 24
    assert max(map(abs, errors)) <= 0.02
    assert 0 <= underspend(sim, "even") <= 0.01
    assert sim.accounts["even"].overspend == 0


def run_prime_time(seed: int) -> tuple[float, float, int, int]:
    """A 30-day even flight that runs Mon-Fri 18:00-23:00 New York time: worst hourly error
    against plan, underspend, overspend, and spend outside its hours."""
    prime = Daypart(weekly_hours(set(range(5)), 18, 23), zone="America/New_York")
    flight = month_flight(prime)
    minutes = prime.active_micros(flight.start, flight.end) / (STEP / timedelta(microseconds=1))
    needed = flight.budget / flight.cost / minutes
    sim = Simulation({"prime": flight}, demand={"prime": needed}, seed=seed, never_played=0.01)
    worst, off_hours = 0.0, 0
    while sim.now < flight.end:
        before, on_air = sim.delivered["prime"], prime.active_at(sim.now)
        sim.step()
        if not on_air:
            off_hours += sim.delivered["prime"] - before
        if (sim.now - START) % HOUR == timedelta(0) and planned_spend(flight, sim.now) > 0:
            worst = max(worst, abs(pacing_error(sim, "prime")))
    sim.flush()
    return worst, underspend(sim, "prime"), sim.accounts["prime"].overspend, off_hours


def test_a_dayparted_flight_delivers_its_budget_in_its_hours_only() -> None:
    worst, under, over, off_hours = run_prime_time(seed=8)
    assert off_hours == 0
    assert worst <= 0.02
    assert 0 <= under <= 0.01
    assert over == 0


def test_asap_spends_as_fast_as_traffic_allows() -> None:
    flight = Flight(
        budget=to_micros(Decimal("5000.00")),
        cost=impression_cost(Decimal("25.00")),
        pacing=Pacing.ASAP,
        start=START,
        end=START + timedelta(days=30),
    )
    # About 40,000 requests a day for 200,000 impressions: five days of traffic.
    sim = Simulation({"asap": flight}, demand={"asap": 40_000 / 1440 / 3}, seed=7)
    affordable = flight.budget // flight.cost
    could_sell_out = None  # when the requests so far, all filled, would have bought the budget
    while sim.filled["asap"] < affordable and sim.now < flight.end:
        sim.step()
        if could_sell_out is None and sim.requests["asap"] >= affordable:
            could_sell_out = sim.now
    sim.flush()
    assert could_sell_out is not None
    assert timedelta(days=4) < could_sell_out - START < timedelta(days=6)
    assert sim.now - could_sell_out <= timedelta(minutes=15)
    assert sim.delivered["asap"] == affordable * flight.cost
    assert sim.accounts["asap"].overspend == 0


def test_small_budgets_under_heavy_traffic_are_never_overspent() -> None:
    flights = small_flights(40, seed=8, start=START, hours=6)
    # Every replica sees 4 requests a minute for each campaign: over 6 hours, 4,320 requests for
    # budgets of 10 to 100 impressions.
    sim = Simulation(flights, demand=dict.fromkeys(flights, 4.0), seed=9)
    while sim.now < START + timedelta(hours=6):
        sim.step()
    sim.flush()
    for cid, flight in flights.items():
        assert sim.delivered[cid] <= flight.budget, cid
        assert underspend(sim, cid) <= 0.01, cid
        assert sim.accounts[cid].overspend == 0, cid


@pytest.mark.parametrize("recover", [True, False], ids=["recovered", "reopened (control)"])
def test_ledger_restart_mid_flight_never_overspends(recover: bool) -> None:
    """The ledger restarts halfway through the small campaigns selling out, with the long one
    mid-flight. Rebuilt as if no lease were out, it overspends: the control run.
    """
    restart = START + timedelta(days=1, hours=3, minutes=7)
    long = Flight(
        budget=to_micros(Decimal("900.00")),
        cost=impression_cost(Decimal("10.00")),
        pacing=Pacing.EVEN,
        start=START,
        end=START + timedelta(days=3),
    )
    small = small_flights(
        20, seed=10, start=restart - timedelta(minutes=10), hours=2, pacing=Pacing.ASAP
    )
    flights = {"long": long, **small}
    # The small campaigns would sell out in about 20 minutes; the long one needs ~21 a minute.
    demand = {cid: f.budget / f.cost / 60 for cid, f in small.items()} | {"long": 20.0}
    sim = Simulation(flights, demand=demand, seed=11, never_played=0.01)
    errors = []
    while sim.now < long.end:
        if sim.now == restart:
            sim.restart_ledger(recover=recover)
        sim.step()
        if (sim.now - START) % HOUR == timedelta(0):
            errors.append(pacing_error(sim, "long"))
    sim.flush()
    overspent = [cid for cid, f in flights.items() if sim.delivered[cid] > f.budget]
    if not recover:
        assert overspent
        return
    assert overspent == []
    assert max(map(abs, errors)) <= 0.02
    for cid in flights:
        assert underspend(sim, cid) <= 0.01, cid
        assert sim.accounts[cid].overspend == 0, cid
