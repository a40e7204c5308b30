"""What the REST client returns: typed, immutable views of the gateway's JSON answers.

Parsing is strict about types the contract fixes (timestamps become aware datetimes, card dates become
`date`s) and keeps every field the gateway sends, so nothing a caller could read from the raw JSON is
lost. Independent of the server's code, like the rest of the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict


class CustomerFields(TypedDict, total=False):
    """The writable customer fields, as the REST API names them.

    On update, a field left out (or `None`) keeps its value and `""` clears it; `metadata` is merged
    key by key, a key set to `None` being removed.
    """

    merchant_customer_id: str | None
    description: str | None
    email: str | None
    name: str | None
    phone: str | None
    metadata: Mapping[str, str | None] | None
    zip_code: str | None
    city: str | None
    address: str | None
    country: str | None


def _timestamp(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _optional_timestamp(value: Any) -> datetime | None:
    return None if value is None else _timestamp(value)


def _optional_date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer (all 16 keys of the gateway's object but `status`)."""

    uuid: str
    merchant_customer_id: str | None
    description: str | None
    email: str | None
    name: str | None
    phone: str | None
    metadata: dict[str, str]
    zip_code: str | None
    city: str | None
    address: str | None
    country: str | None
    deleted: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Customer:
        """Build from a customer object of the REST API."""
        return cls(
            uuid=data["uuid"],
            merchant_customer_id=data["merchant_customer_id"],
            description=data["description"],
            email=data["email"],
            name=data["name"],
            phone=data["phone"],
            metadata=dict(data.get("metadata") or {}),
            zip_code=data["zip_code"],
            city=data["city"],
            address=data["address"],
            country=data["country"],
            deleted=bool(data["deleted"]),
            created_at=_timestamp(data["created_at"]),
            updated_at=_timestamp(data["updated_at"]),
            deleted_at=_optional_timestamp(data["deleted_at"]),
        )


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    """A tokenised card of a customer."""

    id: str
    status: str
    masked_pan: str
    expiration_date: date
    keep_until: date | None
    token: str
    expired: bool
    customer_uuid: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PaymentMethod:
        """Build from a payment method object of the REST API."""
        return cls(
            id=str(data["id"]),
            status=data["status"],
            masked_pan=data["masked_pan"],
            expiration_date=date.fromisoformat(data["expiration_date"]),
            keep_until=_optional_date(data["keep_until"]),
            token=data["token"],
            expired=bool(data["expired"]),
            customer_uuid=data["customer_uuid"],
            created_at=_timestamp(data["created_at"]),
            updated_at=_timestamp(data["updated_at"]),
        )


@dataclass(frozen=True, slots=True)
class Deleted:
    """The answer to a delete: which object, and that it is gone (deleting again answers the same)."""

    id: str
    deleted: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Deleted:
        """Build from `{"status","id","deleted"}` (customer deletes also carry `uuid`, equal to `id`)."""
        return cls(id=str(data.get("id") or data["uuid"]), deleted=bool(data["deleted"]))


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A Bearer token from `POST /v2/oauth`."""

    access_token: str = field(repr=False)
    token_type: str
    expires_in: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AccessToken:
        """Build from the token endpoint's answer."""
        return cls(
            access_token=data["access_token"],
            token_type=data.get("token_type", "Bearer"),
            expires_in=int(data["expires_in"]),
        )
