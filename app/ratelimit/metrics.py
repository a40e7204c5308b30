"""What the rate limiter reports on /metrics."""

from __future__ import annotations

from prometheus_client import Counter

REFUSALS = Counter(
    "gateway_rate_limited_requests",
    "Requests refused with 429 because the merchant's budget was spent, by budget (rest, graphql).",
    ["budget"],
)
STORE_ERRORS = Counter(
    "gateway_rate_limit_store_errors",
    "Charges Redis could not answer (let through uncounted: the limiter fails open).",
)
