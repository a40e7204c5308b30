"""Domain objects -> the gateway's JSON: exact key order, nulls kept, timestamps in the gateway's format.

Every customer answer carries all 16 keys (SDKs read every key and fail on a missing one); list items
carry their own `"status": "approved"` because one client rejects items without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.responses import JSONResponse

from app.customers.domain import Customer, PaymentMethod
from app.merchants.service import IssuedToken
from app.timestamps import format_timestamp

APPROVED = "approved"


def customer_object(customer: Customer) -> dict[str, Any]:
    """A customer in the gateway's key order, `status` first."""
    return {
        "status": APPROVED,
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


def payment_method_object(method: PaymentMethod) -> dict[str, Any]:
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


def customer_response(customer: Customer) -> JSONResponse:
    """Create, retrieve and update answers."""
    return JSONResponse(customer_object(customer))


def customer_list_response(customers: Iterable[Customer]) -> JSONResponse:
    """`{status, data: [customer, ...]}`."""
    return JSONResponse({"status": APPROVED, "data": [customer_object(c) for c in customers]})


def deleted_customer_response(customer: Customer) -> JSONResponse:
    """The delete answer: both `uuid` and `id` (equal), because clients read one or the other."""
    return JSONResponse({"status": APPROVED, "uuid": customer.uuid, "id": customer.uuid, "deleted": True})


def payment_method_response(method: PaymentMethod) -> JSONResponse:
    """The attach answer: the card under `data`, since its own `status` would clash with the envelope's."""
    return JSONResponse({"status": APPROVED, "data": payment_method_object(method)})


def payment_method_list_response(methods: Iterable[PaymentMethod]) -> JSONResponse:
    """`{status, data: [payment method, ...]}`."""
    return JSONResponse({"status": APPROVED, "data": [payment_method_object(m) for m in methods]})


def removed_payment_method_response(payment_method_id: str) -> JSONResponse:
    """The detach answer."""
    return JSONResponse({"status": APPROVED, "id": payment_method_id, "deleted": True})


def token_response(issued: IssuedToken) -> JSONResponse:
    """`POST /v2/oauth`; `Cache-Control: no-store` keeps the token out of caches (RFC 6749 section 5.1)."""
    return JSONResponse(
        {
            "status": APPROVED,
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
        },
        headers={"Cache-Control": "no-store"},
    )
