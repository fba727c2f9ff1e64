"""The one way the stack opens Redis: string replies, short timeouts, and a few quick retries
so that connections broken by a Redis restart heal on the next command instead of failing it."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


def connect(url: str) -> Redis:
    """An asyncio client for ``url`` (connections open lazily)."""
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2,
        health_check_interval=15,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.02), retries=3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
