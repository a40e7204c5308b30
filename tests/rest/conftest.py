"""Helpers for the REST contract tests: signed clients per merchant and small request shortcuts.

Every test goes through real HTTP (the ASGI app via httpx) on both databases, via `app_client`.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.client.auth import SignedAuth
from app.merchants.repository import Merchant

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$")
CUSTOMER_KEYS = [
    "status",
    "uuid",
    "merchant_customer_id",
    "description",
    "email",
    "name",
    "phone",
    "metadata",
    "zip_code",
    "city",
    "address",
    "country",
    "deleted",
    "created_at",
    "updated_at",
    "deleted_at",
]
PAYMENT_METHOD_KEYS = [
    "id",
    "status",
    "masked_pan",
    "expiration_date",
    "keep_until",
    "token",
    "expired",
    "customer_uuid",
    "created_at",
    "updated_at",
]
CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok_visa_1"}


def distinct_seconds() -> Callable[[], float]:
    """A clock giving each signed request its own timestamp (stepping ahead of now, inside the window).

    A signed write is accepted once, and tests send identical writes within one second; a real client
    signing each request as it sends it gets the same effect from the passing of time.
    """
    steps = itertools.count()
    # Forward steps: time passing between two requests can never make them meet.
    return lambda: time.time() + next(steps) % 200


@pytest.fixture
def signed(merchant: Merchant) -> SignedAuth:
    """WP3-v2.1 signing as the test's merchant."""
    return SignedAuth(merchant.authenticity_token, merchant.merchant_key, clock=distinct_seconds())


@pytest.fixture
def other_signed(other_merchant: Merchant) -> SignedAuth:
    """WP3-v2.1 signing as a second tenant."""
    merchant = other_merchant
    return SignedAuth(merchant.authenticity_token, merchant.merchant_key, clock=distinct_seconds())


async def create_customer(client: httpx.AsyncClient, auth: httpx.Auth, **data: Any) -> dict[str, Any]:
    """POST /v2/customers and return the approved body (fails the test otherwise)."""
    response = await client.post("/v2/customers", json=data, auth=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def attach_card(
    client: httpx.AsyncClient, auth: httpx.Auth, customer_uuid: str, **overrides: Any
) -> dict[str, Any]:
    """POST /v2/customers/{uuid}/payment-methods and return the card under `data`."""
    response = await client.post(
        f"/v2/customers/{customer_uuid}/payment-methods", json={**CARD, **overrides}, auth=auth
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def assert_invalid_request(response: httpx.Response, status: int, *fields_and_codes: tuple[str, str]) -> None:
    """The response is the invalid-request envelope with this status, naming these (field, code) pairs."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "invalid-request"
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], list)
    named = {(error["field"], error["code"]) for error in body["errors"]}
    for pair in fields_and_codes:
        assert pair in named, body
