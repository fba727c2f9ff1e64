"""Everything under tests/integration talks to the real stack and is marked ``integration``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.integration.factories import client_of, new_user
from tests.stack_fixtures import Stack

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def rds(stack: Stack) -> Iterator[redis.Redis]:
    """A client of the stack's Redis (strings in, strings out)."""
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def viewer(stack: Stack, api: httpx.Client) -> Iterator[httpx.Client]:
    """A logged-in viewer the admin just added."""
    with client_of(stack, new_user(api, "viewer")["email"]) as client:
        yield client


@pytest.fixture
def editor(stack: Stack, api: httpx.Client) -> Iterator[httpx.Client]:
    """A logged-in editor the admin just added."""
    with client_of(stack, new_user(api, "editor")["email"]) as client:
        yield client


@pytest.fixture
def serving(stack: Stack) -> Iterator[httpx.Client]:
    """A client of the player-facing endpoints (Ray Serve)."""
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        yield client
