"""Decision counts for operators: requests by endpoint and outcome, and ads served.

A Ray metric call per request would cost the hot path several µs, so a replica adds its counts
up in a plain :class:`collections.Counter` and hands the totals to Ray's metrics every few
seconds (exported as ``ray_ctv_decisions_total``, ``ray_ctv_ads_served_total``,
``ray_ctv_frequency_capped_total`` and ``ray_ctv_tracking_limited_total``; fill rate is
``filled / (filled + no_fill)``), and adds them to the hour's ad-inventory counts in Redis
(storage/inventory.py) for the dashboard, with the day's sample of who asked (ads/audience.py)
for targeted forecasts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import UTC, date, datetime

from ray.util import metrics
from redis.exceptions import RedisError

from ads.audience import SAMPLE_EVERY, RequestProfile
from ads.inventory import InventoryCounts, hour_of
from ads.privacy import Limit
from storage.inventory import KEEP, RedisInventory

logger = logging.getLogger(__name__)

FILLED, NO_FILL, INVALID, ROBOT = "filled", "no_fill", "invalid", "robot"


class DecisionMetrics:
    """Counts per replica; :meth:`start` flushes them to Ray, and to ``inventory``, every
    ``flush_seconds``."""

    def __init__(
        self, *, flush_seconds: float = 5.0, inventory: RedisInventory | None = None
    ) -> None:
        self._flush_seconds = flush_seconds
        self._inventory = inventory
        self._requests: Counter[tuple[str, str]] = Counter()
        self._ads: Counter[str] = Counter()
        self._capped: Counter[str] = Counter()
        self._limited: Counter[tuple[str, Limit]] = Counter()
        self._house_ads = 0
        self._house_only = 0
        self._unstored: dict[datetime, InventoryCounts] = {}
        """Inventory counts by hour not yet in Redis (kept while it is away)."""
        self._until_sample = SAMPLE_EVERY
        self._profiles: Counter[RequestProfile] = Counter()
        self._unstored_samples: dict[date, Counter[str]] = {}
        self._task: asyncio.Task[None] | None = None
        self._requests_metric = metrics.Counter(
            "ctv_decisions",
            description="Ad requests by endpoint (json, vast) and outcome (filled, no_fill, "
            "invalid, robot).",
            tag_keys=("endpoint", "outcome"),
        )
        self._ads_metric = metrics.Counter(
            "ctv_ads_served",
            description="Ads served, each ad of a pod counted.",
            tag_keys=("endpoint",),
        )
        self._capped_metric = metrics.Counter(
            "ctv_frequency_capped",
            description="Ad requests in which a frequency cap held back a campaign for the device.",
            tag_keys=("endpoint",),
        )
        self._limited_metric = metrics.Counter(
            "ctv_tracking_limited",
            description="Ad requests whose privacy signals kept the device id from frequency "
            "caps or reach, by reason (lmt: limit ad tracking, coppa, gdpr: no consent).",
            tag_keys=("endpoint", "reason"),
        )

    def served(
        self,
        endpoint: str,
        ads: int,
        *,
        capped: bool = False,
        house_ads: int = 0,
        limited: Limit | None = None,
    ) -> None:
        """One request of ``endpoint`` answered with ``ads`` ads (0: no fill), ``house_ads`` of
        them of house campaigns; ``capped``: a frequency cap held back a campaign for it;
        ``limited``: why its privacy signals kept its device id out of caps or reach."""
        self._requests[endpoint, FILLED if ads else NO_FILL] += 1
        if ads:
            self._ads[endpoint] += ads
        if capped:
            self._capped[endpoint] += 1
        if limited is not None:
            self._limited[endpoint, limited] += 1
        if house_ads:
            self._house_ads += house_ads
            self._house_only += house_ads == ads

    def sampling(self) -> bool:
        """Whether the request being decided is one of the sampled (one in
        :data:`SAMPLE_EVERY`): then :meth:`sampled` takes its profile."""
        self._until_sample -= 1
        if self._until_sample:
            return False
        self._until_sample = SAMPLE_EVERY
        return True

    def sampled(self, profile: RequestProfile) -> None:
        self._profiles[profile] += 1

    def refused(self, endpoint: str) -> None:
        """One request of ``endpoint`` refused as invalid (a 4xx)."""
        self._requests[endpoint, INVALID] += 1

    def robot(self, endpoint: str) -> None:
        """One request of ``endpoint`` from a self-declared robot, answered with no ad."""
        self._requests[endpoint, ROBOT] += 1

    def start(self) -> None:
        self._task = asyncio.create_task(self._flush_loop(), name="decision-metrics")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.flush()
        with contextlib.suppress(TimeoutError):  # a replica going away does not wait on Redis
            await asyncio.wait_for(self.store(), timeout=2.0)

    def flush(self) -> None:
        """Hand the counts gathered since the last flush to Ray, and set them aside for the
        inventory under the current hour (a flush near an hour's end may land a few seconds'
        requests in the next)."""
        requests, self._requests = self._requests, Counter()
        ads, self._ads = self._ads, Counter()
        capped, self._capped = self._capped, Counter()
        limited, self._limited = self._limited, Counter()
        if self._inventory is not None and requests:
            outcomes: Counter[str] = Counter()
            for (_, outcome), count in requests.items():
                outcomes[outcome] += count
            counts = InventoryCounts(
                requests=outcomes[FILLED] + outcomes[NO_FILL],
                filled=outcomes[FILLED],
                house_only=self._house_only,
                ads=sum(ads.values()),
                house_ads=self._house_ads,
                invalid=outcomes[INVALID],
                robots=outcomes[ROBOT],
            )
            hour = hour_of(datetime.now(UTC))
            self._unstored[hour] = self._unstored.get(hour, InventoryCounts()) + counts
        profiles, self._profiles = self._profiles, Counter()
        if self._inventory is not None and profiles:
            day = self._unstored_samples.setdefault(datetime.now(UTC).date(), Counter())
            day.update({profile.key(): count for profile, count in profiles.items()})
        self._house_ads = self._house_only = 0
        for (endpoint, outcome), count in requests.items():
            self._requests_metric.inc(count, tags={"endpoint": endpoint, "outcome": outcome})
        for endpoint, count in ads.items():
            self._ads_metric.inc(count, tags={"endpoint": endpoint})
        for endpoint, count in capped.items():
            self._capped_metric.inc(count, tags={"endpoint": endpoint})
        for (endpoint, reason), count in limited.items():
            self._limited_metric.inc(count, tags={"endpoint": endpoint, "reason": reason.value})

    async def store(self) -> None:
        """Add the inventory counts set aside to Redis; while it is away they wait for the next
        try (those older than Redis keeps are let go)."""
        if self._inventory is None or not (self._unstored or self._unstored_samples):
            return
        unstored, self._unstored = self._unstored, {}
        samples, self._unstored_samples = self._unstored_samples, {}
        try:
            await self._inventory.add(unstored, samples)
        except (RedisError, OSError) as exc:
            oldest = hour_of(datetime.now(UTC)) - KEEP
            for hour, counts in unstored.items():
                if hour > oldest:
                    self._unstored[hour] = counts + self._unstored.get(hour, InventoryCounts())
            for day, profiles in samples.items():
                if day > oldest.date():
                    self._unstored_samples.setdefault(day, Counter()).update(profiles)
            logger.warning("inventory counts not stored, kept for the next try: %s", exc)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self._flush_seconds)
            try:
                self.flush()
                await self.store()
            except Exception:
                logger.exception("decision metrics flush failed")
