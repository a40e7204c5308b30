"""Cross-origin access for browser frontends: Starlette's CORSMiddleware, on the API's paths only.

Only `/graphql` and `/v2/...` answer cross-origin requests; GraphiQL's page and assets, the docs and the
operations routes stay same-origin. With no origins configured nothing is installed, so responses carry
no CORS header at all. Tokens travel in the `Authorization` header, never in cookies, so credentials
mode stays off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

ALLOWED_METHODS = ("GET", "POST", "DELETE")
# What the gateway's own requests use, plus the headers Apollo Client sends.
ALLOWED_HEADERS = (
    "authorization",
    "content-type",
    "idempotency-key",
    "x-request-id",
    "apollo-require-preflight",
    "x-apollo-operation-name",
)
EXPOSED_HEADERS = ("x-request-id",)
PREFLIGHT_MAX_AGE_SECONDS = 600

# message -> the refusal of a preflight, as a JSON error body in the transport's own shape.
PreflightRefusal = Callable[[str], Response]


def is_graphql_path(path: str) -> bool:
    """True for GraphQL's one path."""
    return path == "/graphql"


def is_rest_path(path: str) -> bool:
    """True for the REST compatibility API's paths."""
    return path.startswith("/v2/")


class _JSONRefusingCORS(CORSMiddleware):
    """Starlette's CORS handling, except for refused preflights: a JSON body (every error body of the
    gateway is a JSON object) instead of plain text, and no `Access-Control-*` header at all (Starlette
    still lists the allowed methods and headers to anyone asking)."""

    def __init__(self, app: ASGIApp, *, refusal: PreflightRefusal, origins: Sequence[str]) -> None:
        super().__init__(
            app,
            allow_origins=tuple(origins),
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=False,
            max_age=PREFLIGHT_MAX_AGE_SECONDS,
        )
        self._refusal = refusal

    def preflight_response(self, request_headers: Headers) -> Response:
        """Starlette's answer to a preflight; a refusal grants nothing and says why in JSON."""
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        reason = bytes(response.body).decode().lower()  # "Disallowed CORS origin, headers"
        refusal = self._refusal(f"cross-origin request refused: {reason}")
        refusal.status_code = response.status_code
        refusal.headers["vary"] = response.headers["vary"]
        return refusal


class CrossOriginAccess:
    """Pure ASGI: requests to /graphql and /v2/... go through CORS handling, everything else straight to
    the app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        origins: Sequence[str],
        graphql_refusal: PreflightRefusal,
        rest_refusal: PreflightRefusal,
    ) -> None:
        self.app = app
        self.graphql = _JSONRefusingCORS(app, refusal=graphql_refusal, origins=origins)
        self.rest = _JSONRefusingCORS(app, refusal=rest_refusal, origins=origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route by path: the API's paths get CORS, the rest is untouched."""
        if scope["type"] == "http":
            path = scope["path"]
            if is_graphql_path(path):
                await self.graphql(scope, receive, send)
                return
            if is_rest_path(path):
                await self.rest(scope, receive, send)
                return
        await self.app(scope, receive, send)
