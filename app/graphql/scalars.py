"""Custom scalars: `DateTime` in the gateway's one timestamp format, and the JSON scalar for metadata."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

from app.timestamps import format_timestamp

DATETIME_EXAMPLE = "2026-11-28T12:45:30.675+00:00"


def _serialize_datetime(value: datetime) -> str | None:
    return format_timestamp(value)


def _parse_datetime(value: Any) -> datetime:
    """ISO-8601 text to an aware datetime; a value without an offset is taken as UTC."""
    if not isinstance(value, str):
        raise GraphQLError(f"DateTime must be an ISO-8601 string such as {DATETIME_EXAMPLE}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError(f"DateTime must be an ISO-8601 string such as {DATETIME_EXAMPLE}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description=(
        "A UTC instant in ISO-8601 with milliseconds and offset, as REST shows timestamps: "
        f"`{DATETIME_EXAMPLE}`. Input without an offset is taken as UTC."
    ),
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)

# Handed to StrawberryConfig(scalar_map=...): every `datetime` in the schema uses this scalar.
SCALAR_MAP: dict[object, ScalarDefinition] = {datetime: DATETIME}
