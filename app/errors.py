"""Domain errors: raised once below the transports, translated at the edge (REST envelope, GraphQL type).

Nothing here knows about HTTP or GraphQL; the codes are the stable strings both transports publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable machine-readable codes carried by field errors and error bodies."""

    # field rules
    INVALID_TYPE = "invalid_type"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    INVALID_EMAIL = "invalid_email"
    INVALID_COUNTRY = "invalid_country"
    INVALID_CHARACTERS = "invalid_characters"
    TOO_MANY_KEYS = "too_many_keys"
    INVALID_KEY = "invalid_key"
    REQUIRED = "required"
    INVALID_FORMAT = "invalid_format"
    INVALID_NUMBER = "invalid_number"
    OUT_OF_RANGE = "out_of_range"
    INVALID_CURSOR = "invalid_cursor"
    FULL_CARD_NUMBER = "full_card_number"
    # request level
    INVALID_JSON = "invalid_json"
    INVALID_BODY = "invalid_body"
    INVALID_SCOPE = "invalid_scope"
    UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
    # state
    ALREADY_EXISTS = "already_exists"
    CUSTOMER_DELETED = "customer_deleted"
    NOT_FOUND = "not_found"
    # idempotency keys
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use"
    # rate limits
    RATE_LIMITED = "rate_limited"
    # auth
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field."""

    field: str
    code: ErrorCode
    message: str


class DomainError(Exception):
    """Base of every error the gateway raises on purpose."""

    code: ErrorCode = ErrorCode.INVALID_BODY

    def __init__(self, message: str, field_errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors: list[FieldError] = list(field_errors or [])


class InvalidInput(DomainError):
    """The request's data breaks a rule; `field_errors` says which fields and why."""

    code = ErrorCode.INVALID_BODY

    @classmethod
    def for_field(cls, field: str, code: ErrorCode, message: str) -> InvalidInput:
        """An InvalidInput about a single field."""
        return cls(message, [FieldError(field, code, message)])


class UnacceptableText(InvalidInput):
    """A text the client sent holds characters no field may hold (NUL, a lone surrogate), wherever it was.

    `field` names where: a body field, a path or query parameter, a GraphQL variable or argument. The
    message never quotes the text itself (it could not even be encoded as UTF-8).
    """

    code = ErrorCode.INVALID_CHARACTERS

    @classmethod
    def at(cls, where: str) -> UnacceptableText:
        """The error for an unacceptable text found at `where`."""
        error = characters_not_allowed(where)
        return cls(error.message, [error])


def characters_not_allowed(where: str) -> FieldError:
    """The field error for a text holding NUL or a lone surrogate at `where`."""
    message = f"{where} contains characters that are not allowed (NUL or a lone surrogate)"
    return FieldError(where, ErrorCode.INVALID_CHARACTERS, message)


class NotFound(DomainError):
    """The resource does not exist for this merchant (foreign and absent look the same)."""

    code = ErrorCode.NOT_FOUND


class Conflict(DomainError):
    """The request contradicts stored state (a taken merchant_customer_id, a deleted customer)."""

    code = ErrorCode.ALREADY_EXISTS


class CustomerDeleted(Conflict):
    """A write aimed at a soft-deleted customer."""

    code = ErrorCode.CUSTOMER_DELETED


class RequestInProgress(Conflict):
    """Another request holding the same Idempotency-Key is still running: retry later (HTTP 409)."""

    code = ErrorCode.IDEMPOTENCY_KEY_IN_USE


class Unauthenticated(DomainError):
    """Missing or wrong credentials."""

    code = ErrorCode.UNAUTHENTICATED


class Forbidden(DomainError):
    """Valid credentials without the scope the operation needs."""

    code = ErrorCode.FORBIDDEN
