"""Counters kept in this process: the default backend, exact for one worker.

With `serve --workers N` each worker counts on its own, so a merchant may spend up to N times its
budget; set `GATEWAY_REDIS_URL` to share the counters (`app.ratelimit.shared`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.ratelimit.rules import Budget, Decision, Policy, charge_window

# Past this many windows, expired ones are dropped before a new one is added (authenticated merchants
# only ever get here, so this is a bound on a sweep's cost rather than a defence).
_SWEEP_ABOVE = 10_000


class InProcessCounters:
    """One fixed window per (budget, merchant), in a dict; safe without locks on one event loop."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # (budget, merchant id) -> (points used, the window's end in clock milliseconds)
        self._windows: dict[tuple[Budget, int], tuple[int, float]] = {}

    async def charge(self, *, merchant_id: int, budget: Budget, points: int, policy: Policy) -> Decision:
        """Charge `points` to the merchant's window of `budget`."""
        now_ms = self._clock() * 1000
        key = (budget, merchant_id)
        used, ends_ms = self._windows.get(key, (0, now_ms))
        result, used, left_ms = charge_window(
            used=used, window_left_ms=round(ends_ms - now_ms), points=points, policy=policy
        )
        if key not in self._windows and len(self._windows) >= _SWEEP_ABOVE:
            self._sweep(now_ms)
        self._windows[key] = (used, now_ms + left_ms)
        return result

    def _sweep(self, now_ms: float) -> None:
        """Forget every window that has ended."""
        self._windows = {key: window for key, window in self._windows.items() if window[1] > now_ms}

    async def close(self) -> None:
        """Nothing to release; present so every backend closes alike."""
