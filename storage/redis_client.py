"""The one way the stack opens Redis: string replies, short timeouts, and a few quick retries
so that connections broken by a Redis restart heal on the next command instead of failing it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
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


logger = logging.getLogger(__name__)
_MAX_BACKOFF_SECONDS = 5.0


async def follow_channel(
    redis: Redis,
    channel: str,
    on_message: Callable[[Any], None],
    *,
    on_subscribed: Callable[[], None] = lambda: None,
) -> None:
    """Call ``on_message`` with the data of every message on ``channel``, for ever: resubscribes
    with backoff when Redis goes away, and calls ``on_subscribed`` each time it is subscribed
    (messages sent in between are lost: the caller may need to catch up then)."""
    backoff = 0.1
    while True:
        try:
            async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(channel)
                on_subscribed()
                backoff = 0.1
                async for message in pubsub.listen():
                    on_message(message["data"])
        except (RedisError, OSError) as exc:
            logger.warning("lost Redis while following %s: %s", channel, exc)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)
