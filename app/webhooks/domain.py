"""Webhook endpoints, deliveries and attempts as the service hands them out: plain and storage-free."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.events.domain import EventType


class DeliveryStatus(StrEnum):
    """Where a delivery stands; the value is what is stored."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """A merchant's endpoint, without its secret. `event_types` empty: every type."""

    id: str
    url: str
    description: str
    event_types: tuple[EventType, ...]
    enabled: bool
    disabled_reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    """A new endpoint and its signing secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at delivering an event to an endpoint."""

    event_id: str
    attempt: int
    succeeded: bool
    status_code: int | None
    duration_ms: int
    error: str | None
    attempted_at: datetime


@dataclass(frozen=True, slots=True)
class AttemptPage:
    """One page of an endpoint's attempts, newest first, and whether another follows it."""

    items: list[Attempt]
    has_next: bool


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery a worker holds the lease of: where to send what, signed with which (sealed) secret."""

    delivery_id: int
    endpoint_id: int
    attempt: int
    url: str
    sealed_secret: str
    event_sequence: int
    merchant_id: int
