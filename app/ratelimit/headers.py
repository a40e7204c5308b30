"""The HTTP face of a decision, the same on REST and GraphQL.

Field names are those of draft-ietf-httpapi-ratelimit-headers-06 (`RateLimit-Limit`,
`RateLimit-Remaining`, `RateLimit-Reset` in seconds, `RateLimit-Policy: <limit>;w=<window>`), the
version most clients and gateways read; `Retry-After` (RFC 9110, seconds) on refusals.
"""

from __future__ import annotations

from app.ratelimit.rules import Decision


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    """The fields to add to a charged answer (none for an uncounted one)."""
    if not decision.counted:
        return {}
    headers = {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_seconds),
        "RateLimit-Policy": f"{decision.limit};w={decision.window_seconds}",
    }
    if not decision.allowed:
        headers["Retry-After"] = str(decision.retry_after_seconds)
    return headers
