"""The one pure-ASGI layer around the whole app: request id, metrics, access log, unhandled errors.

It sits outside Starlette's ServerErrorMiddleware (see `ObservedStarlette`), so it also sees the 500
that middleware sends for an unhandled exception, and stamps `X-Request-Id` on it like on any other
response. Per request it costs a header scan, two clock reads, a context-variable set/reset and two
metric updates on label children looked up once; the access log line only when it is enabled.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability.metrics import HttpMetrics
from app.observability.request_id import (
    HEADER,
    bind_request_id,
    request_id_from_headers,
    unbind_request_id,
)
from app.observability.route_templates import RouteTemplates

access_logger = logging.getLogger("app.access")
error_logger = logging.getLogger("app.error")


def logged_path(scope: Scope) -> str:
    """The path as sent, still percent-encoded (a decoded `%0A` could forge a log line); no query string."""
    raw: bytes | None = scope.get("raw_path")
    if raw is None:
        return scope["path"].encode("unicode_escape").decode("ascii")
    return raw.split(b"?", 1)[0].decode("ascii", "backslashreplace")


@dataclass(frozen=True)
class ObserverConfig:
    """What the observer records: metrics, the access log, and which route templates it keeps quiet."""

    metrics: bool = True
    access_log: bool = True
    quiet_routes: frozenset[str] = field(default_factory=frozenset)


class RequestObserver:
    """Pure ASGI middleware (no BaseHTTPMiddleware: that would buffer and re-wrap every response)."""

    def __init__(self, app: ASGIApp, *, routes: Iterable[BaseRoute], config: ObserverConfig) -> None:
        self.app = app
        self.templates = RouteTemplates(routes)
        self.metrics = HttpMetrics() if config.metrics else None
        self.access_log = config.access_log
        self.quiet_routes = config.quiet_routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_from_headers(scope["headers"])
        header = (HEADER, request_id.encode("ascii"))
        status = 0
        complete = False
        token = bind_request_id(request_id)

        async def send_with_id(message: Message) -> None:
            nonlocal status, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                # A new list: a response object may reuse its header list if it is sent twice.
                message = {**message, "headers": [*message.get("headers", ()), header]}
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                complete = True
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_logger.exception(
                "unhandled error in %s %s",
                scope["method"],
                self.templates.label(scope),
                extra={"request_id": request_id},
            )
            if not complete:
                raise  # the response is unfinished: the server must abort the connection
            # ServerErrorMiddleware sent the 500 and re-raised so that a server would log the error. It is
            # logged above, with the request id; the response is complete, so the request ends normally.
        finally:
            self._finish(scope, request_id, status or 500, time.perf_counter() - started)
            unbind_request_id(token)

    def _finish(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = self.templates.label(scope)
        if self.metrics is not None:
            self.metrics.observe(scope["method"], route, status, seconds)
        if self.access_log and route not in self.quiet_routes and access_logger.isEnabledFor(logging.INFO):
            client = scope.get("client")
            address = f"{client[0]}:{client[1]}" if client else "-"
            path = logged_path(scope)
            access_logger.info(
                '%s "%s %s HTTP/%s" %d %.1fms',
                address,
                scope["method"],
                path,
                scope.get("http_version", "1.1"),
                status,
                seconds * 1000,
                extra={
                    "request_id": request_id,
                    "fields": {
                        "method": scope["method"],
                        "path": path,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                        "client": address,
                    },
                },
            )


class ObservedStarlette(Starlette):
    """Starlette with `RequestObserver` as the outermost layer, around ServerErrorMiddleware.

    The stack is still built lazily by Starlette, so middleware and exception handlers added after
    construction are honoured as usual.
    """

    def __init__(self, *args: Any, observer: ObserverConfig | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.observer = observer or ObserverConfig()

    def build_middleware_stack(self) -> ASGIApp:
        return RequestObserver(
            super().build_middleware_stack(), routes=self.router.routes, config=self.observer
        )
