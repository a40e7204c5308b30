"""The /graphql endpoint: body limit, authentication, request decoding, execution, response shaping.

Order per POST: size limit -> authentication (the signature covers the raw body and the raw target,
`/graphql`) -> `customers` scope -> JSON decoding -> execution. Every answer is a JSON object in the
GraphQL response shape (`{"errors": [...]}` for transport failures):
401 bad credentials, 403 missing scope, 413 body over the limit, 415 not JSON, 400 malformed request,
405 wrong method, 500 unexpected failure; GraphQL errors (validation, limits, domain errors of queries)
come back with 200 like any executed operation.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Send
from starlette.types import Scope as ASGIScope

from app.auth import Principal, Scope
from app.errors import Forbidden, Unauthenticated
from app.graphql.context import GraphQLContext
from app.graphql.errors import INTERNAL_CODE, domain_extensions, format_error, is_forbidden
from app.graphql.ide import graphiql_page, static_routes, wants_html
from app.graphql.metrics import (
    UNKNOWN,
    operation_label,
    outcome_of,
    outcome_of_refusal,
    record_operation,
)
from app.graphql.operations import OperationRunner, PreparedDocument, UnrunnableOperation
from app.graphql.schema import build_schema
from app.graphql.text_rule import operation_text_refusal
from app.http.authentication import authenticate_request
from app.http.body import read_body
from app.observability.request_id import current_request_id
from app.ratelimit.errors import RateLimited
from app.ratelimit.headers import rate_limit_headers
from app.ratelimit.rules import Budget
from app.runtime import Services

logger = logging.getLogger("app.graphql")


class RequestProblem(Exception):
    """A request the endpoint answers without executing anything."""

    def __init__(
        self,
        status: int,
        message: str,
        extensions: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extensions = extensions or {}
        self.headers = headers or {}


def error_response(
    status: int, message: str, extensions: dict[str, Any] | None = None, **headers: str
) -> JSONResponse:
    """A GraphQL-shaped error body: `{"errors": [{"message": ..., "extensions": {..., "requestId"}}]}`."""
    error: dict[str, Any] = {
        "message": message,
        "extensions": {**(extensions or {}), "requestId": current_request_id()},
    }
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers or None)


def decode_operation(request: Request, body: bytes) -> tuple[str, dict[str, Any] | None, str | None]:
    """(query, variables, operationName) from a JSON request body; anything else is a RequestProblem."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise RequestProblem(415, "send the operation as JSON (Content-Type: application/json)")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # also invalid UTF-8 and absurdly deep nesting
        raise RequestProblem(400, "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise RequestProblem(400, "the request body must be a JSON object (batches are not supported)")
    query, variables, operation_name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise RequestProblem(400, "`query` must be a non-empty string")
    if variables is not None and not isinstance(variables, dict):
        raise RequestProblem(400, "`variables` must be an object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestProblem(400, "`operationName` must be a string")
    return query, variables, operation_name


class GraphQLEndpoint:
    """The ASGI endpoint behind the exact /graphql route."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.operations = OperationRunner(build_schema(), services.settings)
        self.count_operations = services.settings.metrics_enabled

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        """ASGI entry: a raw ASGI app, so the route takes every method and answers 405s itself."""
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """Answer one request on /graphql, whatever its method."""
        if request.method in ("GET", "HEAD"):
            if wants_html(request):
                return graphiql_page(request)
            return error_response(
                405,
                "send GraphQL operations with POST; open /graphql in a browser for GraphiQL",
                Allow="POST",
            )
        if request.method != "POST":
            return error_response(405, f"{request.method} is not allowed on /graphql", Allow="GET, POST")
        try:
            return await self.execute(request)
        except ClientDisconnect:
            raise  # the client is gone: nothing to answer, nothing went wrong here
        except RequestProblem as problem:
            self._count(UNKNOWN, outcome_of_refusal(problem.status))
            headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else {}
            return error_response(
                problem.status, problem.message, problem.extensions, **problem.headers, **headers
            )
        except Exception:
            self._count(UNKNOWN, "internal")
            logger.exception("GraphQL request failed")
            return error_response(500, "Unexpected error.", {"code": INTERNAL_CODE})

    async def execute(self, request: Request) -> Response:
        """Authenticate, decode and run one operation."""
        limit = self.services.settings.max_body_bytes
        try:
            body = await read_body(request, limit)
        except HTTPException:
            raise RequestProblem(413, f"request body is larger than {limit} bytes") from None
        try:
            principal = await authenticate_request(request, self.services.merchants, body)
            principal.require(Scope.CUSTOMERS)
        except Unauthenticated as error:
            raise RequestProblem(401, error.message, domain_extensions(error)) from None
        except Forbidden as error:
            raise RequestProblem(403, error.message, domain_extensions(error)) from None
        query, variables, operation_name = decode_operation(request, body)
        refusal = operation_text_refusal(variables, operation_name)
        if refusal is not None:
            self._count(UNKNOWN, "invalid")
            return JSONResponse({"errors": [format_error(refusal)]})
        prepared = self.operations.prepare(query)
        # A request spends its operation's cost; one that cannot run (invalid, no such operation) one point.
        decision = await self.services.rate_limits.charge(
            merchant_id=principal.merchant_id,
            budget=Budget.GRAPHQL,
            points=max(prepared.cost(operation_name) or 1, 1),
        )
        charged = rate_limit_headers(decision)
        if not decision.allowed:
            refusal = RateLimited(decision)
            extensions = {**domain_extensions(refusal), "retryAfter": decision.retry_after_seconds}
            raise RequestProblem(429, refusal.message, extensions, charged)
        try:
            response = await self._run(request, principal, prepared, query, variables, operation_name)
        except RequestProblem as problem:
            problem.headers.update(charged)
            raise
        response.headers.update(charged)
        return response

    async def _run(
        self,
        request: Request,
        principal: Principal,
        prepared: PreparedDocument,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> Response:
        """Run a prepared operation for an authenticated, charged principal."""
        authorization = request.headers.get("authorization")
        if self.services.replays.applies_to(authorization) and prepared.is_mutation(operation_name):
            # A signed mutation is accepted once (issue 6); queries are reads and stay fast.
            try:
                await self.services.replays.accept_once(
                    merchant_id=principal.merchant_id, authorization=authorization
                )
            except Unauthenticated as error:
                raise RequestProblem(401, error.message, domain_extensions(error)) from None
        context = GraphQLContext.for_request(
            principal, self.services.customers, self.services.idempotency, events=self.services.events
        )
        try:
            result = await self.operations.execute(
                prepared, variables=variables, operation_name=operation_name, context=context
            )
        except UnrunnableOperation as error:
            raise RequestProblem(400, error.reason) from None
        # Per the GraphQL spec, `data` is absent when the operation never ran (syntax, validation, limits).
        payload: dict[str, Any] = {"data": result.data} if result.executed else {}
        errors = result.errors
        if errors:
            payload["errors"] = [format_error(error) for error in errors]
        status = 403 if any(is_forbidden(error) for error in errors) else 200
        self._count(operation_label(query, operation_name), outcome_of(errors, executed=result.executed))
        return JSONResponse(payload, status_code=status)

    def _count(self, operation: str, outcome: str) -> None:
        """One GraphQL operation for /metrics (by name and outcome), unless metrics are off."""
        if self.count_operations:
            record_operation(operation, outcome)


def graphql_routes(services: Services) -> list[BaseRoute]:
    """The exact /graphql route (a Mount would answer /graphql with a redirect) and GraphiQL's assets."""
    return [Route("/graphql", GraphQLEndpoint(services), name="graphql"), *static_routes()]
