"""Beacon ingest on the serving replicas: verify the signature, append to the event stream,
and only then answer. While Redis is unreachable, verified beacons wait in a bounded local
spill (in order) that drains as soon as Redis answers again; when the spill is full the
player gets 503 so it can retry, and nothing that was acknowledged is dropped."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Mapping

from ray.util import metrics
from redis.exceptions import RedisError

from ads.errors import BeaconExpired, DomainError, InvalidSignature, Unavailable
from ads.events import stream_fields
from ads.invalid_traffic import InvalidReason
from ads.tracking import IMPRESSION, Beacon, BeaconVerifier
from storage.event_stream import EventStream

logger = logging.getLogger(__name__)

_DRAIN_BATCH = 500
_MAX_BACKOFF_SECONDS = 2.0


class BeaconIngest:
    """Verifies and durably records beacons for one replica."""

    def __init__(
        self,
        stream: EventStream,
        verifier: BeaconVerifier,
        *,
        max_age_seconds: float,
        impression_max_age_seconds: float,
        spill_limit: int,
    ) -> None:
        self._stream = stream
        self._verifier = verifier
        self._max_age = max_age_seconds
        self._impression_max_age = impression_max_age_seconds
        self._spill: deque[dict[str, str]] = deque()
        self._spill_limit = spill_limit
        self._drainer: asyncio.Task[None] | None = None
        self._accepted = metrics.Counter(
            "ctv_beacons_accepted", description="Beacons recorded.", tag_keys=("event",)
        )
        self._rejected = metrics.Counter(
            "ctv_beacons_rejected", description="Beacons refused.", tag_keys=("reason",)
        )
        self._invalid = metrics.Counter(
            "ctv_beacons_invalid",
            description="Beacons recorded as invalid traffic (robots, prefetches, excluded "
            "networks): not counted.",
            tag_keys=("reason",),
        )
        self._spilled = metrics.Gauge(
            "ctv_beacon_spill_size", description="Beacons waiting for Redis in this replica."
        )

    @property
    def spill_size(self) -> int:
        return len(self._spill)

    def verify(self, params: Mapping[str, str], *, now: float) -> Beacon:
        """The verified beacon; the typed error (counted by reason) when it is not ours."""
        try:
            beacon = self._verifier.verify(params, max_age_seconds=self._max_age, now=now)
            if beacon.event == IMPRESSION and now - beacon.served_at > self._impression_max_age:
                # Its budget reservation may be back in the pool: billing it could overspend.
                raise BeaconExpired("impression reported too long after the ad was served")
            return beacon
        except DomainError as exc:
            reason = (
                "signature"
                if isinstance(exc, InvalidSignature)
                else "expired"
                if isinstance(exc, BeaconExpired)
                else "malformed"
            )
            self.reject(reason)
            raise

    def reject(self, reason: str) -> None:
        self._rejected.inc(tags={"reason": reason})

    async def record(
        self,
        beacon: Beacon,
        *,
        received_at_ms: int,
        user_agent: str | None,
        place: str | None = None,
        invalid: InvalidReason | None = None,
    ) -> None:
        """Return once the beacon is in the stream (or, with Redis away, in the spill);
        ``invalid`` says why it is invalid traffic, if it is."""
        fields = stream_fields(
            beacon,
            received_at_ms=received_at_ms,
            user_agent=user_agent,
            place=place,
            invalid=invalid,
        )
        if not self._spill:
            try:
                await self._stream.append(fields)
            except (RedisError, OSError) as exc:
                logger.warning("event stream unavailable, spilling locally: %s", exc)
            else:
                self._recorded(beacon.event, invalid)
                return
        if len(self._spill) >= self._spill_limit:
            self.reject("spill_full")
            raise Unavailable("beacon store is temporarily unavailable; retry shortly")
        self._spill.append(fields)
        self._spilled.set(len(self._spill))
        self._recorded(beacon.event, invalid)
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())

    def _recorded(self, event: str, invalid: InvalidReason | None) -> None:
        self._accepted.inc(tags={"event": event})
        if invalid is not None:
            self._invalid.inc(tags={"reason": invalid})

    async def _drain(self) -> None:
        backoff = 0.05
        while self._spill:
            batch = [self._spill[i] for i in range(min(_DRAIN_BATCH, len(self._spill)))]
            try:
                await self._stream.append_many(batch)
            except (RedisError, OSError):
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)
                continue
            for _ in batch:
                self._spill.popleft()
            self._spilled.set(len(self._spill))
            backoff = 0.05
