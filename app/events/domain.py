"""Events as the feed hands them to transports: plain, immutable, storage-free."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """What happened; the value is the wire name."""

    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    CUSTOMER_DELETED = "customer.deleted"
    PAYMENT_METHOD_ATTACHED = "payment_method.attached"
    PAYMENT_METHOD_DETACHED = "payment_method.detached"


@dataclass(frozen=True, slots=True)
class Event:
    """One committed change. `sequence` is internal (order, cursors), `id` the public id."""

    sequence: int
    id: str
    type: EventType
    customer_uuid: str
    data: dict[str, Any]
    previous_attributes: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Optional feed filters; every given one must match."""

    types: tuple[EventType, ...] = ()
    customer_uuid: str | None = None


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of the feed, and whether another follows it."""

    items: list[Event]
    has_next: bool
