"""The one translation of domain errors into GraphQL: union error members for mutations, error
extensions for everything else, and which errors are unexpected (masked, logged).

Field names in `fieldErrors` are the domain's snake_case names (`merchant_customer_id`, `zip_code`),
exactly as the REST transport reports them, so one client-side mapping serves both transports.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

import strawberry
from graphql import GraphQLError

from app.errors import Conflict, DomainError, FieldError, Forbidden, InvalidInput, NotFound, Unauthenticated
from app.observability.request_id import current_request_id
from app.ratelimit.errors import RateLimited

MASKED_MESSAGE = "Unexpected error."

# `extensions.code` of top-level errors (the conventional GraphQL codes); field-level codes stay the
# domain's (`too_long`, `out_of_range`, ...).
_TOP_LEVEL_CODES: tuple[tuple[type[DomainError], str], ...] = (
    (InvalidInput, "BAD_USER_INPUT"),
    (NotFound, "NOT_FOUND"),
    (Conflict, "CONFLICT"),
    (Unauthenticated, "UNAUTHENTICATED"),
    (Forbidden, "FORBIDDEN"),
    (RateLimited, "RATE_LIMITED"),
)
INTERNAL_CODE = "INTERNAL_SERVER_ERROR"


@strawberry.type(name="FieldError", description="One problem with one input field.")
class FieldErrorType:
    field: str = strawberry.field(description="The field's snake_case name, as REST reports it.")
    code: str = strawberry.field(description="Stable machine-readable code, the same as REST's.")
    message: str


@strawberry.interface(description="What every error member of a mutation result has.")
class MutationError:
    message: str


@strawberry.type(description="The input breaks a rule; `fieldErrors` says which fields and why.")
class ValidationError(MutationError):
    field_errors: list[FieldErrorType]


@strawberry.type(description="No such customer or payment method for this merchant.")
class NotFoundError(MutationError):
    pass


@strawberry.type(
    description="The request contradicts stored state: `already_exists` (a merchantCustomerId in use) "
    "or `customer_deleted` (a write to a deleted customer)."
)
class ConflictError(MutationError):
    code: str
    field_errors: list[FieldErrorType]


ErrorMember = ValidationError | NotFoundError | ConflictError
# One mutation's error members: the union members it lists.
E = TypeVar("E", bound=ErrorMember)


def _field_errors(errors: list[FieldError]) -> list[FieldErrorType]:
    return [FieldErrorType(field=e.field, code=e.code.value, message=e.message) for e in errors]


def error_member(error: DomainError, allowed: tuple[type[E], ...]) -> E:
    """The union member for a domain error; re-raises errors the mutation's union does not list."""
    member: ErrorMember | None = None
    if isinstance(error, InvalidInput):
        member = ValidationError(message=error.message, field_errors=_field_errors(error.field_errors))
    elif isinstance(error, NotFound):
        member = NotFoundError(message=error.message)
    elif isinstance(error, Conflict):
        member = ConflictError(
            message=error.message, code=error.code.value, field_errors=_field_errors(error.field_errors)
        )
    if member is None or not isinstance(member, allowed):
        raise error
    return cast(E, member)


def domain_extensions(error: DomainError) -> dict[str, Any]:
    """`extensions` of a top-level GraphQL error raised from a domain error."""
    code = next((name for kind, name in _TOP_LEVEL_CODES if isinstance(error, kind)), "BAD_REQUEST")
    extensions: dict[str, Any] = {"code": code}
    if error.field_errors:
        extensions["fieldErrors"] = [
            {"field": e.field, "code": e.code.value, "message": e.message} for e in error.field_errors
        ]
    return extensions


def is_unexpected(error: GraphQLError) -> bool:
    """True for errors caused by a bug or an outage rather than by the request: these are masked.

    Parse, validation and variable errors carry no original error (or a GraphQLError); domain errors
    are the gateway's own answers. Anything else escaped a resolver.
    """
    original = error.original_error
    return original is not None and not isinstance(original, DomainError | GraphQLError)


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The JSON form of one error, with `extensions.code` for domain errors and `extensions.requestId`
    (the `X-Request-Id` of the response) on every error. Unexpected errors are masked here: message,
    location and path only (the schema logs them with their traceback)."""
    formatted: dict[str, Any] = dict(error.formatted)
    if is_unexpected(error):
        formatted = {key: formatted[key] for key in ("locations", "path") if key in formatted}
        formatted = {"message": MASKED_MESSAGE, **formatted, "extensions": {"code": INTERNAL_CODE}}
    extensions = dict(formatted.get("extensions") or {})
    if isinstance(error.original_error, DomainError):
        extensions.update(domain_extensions(error.original_error))
    extensions["requestId"] = current_request_id()
    formatted["extensions"] = extensions
    return formatted


def is_forbidden(error: GraphQLError) -> bool:
    """True when a resolver refused the operation for a missing scope (answered with HTTP 403)."""
    return isinstance(error.original_error, Forbidden)
