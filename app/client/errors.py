"""The REST client's errors: one class per kind of refusal, each carrying what the gateway said.

Every error has `status` (HTTP), `code` (the first field error's stable code, or one for the status),
`field` (the first field named, or None), `message`, `errors` (every field error) and `request_id`
(quote it when reporting a problem: the server's logs carry the same id). Network failures are not
wrapped: they stay httpx's own exceptions (`httpx.TransportError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

# The code of an error that names no field, by HTTP status.
_STATUS_CODES: Mapping[int, str] = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One entry of an error body's `errors`: a field, a stable code, a message."""

    field: str
    code: str
    message: str


class GatewayError(Exception):
    """The gateway refused a request (any non-200 answer)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str,
        errors: tuple[FieldProblem, ...] = (),
        request_id: str | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.errors = errors
        self.field = errors[0].field if errors else None
        self.request_id = request_id
        self.body = dict(body or {})

    def __str__(self) -> str:
        where = f" ({self.field})" if self.field else ""
        return f"HTTP {self.status} {self.code}{where}: {self.message} [request id {self.request_id}]"


class InvalidRequestError(GatewayError):
    """400: a field breaks a rule, malformed JSON, a taken merchant_customer_id, a deleted customer."""


class AuthenticationError(GatewayError):
    """401: missing or wrong credentials, stale signature, unknown or expired token."""


class PermissionDeniedError(GatewayError):
    """403: the token lacks a scope."""


class NotFoundError(GatewayError):
    """404: unknown path, or a customer or card that does not exist for this merchant."""


class ConflictError(GatewayError):
    """409: the request clashes with another one in progress (e.g. the same Idempotency-Key)."""


class PayloadTooLargeError(GatewayError):
    """413: the body is over the server's limit."""


class RateLimitedError(GatewayError):
    """429: too many requests; retry later."""


class ServerError(GatewayError):
    """5xx: the gateway failed; the request id finds the server's log entry."""


_CLASSES: Mapping[int, type[GatewayError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    429: RateLimitedError,
}


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def error_from_response(response: httpx.Response) -> GatewayError:
    """The typed error for a refused request, from its JSON body (every gateway error body is one)."""
    status = response.status_code
    body = _body(response)
    problems = tuple(
        FieldProblem(str(item.get("field", "")), str(item.get("code", "")), str(item.get("message", "")))
        for item in body.get("errors") or []
        if isinstance(item, dict)
    )
    code = problems[0].code if problems else _STATUS_CODES.get(status, "server_error")
    message = str(body.get("message") or response.reason_phrase or f"HTTP {status}")
    request_id = body.get("request_id") or response.headers.get("x-request-id")
    kind = _CLASSES.get(status) or (ServerError if status >= 500 else GatewayError)
    return kind(status, message, code=code, errors=problems, request_id=request_id, body=body)
