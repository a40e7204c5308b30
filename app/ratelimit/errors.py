"""The refusal of a charge over budget, raised once and mapped by each transport (429)."""

from __future__ import annotations

from app.errors import DomainError, ErrorCode
from app.ratelimit.rules import Decision


class RateLimited(DomainError):
    """The merchant's budget for this window is spent; `decision` says when it refills."""

    code = ErrorCode.RATE_LIMITED

    def __init__(self, decision: Decision) -> None:
        super().__init__(f"rate limit exceeded: retry after {decision.retry_after_seconds} seconds")
        self.decision = decision
