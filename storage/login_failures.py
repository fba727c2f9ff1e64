"""Failed logins per email in Redis: after too many wrong passwords within the lockout window,
logins for that email are refused (429) until the window ends, so passwords cannot be guessed
at the speed of the API. A correct password clears the count."""

from __future__ import annotations

from redis.asyncio import Redis


class LoginFailures:
    """``<prefix>login-failures:<email>``: a counter that lives ``window_seconds`` from the first
    failure it counts."""

    def __init__(self, redis: Redis, *, prefix: str, limit: int, window_seconds: int) -> None:
        self._redis = redis
        self._prefix = prefix
        self._limit = limit
        self._window = window_seconds

    def _key(self, email: str) -> str:
        return f"{self._prefix}login-failures:{email}"

    async def locked_for(self, email: str) -> int | None:
        """Seconds until ``email`` may try again; None while it may try now."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(self._key(email))
            pipe.ttl(self._key(email))
            count, ttl = await pipe.execute()
        if count is None or int(count) < self._limit:
            return None
        return max(int(ttl), 1)

    async def failed(self, email: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(self._key(email))
            pipe.expire(self._key(email), self._window, nx=True)
            await pipe.execute()

    async def succeeded(self, email: str) -> None:
        await self._redis.delete(self._key(email))
