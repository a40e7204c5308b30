"""Every rule about events, written once: which types exist, what an update's previous attributes are,
how long events are kept, what a feed filter may name."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from app.errors import ErrorCode, FieldError, InvalidInput
from app.events.domain import EventType

EVENT_ID_PREFIX = "evt_"
DEFAULT_RETENTION_DAYS = 30
# Fields that change on every write: listing them in previous_attributes would say nothing.
NOT_COMPARED = frozenset({"updated_at"})


def new_event_id() -> str:
    """A random public event id (`evt_` and 32 hex digits); also the webhook-id of its deliveries."""
    return EVENT_ID_PREFIX + secrets.token_hex(16)


def previous_attributes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The old values of the published fields an update changed, in the published order."""
    return {
        name: before.get(name)
        for name, value in after.items()
        if name not in NOT_COMPARED and before.get(name) != value
    }


def clean_types(values: Iterable[str], field_name: str = "type") -> tuple[EventType, ...]:
    """Event type names (each may be a comma-separated list) as types, in the order given, without repeats;
    an unknown name is an invalid-request naming `field_name`."""
    wanted: dict[EventType, None] = {}
    for value in values:
        for name in value.split(","):
            try:
                wanted[EventType(name.strip())] = None
            except ValueError:
                known = ", ".join(member.value for member in EventType)
                message = f"{field_name} must be one of {known}"
                raise InvalidInput(
                    message, [FieldError(field_name, ErrorCode.INVALID_FORMAT, message)]
                ) from None
    return tuple(wanted)


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """Events created before this instant are past retention and swept."""
    return now - timedelta(days=retention_days)
