"""Counters in Redis, shared by every worker and instance pointing at the same server.

One Lua script per charge reads the window, decides and counts atomically on the Redis server, with the
server's own clock for the window (a key's TTL), so workers on machines with skewed clocks still agree.
The script mirrors `rules.fits`; `rules.decision` turns its answer into a Decision.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from app.ratelimit.rules import Budget, Decision, Policy, decision, points_to_count

# KEYS[1] the window's counter; ARGV: points, limit, window in ms. Answers {admitted (1/0), used, ms left}.
CHARGE_SCRIPT = """
local left = redis.call('PTTL', KEYS[1])
local used = 0
if left > 0 then
  used = tonumber(redis.call('GET', KEYS[1])) or 0
else
  left = tonumber(ARGV[3])
end
local points = tonumber(ARGV[1])
if used + points > tonumber(ARGV[2]) then
  return {0, used, left}
end
if used == 0 then
  redis.call('SET', KEYS[1], points, 'PX', left)
else
  redis.call('INCRBY', KEYS[1], points)
end
return {1, used + points, left}
"""

# A rate limiter must never be why a request is slow: one short attempt, no retries (see limiter.py).
TIMEOUT_SECONDS = 0.5


class RedisCounters:
    """One fixed window per (budget, merchant) as a Redis key `<prefix>ratelimit:<budget>:<merchant>`."""

    def __init__(self, client: Redis, key_prefix: str) -> None:
        self.client = client
        self._prefix = f"{key_prefix}ratelimit:"
        self._script = client.register_script(CHARGE_SCRIPT)

    @classmethod
    def from_url(cls, url: str, key_prefix: str) -> RedisCounters:
        """A client for `url` (connections open on first use, in the running event loop)."""
        client = Redis.from_url(
            url,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        return cls(client, key_prefix)

    def key(self, budget: Budget, merchant_id: int) -> str:
        """The Redis key of a merchant's window."""
        return f"{self._prefix}{budget.value}:{merchant_id}"

    async def charge(self, *, merchant_id: int, budget: Budget, points: int, policy: Policy) -> Decision:
        """Charge `points` to the merchant's window of `budget`; Redis errors propagate."""
        counted = points_to_count(points, policy)
        admitted, used, left_ms = await self._script(
            keys=[self.key(budget, merchant_id)], args=[counted, policy.limit, policy.window_ms]
        )
        return decision(policy=policy, allowed=bool(admitted), used=int(used), window_left_ms=int(left_ms))

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()
