"""An event as the gateway publishes it: feed items, and later webhook bodies and subscription messages."""

from __future__ import annotations

from typing import Any

from app.events.domain import Event, EventType
from app.timestamps import format_timestamp


def event_object(event: Event) -> dict[str, Any]:
    """`{id, type, created_at, customer_uuid, data}`, plus `previous_attributes` on `customer.updated`."""
    published: dict[str, Any] = {
        "id": event.id,
        "type": event.type.value,
        "created_at": format_timestamp(event.created_at),
        "customer_uuid": event.customer_uuid,
        "data": event.data,
    }
    if event.type is EventType.CUSTOMER_UPDATED:
        published["previous_attributes"] = event.previous_attributes or {}
    return published
