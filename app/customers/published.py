"""A customer and a payment method as the gateway publishes them: REST bodies and event data share it.

Exact key order, nulls kept, timestamps in the gateway's format; every key always present (SDKs read every
key and fail on a missing one).
"""

from __future__ import annotations

from typing import Any

from app.customers.domain import Customer, PaymentMethod
from app.timestamps import format_timestamp


def customer_data(customer: Customer) -> dict[str, Any]:
    """A customer's 15 fields in the gateway's order (REST adds its envelope's `status` in front)."""
    return {
        "uuid": customer.uuid,
        "merchant_customer_id": customer.merchant_customer_id,
        "description": customer.description,
        "email": customer.email,
        "name": customer.name,
        "phone": customer.phone,
        "metadata": customer.metadata or {},
        "zip_code": customer.zip_code,
        "city": customer.city,
        "address": customer.address,
        "country": customer.country,
        "deleted": customer.deleted_at is not None,
        "created_at": format_timestamp(customer.created_at),
        "updated_at": format_timestamp(customer.updated_at),
        "deleted_at": format_timestamp(customer.deleted_at),
    }


def payment_method_data(method: PaymentMethod) -> dict[str, Any]:
    """A payment method with every key present; its own `status` is the card's (`active`)."""
    return {
        "id": method.id,
        "status": method.status,
        "masked_pan": method.masked_pan,
        "expiration_date": method.expiration_date.isoformat(),
        "keep_until": method.keep_until.isoformat() if method.keep_until is not None else None,
        "token": method.token,
        "expired": method.expired,
        "customer_uuid": method.customer_uuid,
        "created_at": format_timestamp(method.created_at),
        "updated_at": format_timestamp(method.updated_at),
    }
