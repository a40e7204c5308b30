"""The rate-limit rule, once: what a budget is, how a charge is counted and what a decision says.

Each merchant has one counter per budget in a fixed window that opens with the window's first charge
and lasts `window_seconds`. A charge is admitted when it fits in what is left, and counted only then:
a refused request costs nothing, so a client that waits for `Retry-After` is never locked out. A
charge larger than the whole budget is counted as the whole budget (it passes in a fresh window only),
so `Retry-After` always names a moment at which the request can succeed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Budget(StrEnum):
    """What a merchant spends: REST requests, or GraphQL cost points."""

    REST = "rest"
    GRAPHQL = "graphql"


@dataclass(frozen=True, slots=True)
class Policy:
    """A budget's size: `limit` points per `window_seconds`; a limit of 0 turns the budget off."""

    limit: int
    window_seconds: int

    @property
    def enabled(self) -> bool:
        """False when the budget is unlimited."""
        return self.limit > 0

    @property
    def window_ms(self) -> int:
        """The window in milliseconds, the unit both backends count time in."""
        return self.window_seconds * 1000


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one charge.

    `counted` is False when no counter was consulted (budget off, or the shared store unreachable):
    such a request is let through and its answer carries no rate-limit fields.
    """

    allowed: bool
    counted: bool
    limit: int = 0
    remaining: int = 0
    reset_seconds: int = 0
    window_seconds: int = 0

    @property
    def retry_after_seconds(self) -> int:
        """Seconds until a refused charge fits (the window's end); 0 for an admitted one."""
        return 0 if self.allowed else max(1, self.reset_seconds)


UNCOUNTED = Decision(allowed=True, counted=False)


def points_to_count(points: int, policy: Policy) -> int:
    """The points a charge counts: at least one, at most the whole budget."""
    return min(max(points, 1), policy.limit)


def fits(*, used: int, points: int, policy: Policy) -> bool:
    """Whether `points` more fit in a window that has `used` already."""
    return used + points <= policy.limit


def decision(*, policy: Policy, allowed: bool, used: int, window_left_ms: int) -> Decision:
    """The Decision for a window holding `used` points (after the charge) with `window_left_ms` to run."""
    return Decision(
        allowed=allowed,
        counted=True,
        limit=policy.limit,
        remaining=max(policy.limit - used, 0),
        reset_seconds=max(math.ceil(window_left_ms / 1000), 1),
        window_seconds=policy.window_seconds,
    )


def charge_window(
    *, used: int, window_left_ms: int | None, points: int, policy: Policy
) -> tuple[Decision, int, int]:
    """Charge `points` to a window (`window_left_ms` None: no open window, a new one starts).

    Returns the decision and the window's new state: points used and milliseconds left.
    """
    if window_left_ms is None or window_left_ms <= 0:
        used, window_left_ms = 0, policy.window_ms
    counted = points_to_count(points, policy)
    allowed = fits(used=used, points=counted, policy=policy)
    if allowed:
        used += counted
    result = decision(policy=policy, allowed=allowed, used=used, window_left_ms=window_left_ms)
    return result, used, window_left_ms
