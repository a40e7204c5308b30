"""Fixtures for the rate-limit tests: a Redis server with a key prefix of the test's own.

Redis: `TEST_REDIS_URL` (default the local server). When it is unreachable the Redis tests are
skipped, unless `GATEWAY_REQUIRE_REDIS=1` (set by CI) makes that a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_url() -> str:
    """The Redis server the tests use."""
    return os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)


async def delete_prefixed(client: Redis, prefix: str) -> None:
    """Remove every key under `prefix`."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)


async def require_redis(client: Redis) -> None:
    """Skip the test (or fail it, under GATEWAY_REQUIRE_REDIS=1) when `client` cannot reach Redis."""
    try:
        await client.ping()
    except Exception as error:  # any failure to reach the server means the Redis half cannot run
        await client.aclose()
        if os.environ.get("GATEWAY_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but unreachable at {redis_url()}: {error!r}")
        pytest.skip(f"Redis unreachable at {redis_url()}: {error!r}")


def unique_prefix() -> str:
    """A key prefix no other test uses."""
    return f"test-{uuid.uuid4().hex}:"


@pytest.fixture
async def redis_client() -> AsyncIterator[Redis]:
    """A client of the test Redis server (the test is skipped when none answers)."""
    client = Redis.from_url(redis_url(), socket_connect_timeout=2, socket_timeout=2)
    await require_redis(client)
    yield client
    await client.aclose()


@pytest.fixture
async def redis_prefix(redis_client: Redis) -> AsyncIterator[str]:
    """A key prefix of the test's own; its keys are deleted afterwards."""
    prefix = unique_prefix()
    yield prefix
    await delete_prefixed(redis_client, prefix)
