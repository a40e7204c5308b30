"""The objects the service hands to transports: plain, immutable, storage-free."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as both transports show it. `id` is internal (ordering, batching), never published."""

    id: int
    uuid: str
    merchant_customer_id: str | None
    description: str | None
    email: str | None
    name: str | None
    phone: str | None
    metadata: dict[str, Any]
    zip_code: str | None
    city: str | None
    address: str | None
    country: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @property
    def deleted(self) -> bool:
        """Soft-deleted customers keep their row and answer by uuid."""
        return self.deleted_at is not None


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    """A tokenised card attached to a customer."""

    id: str
    customer_id: int
    customer_uuid: str
    status: str
    masked_pan: str
    expiration_date: date
    keep_until: date | None
    token: str
    created_at: datetime
    updated_at: datetime

    @property
    def expired(self) -> bool:
        """True once the card's last valid day (UTC) has passed."""
        return self.expiration_date < datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """Optional list filters (GraphQL); every given one must match."""

    email: str | None = None
    merchant_customer_id: str | None = None
    name_contains: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    country: str | None = None
    updated_after: datetime | None = None
    has_payment_methods: bool | None = None
    # (key, value) pairs, each an exact match of one metadata entry
    metadata: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, and whether another follows it."""

    items: list[T]
    has_next: bool
