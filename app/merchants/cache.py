"""A small time-bounded cache for credential lookups done on every request.

Why: a Bearer token or signature is checked on every call; looking the grant up in the database each
time doubles the cost of a read. Entries live a few seconds (GATEWAY_AUTH_CACHE_SECONDS), which bounds
how long a revoked token or a rotated key keeps working in another process; 0 disables caching.
"""

from __future__ import annotations

import time
from typing import Generic, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    """Key -> value for `ttl_seconds`; cleared wholesale when it grows past `max_entries`."""

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[str, tuple[float, V]] = {}

    def get(self, key: str) -> V | None:
        """The cached value, or None when absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: str, value: V) -> None:
        """Remember `value` for the TTL (no-op when caching is disabled)."""
        if self._ttl <= 0:
            return
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self._ttl, value)

    def clear(self) -> None:
        """Forget everything (after a revocation or key rotation in this process)."""
        self._entries.clear()
