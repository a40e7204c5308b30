"""The ASGI application: routes of both transports over one set of services."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware

from app.events.sweeper import periodic_sweep
from app.graphql.view import error_response, graphql_routes
from app.http.cors import CrossOriginAccess
from app.http.json_codec import JSONResponse
from app.observability.db_metrics import pool_sampler
from app.observability.metrics import forget_this_process
from app.observability.middleware import ObservedStarlette, ObserverConfig
from app.ops.routes import QUIET_ROUTES, ops_routes
from app.rest.errors import error_body, exception_handlers
from app.rest.routes import rest_routes
from app.rest.slashes import CollapseLeadingSlashes
from app.runtime import Services
from app.settings import Settings, load_settings
from app.webhooks.worker import running


def freeze_startup_objects() -> None:
    """Move everything that exists once the app is built (modules, schema, engines: ~100k objects) out of
    the garbage collector's reach.

    Why: a full collection walks every tracked object, and with those it paused the worker for ~50 ms
    every few thousand requests (most of GraphQL's p99 in scripts/bench); they live as long as the
    process, so there is nothing to collect among them.
    """
    gc.collect()
    gc.freeze()


def cross_origin_middleware(settings: Settings) -> list[Middleware]:
    """CORS for the configured origins on /graphql and /v2 (SPEC section 7); none configured, none added.

    It sits inside CollapseLeadingSlashes, so `//v2/...` is matched like `/v2/...`. A refused preflight
    answers in the shape of the transport it was meant for.
    """
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CrossOriginAccess,
            origins=settings.cors_origins,
            graphql_refusal=lambda message: error_response(400, message),
            rest_refusal=lambda message: JSONResponse(error_body(message), status_code=400),
        )
    ]


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app. Services are created at once (engines connect lazily) and closed on shutdown."""
    settings = settings or load_settings()
    services = Services.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        freeze_startup_objects()
        worker = services.delivery_worker() if settings.webhooks_worker else None
        async with periodic_sweep(services.events, settings.events_sweep_seconds), running(worker):
            if settings.metrics_enabled:
                async with pool_sampler(services.database):
                    yield
                forget_this_process()
            else:
                yield
        await services.close()

    # Starlette tries routes in order, one regex each: the API's own paths first, GraphQL's single path
    # ahead of REST's dozen (it was matched last, after 14 misses, ~5% of a small query's cost).
    routes = [*graphql_routes(services), *rest_routes(), *ops_routes(metrics=settings.metrics_enabled)]
    # ObservedStarlette: request ids, metrics and the access log wrap everything, 500s included.
    app = ObservedStarlette(
        routes=routes,
        lifespan=lifespan,
        # Every error body is a JSON object, whichever transport raised it (SPEC section 4).
        exception_handlers=exception_handlers(),
        middleware=[Middleware(CollapseLeadingSlashes), *cross_origin_middleware(settings)],
        observer=ObserverConfig(
            metrics=settings.metrics_enabled, access_log=settings.access_log, quiet_routes=QUIET_ROUTES
        ),
    )
    # No 307 to the slash-less path: a redirected signed request no longer matches its signature, and a
    # redirect has no JSON body. An unknown path (trailing slash included) is a JSON 404 instead.
    app.router.redirect_slashes = False
    app.state.services = services
    return app
