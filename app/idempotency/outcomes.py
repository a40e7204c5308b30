"""A service operation's outcome (a domain object, or the DomainError it raised) as JSON and back.

GraphQL cannot keep its response for a replay the way REST does: each request selects its own fields
from a mutation's result. It keeps the result instead, and a replay renders it again through the same
code as the first answer, so both look alike for the same selection.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any

from app.customers.domain import Customer, PaymentMethod
from app.errors import (
    Conflict,
    CustomerDeleted,
    DomainError,
    ErrorCode,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    RequestInProgress,
    Unauthenticated,
)

Result = Customer | PaymentMethod | None

_KINDS: dict[str, type[Customer] | type[PaymentMethod]] = {
    "customer": Customer,
    "payment_method": PaymentMethod,
}
_ERRORS: dict[str, type[DomainError]] = {
    cls.__name__: cls
    for cls in (
        InvalidInput,
        NotFound,
        Conflict,
        CustomerDeleted,
        RequestInProgress,
        Unauthenticated,
        Forbidden,
    )
}
_DATETIME_FIELDS = frozenset({"created_at", "updated_at", "deleted_at"})
_DATE_FIELDS = frozenset({"expiration_date", "keep_until"})


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value  # datetime is a date too


def encode_result(result: Result) -> str:
    """JSON for a successful outcome (None for operations that return nothing)."""
    if result is None:
        return json.dumps({"kind": "none"})
    kind = "customer" if isinstance(result, Customer) else "payment_method"
    fields = {field.name: _plain(getattr(result, field.name)) for field in dataclasses.fields(result)}
    return json.dumps({"kind": kind, "fields": fields})


def encode_error(error: DomainError) -> str:
    """JSON for a domain error the operation raised."""
    return json.dumps(
        {
            "kind": "error",
            "class": type(error).__name__ if type(error).__name__ in _ERRORS else "InvalidInput",
            "message": error.message,
            "field_errors": [
                {"field": e.field, "code": e.code.value, "message": e.message} for e in error.field_errors
            ],
        }
    )


def _typed(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATETIME_FIELDS:
        return datetime.fromisoformat(value)
    if name in _DATE_FIELDS:
        return date.fromisoformat(value)
    return value


def decode(text: str) -> Result:
    """The outcome back: the domain object (or None), or the stored DomainError raised again."""
    data = json.loads(text)
    kind = data["kind"]
    if kind == "none":
        return None
    if kind == "error":
        field_errors = [
            FieldError(e["field"], ErrorCode(e["code"]), e["message"]) for e in data["field_errors"]
        ]
        raise _ERRORS[data["class"]](data["message"], field_errors)
    fields = {name: _typed(name, value) for name, value in data["fields"].items()}
    return _KINDS[kind](**fields)
