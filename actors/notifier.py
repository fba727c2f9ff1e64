"""Hands campaign news to the operator's webhook (ads/notifications.py), oldest first, at least
once: an entry is marked only after its webhook answered 2xx; until then it is retried with
backoff (the entries behind it wait, so news arrives in order). Without a webhook the entries
are marked as they come, so one set later starts with the news from then on. Runs in the
CatalogSync actor."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ads.notifications import ChangeEntry, body, headers, notified
from storage.notification_outbox import mark_notified, pending

logger = logging.getLogger(__name__)

BATCH = 50
MAX_BACKOFF_SECONDS = 60.0


class WebhookRefused(RuntimeError):
    """The webhook did not answer 2xx."""


class ChangeNotifier:
    """One notifier of the campaign history's news to ``url`` (None: no webhook)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        url: str | None,
        secret: str | None,
        timeout_seconds: float = 5.0,
    ) -> None:
        self._sessions = sessions
        self._url = url
        self._secret = secret
        self._client = httpx.AsyncClient(timeout=timeout_seconds) if url else None
        self.sent = 0
        self.failures = 0

    async def step(self) -> int:
        """Hand on what is pending (up to a batch); the entries handled. Raises when the
        webhook refused one (those before it are marked)."""
        refused: Exception | None = None
        async with self._sessions.begin() as session:
            entries = await pending(session, limit=BATCH)
            done: list[int] = []
            for entry in entries:
                if notified(entry):
                    try:
                        await self._send(entry)
                    except (httpx.HTTPError, WebhookRefused) as exc:
                        refused = exc
                        break
                done.append(entry.id)
            if done:
                await mark_notified(session, done, at=datetime.now(UTC))
        if refused is not None:
            raise refused
        return len(done)

    async def _send(self, entry: ChangeEntry) -> None:
        if self._client is None or self._url is None:
            return
        payload = body(entry)
        answer = await self._client.post(
            self._url, content=payload, headers=headers(str(entry.id), payload, self._secret)
        )
        if not answer.is_success:
            raise WebhookRefused(f"webhook answered {answer.status_code} to entry {entry.id}")
        self.sent += 1

    async def run(self, interval_seconds: float) -> None:
        """Step every ``interval_seconds`` (at once again while there is more), backing off
        while the webhook or the database fails."""
        backoff = interval_seconds
        while True:
            try:
                handled = await self.step()
                backoff = interval_seconds
                if handled == BATCH:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failures += 1
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                logger.warning("notifications held back %.0fs: %s", backoff, exc)
            await asyncio.sleep(backoff)
