"""What a keyed write ended with, in words no transport owns.

`outcome_of` names it: `succeeded`, or the stable code of the domain error it raised (`not_found`,
`invalid_body`, ...); that name is what is stored, and each transport maps it back (REST: to an HTTP
status). The rest of this module keeps a service operation's result (a domain object, or the
DomainError) as JSON and back.

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
SUCCEEDED = "succeeded"
# Outcome name -> the error class it stands for (codes are unique among the classes above).
_ERRORS_BY_OUTCOME: dict[str, type[DomainError]] = {cls.code.value: cls for cls in _ERRORS.values()}
_DATETIME_FIELDS = frozenset({"created_at", "updated_at", "deleted_at"})
_DATE_FIELDS = frozenset({"expiration_date", "keep_until"})


def outcome_of(error: DomainError | None) -> str:
    """`succeeded` (no error), else the code of the nearest known class of `error` (InvalidInput's when
    it has none), the same for every subclass."""
    if error is None:
        return SUCCEEDED
    known: type[DomainError] = next(
        (cls for cls in type(error).__mro__ if cls in _ERRORS.values()), InvalidInput
    )
    return known.code.value


def error_class_of(outcome: str) -> type[DomainError] | None:
    """The domain error class an outcome stands for; None for `succeeded`.

    Raises KeyError for a name `outcome_of` never gives.
    """
    return None if outcome == SUCCEEDED else _ERRORS_BY_OUTCOME[outcome]


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
