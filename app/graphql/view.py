"""The /graphql endpoint: body limit, authentication, request decoding, execution, response shaping.

Order per request: size limit -> authentication (the signature covers the raw body and the raw target,
`/graphql` plus any query string) -> `customers` scope -> decoding (JSON body for POST, query string for
GET; app/graphql/over_http.py) -> the document (trusted, persisted or sent; app/graphql/documents.py) ->
execution. Every answer is a JSON object in the GraphQL response shape (`{"errors": [...]}` for
transport failures): 401 bad credentials, 403 missing scope, 413 body over the limit, 415 not JSON,
400 malformed request, 405 wrong method (or a mutation over GET), 500 unexpected failure. GraphQL errors
of executed operations come back with 200; syntax, validation and variable errors too under
`application/json`, and with 400 under `application/graphql-response+json`.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Send
from starlette.types import Scope as ASGIScope

from app.auth import Access, Principal
from app.errors import DomainError, Forbidden, Unauthenticated
from app.graphql.context import GraphQLContext
from app.graphql.documents import DocumentSource, persisted_documents
from app.graphql.engine import GraphQLEngine, PreparedDocument, UnrunnableOperation
from app.graphql.errors import INTERNAL_CODE, domain_extensions, format_error, is_forbidden
from app.graphql.ide import graphiql_page, static_routes, wants_html
from app.graphql.metrics import (
    UNKNOWN,
    operation_label,
    outcome_of,
    outcome_of_refusal,
    record_operation,
)
from app.graphql.over_http import (
    GET_HEADERS,
    JSON,
    RequestProblem,
    decode_get,
    decode_post,
    is_operation_get,
    is_request_error,
    problem_of,
    response_media_type,
    status_of,
)
from app.graphql.schema import build_schema
from app.graphql.text_rule import operation_text_refusal
from app.graphql.websocket import SubscriptionEndpoint
from app.http.authentication import authenticate_request
from app.http.body import read_body
from app.http.json_codec import JSONResponse
from app.observability.request_id import current_request_id
from app.ratelimit.errors import RateLimited
from app.ratelimit.headers import rate_limit_headers
from app.ratelimit.rules import Budget
from app.runtime import Services

logger = logging.getLogger("app.graphql")


def error_response(
    status: int,
    message: str,
    extensions: dict[str, Any] | None = None,
    media_type: str = JSON,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A GraphQL-shaped error body: `{"errors": [{"message": ..., "extensions": {..., "requestId"}}]}`."""
    error: dict[str, Any] = {
        "message": message,
        "extensions": {**(extensions or {}), "requestId": current_request_id()},
    }
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers, media_type=media_type)


