"""What each token scope reaches on /v2: the Ruby SDK's `payment-methods` token and read-only tokens."""

from __future__ import annotations

import json
import secrets

import httpx
import pytest

from app.client.auth import BearerAuth, SignedAuth, afetch_token
from app.merchants.repository import Merchant
from tests.rest.conftest import CARD, assert_invalid_request, attach_card, create_customer

# The headers the official Ruby SDK (monri-ruby, lib/monri/http_client.rb) puts on every request.
RUBY_SDK_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def ruby_sdk_headers(**extra: str) -> dict[str, str]:
    """The SDK's headers, with the fresh `x-request-id` (SecureRandom.hex: 32 hex digits) it sends."""
    return {**RUBY_SDK_HEADERS, "x-request-id": secrets.token_hex(16), **extra}


async def test_the_ruby_sdks_payment_methods_list_is_approved(
    app_client: httpx.AsyncClient, merchant: Merchant, signed: SignedAuth
) -> None:
    """`Monri::PaymentMethods#list`, request for request, and the assertions of its live test."""
    customer = await create_customer(app_client, signed, name="Card holder")
    card = await attach_card(app_client, signed, customer["uuid"])
    # AccessTokens#create!: the hash's keys in this order, `to_json` without spaces.
    token_body = {
        "client_id": merchant.authenticity_token,
        "client_secret": merchant.merchant_key,
        "grant_type": "client_credentials",
        "scopes": ["payment-methods"],
    }
    minted = await app_client.post(
        "/v2/oauth", content=json.dumps(token_body, separators=(",", ":")), headers=ruby_sdk_headers()
    )
    assert minted.status_code == 200, minted.text
    assert minted.json()["status"] == "approved"
    access_token = minted.json()["access_token"]

    response = await app_client.get(
        "/v2/payment-methods", headers=ruby_sdk_headers(Authorization=f"Bearer {access_token}")
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "approved"
    assert isinstance(body["data"], list)
    assert [method["id"] for method in body["data"]] == [card["id"]]


async def read_only_token(client: httpx.AsyncClient, merchant: Merchant) -> BearerAuth:
    """A `customers:read` token, minted over /v2/oauth like any other."""
    return BearerAuth(
        await afetch_token(client, merchant.authenticity_token, merchant.merchant_key, ["customers:read"])
    )


async def test_customers_read_is_minted_over_oauth(app_client: httpx.AsyncClient, merchant: Merchant) -> None:
    response = await app_client.post(
        "/v2/oauth",
        json={
            "client_id": merchant.authenticity_token,
            "client_secret": merchant.merchant_key,
            "grant_type": "client_credentials",
            "scopes": ["customers:read"],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    assert response.json()["token_type"] == "Bearer"


@pytest.mark.parametrize("scope", ["customers:write", "customers:READ", "read"])
async def test_unknown_scopes_near_customers_read_are_refused(
    app_client: httpx.AsyncClient, merchant: Merchant, scope: str
) -> None:
    response = await app_client.post(
        "/v2/oauth",
        json={
            "client_id": merchant.authenticity_token,
            "client_secret": merchant.merchant_key,
            "grant_type": "client_credentials",
            "scopes": [scope],
        },
    )
    assert_invalid_request(response, 400, ("scopes", "invalid_scope"))


async def test_a_read_only_token_reads_everything(
    app_client: httpx.AsyncClient, merchant: Merchant, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed, name="Reader", merchant_customer_id="reader-1")
    card = await attach_card(app_client, signed, customer["uuid"])
    reader = await read_only_token(app_client, merchant)

    listed = await app_client.get("/v2/customers", auth=reader)
    one = await app_client.get(f"/v2/customers/{customer['uuid']}", auth=reader)
    by_id = await app_client.get("/v2/merchants/customers/reader-1", auth=reader)
    cards = await app_client.get(f"/v2/customers/{customer['uuid']}/payment-methods", auth=reader)
    all_cards = await app_client.get("/v2/payment-methods", auth=reader)

    for response in (listed, one, by_id, cards, all_cards):
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "approved"
    assert [item["uuid"] for item in listed.json()["data"]] == [customer["uuid"]]
    assert one.json()["uuid"] == by_id.json()["uuid"] == customer["uuid"]
    assert [item["id"] for item in cards.json()["data"]] == [card["id"]]
    assert [item["id"] for item in all_cards.json()["data"]] == [card["id"]]


WRITES = [
    ("POST", "/v2/customers", {"name": "Intruder"}),
    ("POST", "/v2/customers/{uuid}", {"name": "Changed"}),
    ("DELETE", "/v2/customers/{uuid}", None),
    ("POST", "/v2/customers/{uuid}/payment-methods", CARD),
    ("DELETE", "/v2/customers/{uuid}/payment-methods/{card}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_a_read_only_token_writes_nothing(
    app_client: httpx.AsyncClient,
    merchant: Merchant,
    signed: SignedAuth,
    method: str,
    path: str,
    body: dict[str, str] | None,
) -> None:
    customer = await create_customer(app_client, signed, name="Kept")
    card = await attach_card(app_client, signed, customer["uuid"])
    reader = await read_only_token(app_client, merchant)

    response = await app_client.request(
        method, path.format(uuid=customer["uuid"], card=card["id"]), json=body, auth=reader
    )

    assert_invalid_request(response, 403)
    assert "customers" in response.json()["message"]
    after = await app_client.get(f"/v2/customers/{customer['uuid']}", auth=signed)
    assert after.json()["name"] == "Kept" and after.json()["deleted"] is False
    listed = await app_client.get("/v2/customers", auth=signed)
    assert len(listed.json()["data"]) == 1
    cards = await app_client.get(f"/v2/customers/{customer['uuid']}/payment-methods", auth=signed)
    assert [item["id"] for item in cards.json()["data"]] == [card["id"]]
