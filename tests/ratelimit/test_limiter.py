"""The limiter: budgets from Settings, budgets turned off, and failing open when Redis is down."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

from app.ratelimit.limiter import RateLimiter
from app.ratelimit.memory import InProcessCounters
from app.ratelimit.rules import Budget, Decision, Policy
from app.ratelimit.shared import RedisCounters
from app.settings import Secret, Settings, load_settings

# Nothing listens on port 1: connections are refused at once.
UNREACHABLE_REDIS = Secret("redis://:hunter2@127.0.0.1:1/0")


class CountingCounters:
    """A backend that records how often it is asked, failing like an unreachable Redis."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    async def charge(self, *, merchant_id: int, budget: Budget, points: int, policy: Policy) -> Decision:
        self.calls += 1
        raise self.error

    async def close(self) -> None:
        pass


class StepClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _store_errors() -> float:
    return REGISTRY.get_sample_value("gateway_rate_limit_store_errors_total") or 0.0


def test_settings_defaults_and_environment() -> None:
    defaults = load_settings({})
    assert (defaults.rate_limit_rest_requests, defaults.rate_limit_graphql_points) == (6000, 10_000_000)
    assert (defaults.rate_limit_window_seconds, defaults.redis_url) == (60, None)
    configured = load_settings(
        {
            "GATEWAY_RATE_LIMIT_REST_REQUESTS": "0",
            "GATEWAY_RATE_LIMIT_GRAPHQL_POINTS": "250",
            "GATEWAY_RATE_LIMIT_WINDOW_SECONDS": "10",
            "GATEWAY_REDIS_URL": "redis://:hunter2@cache:6379/1",
            "GATEWAY_REDIS_KEY_PREFIX": "blue:",
        }
    )
    assert configured.rate_limit_rest_requests == 0
    assert configured.rate_limit_graphql_points == 250
    assert configured.rate_limit_window_seconds == 10
    assert configured.redis_key_prefix == "blue:"
    assert "hunter2" not in repr(configured)  # the URL may hold a password


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GATEWAY_RATE_LIMIT_REST_REQUESTS", "-1"),
        ("GATEWAY_RATE_LIMIT_GRAPHQL_POINTS", "lots"),
        ("GATEWAY_RATE_LIMIT_WINDOW_SECONDS", "0"),
    ],
)
def test_invalid_settings_stop_the_process_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SystemExit, match=name):
        load_settings({name: value})


def test_a_redis_url_of_another_scheme_stops_the_process_without_echoing_it() -> None:
    with pytest.raises(SystemExit, match="GATEWAY_REDIS_URL") as stopped:
        load_settings({"GATEWAY_REDIS_URL": "http://user:hunter2@cache:6379"})
    assert "hunter2" not in str(stopped.value)


async def test_the_backend_follows_the_settings() -> None:
    memory = RateLimiter.from_settings(Settings())
    shared = RateLimiter.from_settings(Settings(redis_url=UNREACHABLE_REDIS))
    try:
        assert isinstance(memory.counters, InProcessCounters)
        assert isinstance(shared.counters, RedisCounters)
        assert memory.policies[Budget.REST] == Policy(6000, 60)
        assert memory.policies[Budget.GRAPHQL] == Policy(10_000_000, 60)
    finally:
        await memory.close()
        await shared.close()


async def test_a_budget_of_zero_is_not_counted() -> None:
    limiter = RateLimiter.from_settings(Settings(rate_limit_rest_requests=0, rate_limit_graphql_points=1))
    for _ in range(3):
        decision = await limiter.charge(merchant_id=1, budget=Budget.REST, points=1)
        assert (decision.allowed, decision.counted) == (True, False)
    assert (await limiter.charge(merchant_id=1, budget=Budget.GRAPHQL, points=1)).counted
    assert not (await limiter.charge(merchant_id=1, budget=Budget.GRAPHQL, points=1)).allowed


async def test_redis_down_lets_requests_through_uncounted_with_a_warning_and_a_metric(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RateLimiter.from_settings(Settings(redis_url=UNREACHABLE_REDIS))
    before = _store_errors()
    try:
        with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
            decision = await limiter.charge(merchant_id=1, budget=Budget.REST, points=1)
    finally:
        await limiter.close()
    assert (decision.allowed, decision.counted) == (True, False)
    assert _store_errors() == before + 1
    warnings = [record for record in caplog.records if record.name == "app.ratelimit"]
    assert len(warnings) == 1
    assert "ConnectionError" in warnings[0].getMessage()
    assert "hunter2" not in caplog.text


async def test_after_a_failure_the_store_is_left_alone_for_a_while() -> None:
    clock = StepClock()
    backend = CountingCounters(OSError("connection reset"))
    limiter = RateLimiter(backend, {Budget.REST: Policy(5, 60)}, metrics_enabled=False, clock=clock)
    for _ in range(10):
        assert (await limiter.charge(merchant_id=1, budget=Budget.REST, points=1)).allowed
    assert backend.calls == 1  # one timeout paid, not ten
    clock.now += 6
    await limiter.charge(merchant_id=1, budget=Budget.REST, points=1)
    assert backend.calls == 2


async def test_refusals_are_counted_by_budget() -> None:
    def refusals() -> float:
        return REGISTRY.get_sample_value("gateway_rate_limited_requests_total", {"budget": "graphql"}) or 0.0

    limiter = RateLimiter(InProcessCounters(), {Budget.GRAPHQL: Policy(1, 60)})
    before = refusals()
    await limiter.charge(merchant_id=1, budget=Budget.GRAPHQL, points=1)
    await limiter.charge(merchant_id=1, budget=Budget.GRAPHQL, points=1)
    assert refusals() == before + 1
