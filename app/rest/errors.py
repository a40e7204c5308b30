"""The one translation of errors into the gateway's REST error envelope, installed as exception handlers.

Every error body is a JSON object (some SDKs crash on anything else):
`{"status": "invalid-request", "message": ..., "errors": [{"field", "code", "message"}], "request_id": ...}`,
or `{"status": "error", "message": "internal error", "request_id": ...}` for anything unexpected.
`request_id` is the one echoed in the `X-Request-Id` header, so a client can quote it in a bug report.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from app.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RequestInProgress,
    Unauthenticated,
)
from app.http.json_codec import JSONResponse
from app.observability.middleware import logged_path
from app.observability.request_id import current_request_id
from app.ratelimit.errors import RateLimited
from app.ratelimit.headers import rate_limit_headers

logger = logging.getLogger("app.http")

INVALID_REQUEST = "invalid-request"
# nginx's "client closed request": what metrics and the access log record for a client that hung up.
CLIENT_CLOSED_REQUEST = 499

# DomainError family -> HTTP status. Subclasses (CustomerDeleted is a Conflict) inherit their parent's.
STATUS_BY_ERROR: Mapping[type[DomainError], int] = {
    RateLimited: 429,
    RequestInProgress: 409,
    InvalidInput: 400,
    Conflict: 400,
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
}

# Messages for the HTTP-level failures Starlette and the endpoints raise as HTTPException.
_HTTP_MESSAGES: Mapping[int, str] = {
    404: "not found",
    405: "method not allowed",
    413: "request body too large",
}

# A challenge on every 401, as RFC 9110 asks; the signature scheme is documented, Bearer is standard.
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def status_for(error: DomainError) -> int:
    """The HTTP status of a domain error: the nearest mapped class in its MRO (400 if none is)."""
    return status_for_class(type(error))


def status_for_class(error_class: type[DomainError]) -> int:
    """The HTTP status of a class of domain errors (see `status_for`)."""
    for cls in error_class.__mro__:
        status = STATUS_BY_ERROR.get(cls)
        if status is not None:
            return status
    return 400


def error_body(
    message: str, errors: list[dict[str, str]] | None = None, request_id: str | None = None
) -> dict[str, Any]:
    """The invalid-request envelope, naming the request (the current one unless `request_id` is given)."""
    return {
        "status": INVALID_REQUEST,
        "message": message,
        "errors": errors or [],
        "request_id": request_id or current_request_id(),
    }


def domain_error_response(error: DomainError) -> JSONResponse:
    """DomainError -> its status and envelope, field errors listed with their stable codes."""
    status = status_for(error)
    errors = [{"field": e.field, "code": e.code.value, "message": e.message} for e in error.field_errors]
    headers = _CHALLENGE if status == 401 else None
    if isinstance(error, RateLimited):
        headers = rate_limit_headers(error.decision)
    return JSONResponse(error_body(error.message, errors), status_code=status, headers=headers)


async def domain_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """The exception handler for DomainError (see `domain_error_response`)."""
    assert isinstance(exc, DomainError)
    return domain_error_response(exc)


async def http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's 404/405 (and our 413) as JSON envelopes, keeping headers such as `Allow`."""
    assert isinstance(exc, HTTPException)
    message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail).lower()
    return JSONResponse(error_body(message), status_code=exc.status_code, headers=exc.headers)


async def internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected: a fixed body, no internals. The server still logs the traceback."""
    body = {"status": "error", "message": "internal error", "request_id": current_request_id()}
    return JSONResponse(body, status_code=500)


async def client_disconnect_handler(request: Request, exc: Exception) -> Response:
    """A client that hung up before its request was read: not a server error, so one info line (no
    traceback) and status 499 for metrics and the access log. The server writes nothing to a closed
    connection, so nobody receives the response."""
    path = logged_path(request.scope)
    logger.info("client disconnected before its request was read: %s %s", request.method, path)
    return Response(status_code=CLIENT_CLOSED_REQUEST)


def exception_handlers() -> dict[Any, Any]:
    """The handlers `create_app` installs (Starlette routes `Exception` to its outermost middleware)."""
    return {
        DomainError: domain_error_handler,
        HTTPException: http_exception_handler,
        ClientDisconnect: client_disconnect_handler,
        Exception: internal_error_handler,
    }
