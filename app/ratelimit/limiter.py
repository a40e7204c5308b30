"""The limiter both transports call once the merchant is known: `charge(...) -> Decision`.

Backend: Redis when `GATEWAY_REDIS_URL` is set (every worker and instance share the counters), this
process otherwise. When Redis cannot answer, the limiter fails open: the request goes through uncounted
and without rate-limit headers, a warning is logged (at most once per `_QUIET_SECONDS`) and
`gateway_rate_limit_store_errors_total` counts it; for `_QUIET_SECONDS` after a failure Redis is not
asked at all, so an outage costs no request its timeout. A gateway that stopped serving every merchant
because its limiter's store is down would turn a Redis outage into a full outage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from redis.exceptions import RedisError

from app.ratelimit import metrics
from app.ratelimit.memory import InProcessCounters
from app.ratelimit.rules import UNCOUNTED, Budget, Decision, Policy
from app.ratelimit.shared import RedisCounters
from app.settings import Settings

logger = logging.getLogger("app.ratelimit")

_QUIET_SECONDS = 5.0


class Counters(Protocol):
    """A backend: counts charges per (budget, merchant) window."""

    async def charge(self, *, merchant_id: int, budget: Budget, points: int, policy: Policy) -> Decision:
        """Charge and decide, atomically for the backend's scope."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class RateLimiter:
    """Per-merchant budgets over one backend."""

    def __init__(
        self,
        counters: Counters,
        policies: dict[Budget, Policy],
        *,
        metrics_enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.counters = counters
        self.policies = policies
        self._metrics = metrics_enabled
        self._clock = clock
        self._store_back_at = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        """The limiter `settings` describe (connections open lazily, on the first charge)."""
        window = settings.rate_limit_window_seconds
        policies = {
            Budget.REST: Policy(settings.rate_limit_rest_requests, window),
            Budget.GRAPHQL: Policy(settings.rate_limit_graphql_points, window),
        }
        counters: Counters
        if settings.redis_url:
            counters = RedisCounters.from_url(settings.redis_url, settings.redis_key_prefix)
        else:
            counters = InProcessCounters()
        return cls(counters, policies, metrics_enabled=settings.metrics_enabled)

    async def charge(self, *, merchant_id: int, budget: Budget, points: int) -> Decision:
        """Charge `points` to the merchant's `budget`: admitted or not, with what is left."""
        policy = self.policies[budget]
        if not policy.enabled:
            return UNCOUNTED
        if self._store_back_at and self._clock() < self._store_back_at:
            return UNCOUNTED
        try:
            result = await self.counters.charge(
                merchant_id=merchant_id, budget=budget, points=points, policy=policy
            )
        except (RedisError, OSError) as error:
            return self._fail_open(error)
        self._store_back_at = 0.0
        if not result.allowed and self._metrics:
            metrics.REFUSALS.labels(budget.value).inc()
        return result

    def _fail_open(self, error: Exception) -> Decision:
        """Let the request through uncounted, and stop asking the store for a while."""
        self._store_back_at = self._clock() + _QUIET_SECONDS
        if self._metrics:
            metrics.STORE_ERRORS.inc()
        logger.warning(
            "rate limits not enforced for %.0f s: the Redis store failed (%s)",
            _QUIET_SECONDS,
            type(error).__name__,
        )
        return UNCOUNTED

    async def close(self) -> None:
        """Release the backend's connections."""
        await self.counters.close()
