"""The operations routes, in one table: none needs credentials, none touches tenant data."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from app.observability.exposition import metrics_endpoint
from app.ops.docs import ASSETS_PATH, docs_asset, docs_page
from app.ops.health import healthz, readyz
from app.ops.home import home_page

# Route templates whose requests are not written to the access log: probes and scrapes every few
# seconds would drown the real traffic. They are still counted in /metrics.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def ops_routes(*, metrics: bool = True) -> list[BaseRoute]:
    """`/`, `/healthz`, `/readyz`, `/docs` and its assets, and `/metrics` unless metrics are off."""
    routes: list[BaseRoute] = [
        Route("/", home_page, methods=["GET"], name="home"),
        Route("/healthz", healthz, methods=["GET"], name="healthz"),
        Route("/readyz", readyz, methods=["GET"], name="readyz"),
        Route("/docs", docs_page, methods=["GET"], name="docs"),
        Route(ASSETS_PATH + "/{name}", docs_asset, methods=["GET"], name="docs-assets"),
    ]
    if metrics:
        routes.append(Route("/metrics", metrics_endpoint, methods=["GET"], name="metrics"))
    return routes
