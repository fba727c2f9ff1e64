"""Sends the daily digest (ads/digest.py) to the operator's webhook once a day, from the hour set
on, for the day before; a day is marked sent only after the webhook answered 2xx, so a digest
refused or lost is sent again a minute later (at least once, ``X-CTV-Delivery`` telling repeats
apart). Runs in the CatalogSync actor."""

from __future__ import annotations

from datetime import date, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actors.notifier import WebhookRefused
from ads.digest import body, delivery_id, due
from ads.notifications import headers
from storage.digest import gather, last_sent, mark_sent
from storage.inventory import RedisInventory


class DigestSender:
    """The digest of each day to ``url`` at ``hour`` UTC (None: no digest)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        inventory: RedisInventory,
        *,
        url: str | None,
        secret: str | None,
        hour: int | None,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._sessions = sessions
        self._inventory = inventory
        self._url = url
        self._secret = secret
        self._hour = hour
        self._client = httpx.AsyncClient(timeout=timeout_seconds) if url else None

    async def step(self, now: datetime) -> date | None:
        """Send the digest due at ``now``, if one is; the day it was of. Raises when the
        webhook refused it."""
        if self._client is None or self._hour is None:
            return None
        async with self._sessions() as session:
            day = due(now, hour=self._hour, last_sent=await last_sent(session))
        return None if day is None else await self.send(day, now=now)

    async def send(self, day: date, *, now: datetime) -> date:
        """Send the digest of ``day`` as of ``now`` (sent or not before) and mark it sent."""
        if self._client is None or self._url is None:
            raise WebhookRefused("no webhook is set (NOTIFY_WEBHOOK_URL)")
        async with self._sessions() as session:
            digest = await gather(session, self._inventory, day=day, now=now)
        payload = body(digest)
        answer = await self._client.post(
            self._url, content=payload, headers=headers(delivery_id(day), payload, self._secret)
        )
        if not answer.is_success:
            raise WebhookRefused(f"webhook answered {answer.status_code} to the digest of {day}")
        async with self._sessions.begin() as session:
            await mark_sent(session, day, at=now)
        return day
