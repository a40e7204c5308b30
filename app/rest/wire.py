"""Domain objects -> the gateway's JSON: exact key order, nulls kept, timestamps in the gateway's format.

Every customer answer carries all 16 keys (SDKs read every key and fail on a missing one); list items
carry their own `"status": "approved"` because one client rejects items without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.customers.domain import Customer, PaymentMethod
from app.customers.published import customer_data, payment_method_data
from app.http.json_codec import JSONResponse
from app.merchants.service import IssuedToken

APPROVED = "approved"


def customer_object(customer: Customer) -> dict[str, Any]:
    """A customer in the gateway's key order, `status` first."""
    return {"status": APPROVED, **customer_data(customer)}


def payment_method_object(method: PaymentMethod) -> dict[str, Any]:
    """A payment method with every key present; its own `status` is the card's (`active`)."""
    return payment_method_data(method)


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
