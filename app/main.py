"""The ASGI application: routes of both transports over one set of services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware

from app.graphql.view import graphql_routes
from app.observability.db_metrics import pool_sampler
from app.observability.metrics import forget_this_process
from app.observability.middleware import ObservedStarlette, ObserverConfig
from app.ops.routes import QUIET_ROUTES, ops_routes
from app.rest.errors import exception_handlers
from app.rest.routes import rest_routes
from app.rest.slashes import CollapseLeadingSlashes
from app.services import Services
from app.settings import Settings, load_settings


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app. Services are created at once (engines connect lazily) and closed on shutdown."""
    settings = settings or load_settings()
    services = Services.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.metrics_enabled:
            async with pool_sampler(services.database):
                yield
            forget_this_process()
        else:
            yield
        await services.close()

    routes = [*ops_routes(metrics=settings.metrics_enabled), *rest_routes(), *graphql_routes(services)]
    # ObservedStarlette: request ids, metrics and the access log wrap everything, 500s included.
    app = ObservedStarlette(
        routes=routes,
        lifespan=lifespan,
        # Every error body is a JSON object, whichever transport raised it (SPEC section 4).
        exception_handlers=exception_handlers(),
        middleware=[Middleware(CollapseLeadingSlashes)],
        observer=ObserverConfig(
            metrics=settings.metrics_enabled, access_log=settings.access_log, quiet_routes=QUIET_ROUTES
        ),
    )
    # No 307 to the slash-less path: a redirected signed request no longer matches its signature, and a
    # redirect has no JSON body. An unknown path (trailing slash included) is a JSON 404 instead.
    app.router.redirect_slashes = False
    app.state.services = services
    return app
