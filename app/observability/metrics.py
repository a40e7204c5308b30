"""Prometheus metrics: what is measured (the endpoint is in `exposition`).

The metric objects are module-level: one set per process. With several workers, `python -m app serve`
points PROMETHEUS_MULTIPROC_DIR at a fresh directory before the workers start; prometheus-client then
keeps each process's values in files there, and `/metrics` (answered by whichever worker gets the scrape)
adds up every worker's files. Without that variable the values live in memory, as usual.

Label values are bounded on purpose: route templates rather than paths, a fixed set of methods, and a
capped set of GraphQL operation names, so no client can create time series at will.
"""

from __future__ import annotations

import os

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client import multiprocess as prometheus_multiprocess

from app.observability.multiprocess import MULTIPROC_ENV

# Seconds; fine-grained below 50 ms, where a healthy gateway answers.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "gateway_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "gateway_http_request_duration_seconds",
    "Time from receiving a request to the end of its response, by method, route template and status.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
GRAPHQL_OPERATIONS = Counter(
    "gateway_graphql_operations",
    "GraphQL operations, by operation name and outcome (ok or the kind of error).",
    ["operation", "outcome"],
)
PERSISTED_DOCUMENTS = Counter(
    "gateway_graphql_persisted_documents",
    "Persisted GraphQL documents asked for: trusted, hit, registered or not_found.",
    ["outcome"],
)
# Pool figures are per process; "livesum" adds up the live workers (a worker's file goes when it stops,
# see forget_this_process).
DB_POOL_SIZE = Gauge(
    "gateway_db_pool_size",
    "Connections a pool keeps for reuse (more may be opened briefly as overflow).",
    ["pool"],
    multiprocess_mode="livesum",
)
DB_CONNECTIONS_OPEN = Gauge(
    "gateway_db_connections_open",
    "Database connections currently open, idle or in use.",
    ["pool"],
    multiprocess_mode="livesum",
)
DB_CONNECTIONS_IN_USE = Gauge(
    "gateway_db_connections_in_use",
    "Database connections currently checked out by a request.",
    ["pool"],
    multiprocess_mode="livesum",
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class HttpMetrics:
    """Records one finished request; label children are looked up once per combination and kept."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count the request and add its duration to the histogram."""
        if method not in _METHODS:
            method = "OTHER"  # clients may send any token as a method: keep the label set closed
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            labels = (method, route, str(status))
            children = (HTTP_REQUESTS.labels(*labels), HTTP_DURATION.labels(*labels))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


def multiprocess_directory() -> str | None:
    """The directory of multiprocess mode, when this process runs in it."""
    return os.environ.get(MULTIPROC_ENV) or None


def forget_this_process() -> None:
    """On worker shutdown: drop this process's live gauges so the sums cover running workers only."""
    directory = multiprocess_directory()
    if directory is not None:
        prometheus_multiprocess.mark_process_dead(os.getpid(), directory)