class GraphQLEndpoint:
    """The ASGI endpoint behind the exact /graphql route."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = GraphQLEngine(build_schema(), services.settings)
        self.count_operations = services.settings.metrics_enabled
        self.documents = DocumentSource(
            self.engine,
            persisted_documents(services.settings, services.persisted_queries),
            count=self.count_operations,
        )

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        """ASGI entry: a raw ASGI app, so the route takes every method and answers 405s itself."""
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """Answer one request on /graphql, whatever its method."""
        if request.method in ("GET", "HEAD"):
            if wants_html(request) and not is_operation_get(request.query_params):
                return graphiql_page(request)
            if request.method == "HEAD":
                return error_response(405, "HEAD is not allowed on /graphql", headers={"Allow": "GET, POST"})
        elif request.method != "POST":
            return error_response(
                405, f"{request.method} is not allowed on /graphql", headers={"Allow": "GET, POST"}
            )
        media_type = response_media_type(request.headers.get("accept"))
        try:
            response = await self.execute(request, media_type)
        except ClientDisconnect:
            raise  # the client is gone: nothing to answer, nothing went wrong here
        except RequestProblem as problem:
            self._count(UNKNOWN, outcome_of_refusal(problem.status))
            headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else {}
            response = error_response(
                problem.status,
                problem.message,
                problem.extensions,
                media_type,
                {**headers, **problem.headers},
            )
        except Exception:
            self._count(UNKNOWN, "internal")
            logger.exception("GraphQL request failed")
            response = error_response(500, "Unexpected error.", {"code": INTERNAL_CODE}, media_type)
        if request.method == "GET":
            response.headers.update(GET_HEADERS)
        return response

    async def execute(self, request: Request, media_type: str) -> Response:
        """Authenticate, decode and run one operation."""
        is_get = request.method == "GET"
        limit = self.services.settings.max_body_bytes
        try:
            body = b"" if is_get else await read_body(request, limit)
        except HTTPException:
            raise RequestProblem(413, f"request body is larger than {limit} bytes") from None
        try:
            principal = await authenticate_request(request, self.services.merchants, body)
            principal.require_access(Access.READ_CUSTOMERS)
        except Unauthenticated as error:
            raise RequestProblem(401, error.message, domain_extensions(error)) from None
        except Forbidden as error:
            raise RequestProblem(403, error.message, domain_extensions(error)) from None
        if is_get:
            operation = decode_get(request.query_params)
        else:
            operation = decode_post(request.headers.get("content-type"), body)
        refusal = operation_text_refusal(operation.variables, operation.operation_name)
        if refusal is not None:
            self._count(UNKNOWN, "invalid")
            status = status_of(media_type, request_error=True, forbidden=False)
            payload = {"errors": [format_error(refusal)]}
            return JSONResponse(payload, status_code=status, media_type=media_type)
        try:
            query, prepared = await self.documents.prepare(operation.document_request())
        except DomainError as error:
            raise problem_of(error) from None
        operation_name = operation.operation_name
        if is_get and prepared.is_mutation(operation_name):
            raise RequestProblem(405, "mutations must be sent with POST", headers={"Allow": "POST"})
        if prepared.is_mutation(operation_name):
            try:
                # Mutations are writes: a read-only token is refused before anything runs.
                principal.require_access(Access.WRITE_CUSTOMERS)
            except Forbidden as error:
                raise RequestProblem(403, error.message, domain_extensions(error)) from None
        # A request spends its operation's cost; one that cannot run (invalid, no such operation) one point.
        decision = await self.services.rate_limits.charge(
            merchant_id=principal.merchant_id,
            budget=Budget.GRAPHQL,
            points=max(prepared.cost(operation_name) or 1, 1),
        )
        charged = rate_limit_headers(decision)
        if not decision.allowed:
            refused = RateLimited(decision)
            extensions = {**domain_extensions(refused), "retryAfter": decision.retry_after_seconds}
            raise RequestProblem(429, refused.message, extensions, headers=charged)
        try:
            return await self._run(
                request, principal, prepared, query, operation.variables, operation_name, media_type, charged
            )
        except RequestProblem as problem:
            problem.headers.update(charged)
            raise

    async def _run(
        self,
        request: Request,
        principal: Principal,
        prepared: PreparedDocument,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        media_type: str,
        headers: dict[str, str],
    ) -> Response:
        """Run a prepared operation for an authenticated, charged principal; the answer carries `headers`
        (the rate limit's)."""
        authorization = request.headers.get("authorization")
        if self.services.replays.applies_to(authorization) and prepared.is_mutation(operation_name):
            # A signed mutation is accepted once; queries are reads and stay fast.
            try:
                await self.services.replays.accept_once(
                    merchant_id=principal.merchant_id, authorization=authorization
                )
            except Unauthenticated as error:
                raise RequestProblem(401, error.message, domain_extensions(error)) from None
        context = GraphQLContext.for_request(
            principal,
            self.services.customers,
            self.services.idempotency,
            events=self.services.events,
            webhooks=self.services.webhooks,
        )
        try:
            result = await self.engine.execute(
                prepared, variables=variables, operation_name=operation_name, context=context
            )
        except UnrunnableOperation as error:
            raise RequestProblem(400, error.reason) from None
        errors = result.errors
        request_error = is_request_error(errors, result.data, result.executed)
        # Per the GraphQL spec, `data` is absent when the operation never ran (syntax, validation,
        # limits, variables that do not coerce).
        payload: dict[str, Any] = {} if request_error else {"data": result.data}
        if errors:
            payload["errors"] = [format_error(error) for error in errors]
        cost = prepared.cost(operation_name)
        if not request_error and cost is not None:
            payload["extensions"] = {"cost": cost}
        forbidden = any(is_forbidden(error) for error in errors)
        status = status_of(media_type, request_error=request_error, forbidden=forbidden)
        self._count(operation_label(query, operation_name), outcome_of(errors, executed=result.executed))
        return JSONResponse(payload, status_code=status, media_type=media_type, headers=headers)

    def _count(self, operation: str, outcome: str) -> None:
        """One GraphQL operation for /metrics (by name and outcome), unless metrics are off."""
        if self.count_operations:
            record_operation(operation, outcome)


def graphql_routes(services: Services) -> list[BaseRoute]:
    """The exact /graphql routes, HTTP and websocket (a Mount would answer /graphql with a redirect), and
    GraphiQL's assets."""
    subscriptions = SubscriptionEndpoint(services.settings, services.merchants, services.hub)
    return [
        Route("/graphql", GraphQLEndpoint(services), name="graphql"),
        WebSocketRoute("/graphql", subscriptions, name="graphql-subscriptions"),
        *static_routes(),
    ]
