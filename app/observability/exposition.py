"""`GET /metrics`: the Prometheus text format, for one process or added up over every worker."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from app.observability.db_metrics import sample_pools
from app.observability.metrics import multiprocess_directory


def render_metrics() -> bytes:
    """Every metric: all workers' files in multiprocess mode, this process's registry otherwise."""
    directory = multiprocess_directory()
    if directory is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry, path=directory)
    return generate_latest(registry)


async def metrics_endpoint(request: Request) -> Response:
    """Samples this worker's pools, then renders; reading the files is blocking I/O, so off the loop."""
    sample_pools(request.app.state.services.database)
    body = await run_in_threadpool(render_metrics)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
