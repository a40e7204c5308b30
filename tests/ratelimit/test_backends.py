"""Both backends under the same scenarios: in-process counters and Redis (a key prefix per test).

Redis is also charged through two independent clients at once, as two workers would be.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from app.ratelimit.limiter import Counters
from app.ratelimit.memory import InProcessCounters
from app.ratelimit.rules import Budget, Policy
from app.ratelimit.shared import RedisCounters
from tests.ratelimit.conftest import delete_prefixed, redis_url, require_redis, unique_prefix

POLICY = Policy(limit=5, window_seconds=60)


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def counters(request: pytest.FixtureRequest) -> AsyncIterator[Counters]:
    """One backend, fresh."""
    if request.param == "memory":
        yield InProcessCounters()
        return
    prefix = unique_prefix()
    shared = RedisCounters.from_url(redis_url(), prefix)
    await require_redis(shared.client)
    yield shared
    await delete_prefixed(shared.client, prefix)
    await shared.close()


async def charge(counters: Counters, points: int = 1, merchant_id: int = 7, budget: Budget = Budget.REST):
    return await counters.charge(merchant_id=merchant_id, budget=budget, points=points, policy=POLICY)


async def test_admits_up_to_the_limit_then_refuses(counters: Counters) -> None:
    results = [await charge(counters) for _ in range(7)]
    assert [result.allowed for result in results] == [True] * 5 + [False] * 2
    assert [result.remaining for result in results] == [4, 3, 2, 1, 0, 0, 0]
    assert all(result.counted and result.limit == 5 for result in results)
    refused = results[-1]
    assert 1 <= refused.retry_after_seconds <= 60
    assert refused.reset_seconds == refused.retry_after_seconds


async def test_points_are_counted_and_a_refused_charge_costs_nothing(counters: Counters) -> None:
    assert (await charge(counters, points=3)).remaining == 2
    assert not (await charge(counters, points=3)).allowed
    last = await charge(counters, points=2)
    assert (last.allowed, last.remaining) == (True, 0)


async def test_merchants_and_budgets_have_their_own_windows(counters: Counters) -> None:
    assert (await charge(counters, points=5, merchant_id=1)).allowed
    assert not (await charge(counters, merchant_id=1)).allowed
    assert (await charge(counters, merchant_id=2)).remaining == 4
    assert (await charge(counters, merchant_id=1, budget=Budget.GRAPHQL)).remaining == 4


async def test_a_charge_over_the_whole_budget_empties_a_fresh_window(counters: Counters) -> None:
    first = await charge(counters, points=500)
    assert (first.allowed, first.remaining) == (True, 0)
    assert not (await charge(counters, points=500)).allowed


async def test_concurrent_charges_admit_exactly_the_limit(counters: Counters) -> None:
    results = await asyncio.gather(*(charge(counters) for _ in range(40)))
    assert sum(result.allowed for result in results) == 5


async def test_in_process_windows_end_and_start_afresh() -> None:
    clock = FakeClock()
    counters = InProcessCounters(clock=clock)
    await charge(counters, points=5)
    clock.now += 30
    refused = await charge(counters)
    assert (refused.allowed, refused.retry_after_seconds) == (False, 30)
    clock.now += 30
    renewed = await charge(counters)
    assert (renewed.allowed, renewed.remaining, renewed.reset_seconds) == (True, 4, 60)


async def test_redis_windows_end_when_their_key_expires(redis_client: Redis, redis_prefix: str) -> None:
    counters = RedisCounters.from_url(redis_url(), redis_prefix)
    try:
        await charge(counters, points=5)
        key = counters.key(Budget.REST, 7)
        assert int(await redis_client.get(key)) == 5
        assert 0 < await redis_client.pttl(key) <= 60_000  # no key outlives its window
        await redis_client.pexpire(key, 1)
        await asyncio.sleep(0.05)
        renewed = await charge(counters)
        assert (renewed.allowed, renewed.remaining) == (True, 4)
    finally:
        await counters.close()


async def test_two_redis_clients_share_one_budget(redis_prefix: str) -> None:
    workers = [RedisCounters.from_url(redis_url(), redis_prefix) for _ in range(2)]
    try:
        results = await asyncio.gather(*(charge(workers[index % 2]) for index in range(30)))
    finally:
        for worker in workers:
            await worker.close()
    assert sum(result.allowed for result in results) == 5
