"""REST authentication: both schemes on every route, every 401 cause, scopes (403) and POST /v2/oauth."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from app.client.auth import BearerAuth, SignedAuth, afetch_token, authorization_header, token_request_body
from app.merchants.repository import Merchant
from app.runtime import Services
from tests.rest.conftest import CARD, assert_invalid_request, create_customer

AuthFactory = Callable[[httpx.AsyncClient, Merchant], Awaitable[httpx.Auth]]


async def _signed(client: httpx.AsyncClient, merchant: Merchant) -> httpx.Auth:
    return SignedAuth(merchant.authenticity_token, merchant.merchant_key)


async def _bearer(client: httpx.AsyncClient, merchant: Merchant) -> httpx.Auth:
    return BearerAuth(await afetch_token(client, merchant.authenticity_token, merchant.merchant_key))


def assert_unauthorized(response: httpx.Response) -> None:
    """401, a JSON object, and a message naming the Authorization header (clients look for it)."""
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["status"] == "invalid-request"
    assert "Authorization" in body["message"]


@pytest.mark.parametrize("make_auth", [_signed, _bearer], ids=["signed", "bearer"])
async def test_every_route_works_with_both_schemes(
    app_client: httpx.AsyncClient, merchant: Merchant, make_auth: AuthFactory
) -> None:
    auth = await make_auth(app_client, merchant)
    created = await create_customer(app_client, auth, merchant_customer_id="tour", name="Tour")
    uuid = created["uuid"]

    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/v2/customers/{uuid}", None),
        ("GET", "/v2/merchants/customers/tour", None),
        ("POST", f"/v2/customers/{uuid}", {"city": "Paris"}),
        ("GET", "/v2/customers?limit=10&offset=0", None),
        ("POST", f"/v2/customers/{uuid}/payment-methods", CARD),
        ("GET", f"/v2/customers/{uuid}/payment-methods?limit=5", None),
        ("GET", "/v2/payment-methods?limit=5&offset=0", None),
    ]
    for method, path, body in calls:
        response = await app_client.request(method, path, json=body, auth=auth)
        assert response.status_code == 200, (method, path, response.text)
        assert response.json()["status"] == "approved"

    card_id = response.json()["data"][0]["id"]
    removed = await app_client.delete(f"/v2/customers/{uuid}/payment-methods/{card_id}", auth=auth)
    deleted = await app_client.delete(f"/v2/customers/{uuid}", auth=auth)
    assert removed.status_code == deleted.status_code == 200


async def test_missing_header_is_401(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/v2/customers")
    assert_unauthorized(response)
    assert response.headers["www-authenticate"]


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer unknown-token",
        "WP3-v2.1 only-two-parts",
        "WP3-v2.1 unknown-merchant 1700000000 abcdef",
        "",
    ],
)
async def test_unreadable_or_unknown_credentials_are_401(app_client: httpx.AsyncClient, header: str) -> None:
    response = await app_client.get("/v2/customers", headers={"Authorization": header})
    assert_unauthorized(response)


async def test_wrong_digest_is_401(app_client: httpx.AsyncClient, merchant: Merchant) -> None:
    header = authorization_header(
        authenticity_token=merchant.authenticity_token, merchant_key="not-the-key", target="/v2/customers"
    )
    response = await app_client.get("/v2/customers", headers={"Authorization": header})
    assert_unauthorized(response)


async def test_a_digest_made_without_the_query_string_is_rejected(
    app_client: httpx.AsyncClient, merchant: Merchant
) -> None:
    header = authorization_header(
        authenticity_token=merchant.authenticity_token,
        merchant_key=merchant.merchant_key,
        target="/v2/customers",
    )

    rejected = await app_client.get("/v2/customers?limit=2&offset=0", headers={"Authorization": header})
    accepted = await app_client.get("/v2/customers", headers={"Authorization": header})

    assert_unauthorized(rejected)
    assert accepted.status_code == 200


async def test_a_tampered_body_is_rejected(app_client: httpx.AsyncClient, merchant: Merchant) -> None:
    signed_body = json.dumps({"name": "Alice"}).encode()
    header = authorization_header(
        authenticity_token=merchant.authenticity_token,
        merchant_key=merchant.merchant_key,
        target="/v2/customers",
        body=signed_body,
    )

    tampered = await app_client.post(
        "/v2/customers", content=json.dumps({"name": "Mallory"}).encode(), headers={"Authorization": header}
    )
    genuine = await app_client.post("/v2/customers", content=signed_body, headers={"Authorization": header})

    assert_unauthorized(tampered)
    assert genuine.status_code == 200 and genuine.json()["name"] == "Alice"


@pytest.mark.parametrize("skew", [-301, -3600, 301, 3600])
async def test_a_timestamp_outside_the_window_is_rejected(
    app_client: httpx.AsyncClient, merchant: Merchant, skew: int
) -> None:
    auth = SignedAuth(merchant.authenticity_token, merchant.merchant_key, clock=lambda: time.time() + skew)
    response = await app_client.get("/v2/customers", auth=auth)
    assert_unauthorized(response)


async def test_a_timestamp_inside_the_window_is_accepted(
    app_client: httpx.AsyncClient, merchant: Merchant
) -> None:
    auth = SignedAuth(merchant.authenticity_token, merchant.merchant_key, clock=lambda: time.time() - 250)
    response = await app_client.get("/v2/customers", auth=auth)
    assert response.status_code == 200


async def test_an_expired_token_is_401(
    app_client: httpx.AsyncClient, merchant: Merchant, services: Services
) -> None:
    issued = await services.merchants.issue_token(
        **token_request_body(merchant.authenticity_token, merchant.merchant_key), ttl_seconds=-1
    )
    response = await app_client.get("/v2/customers", auth=BearerAuth(issued.access_token))
    assert_unauthorized(response)
    assert "expired" in response.json()["message"]


async def test_oauth_issues_a_bearer_token(app_client: httpx.AsyncClient, merchant: Merchant) -> None:
    response = await app_client.post(
        "/v2/oauth", json=token_request_body(merchant.authenticity_token, merchant.merchant_key)
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["status", "access_token", "token_type", "expires_in"]
    assert body["status"] == "approved" and body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert len(body["access_token"]) >= 40
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("changes", "status", "field", "code"),
    [
        ({"scopes": ["customers", "admin"]}, 400, "scopes", "invalid_scope"),
        ({"grant_type": "password"}, 400, "grant_type", "unsupported_grant_type"),
        ({"client_secret": "wrong"}, 401, None, None),
        ({"client_id": "nobody"}, 401, None, None),
    ],
)
async def test_oauth_refusals(
    app_client: httpx.AsyncClient,
    merchant: Merchant,
    changes: dict[str, Any],
    status: int,
    field: str | None,
    code: str | None,
) -> None:
    body = {**token_request_body(merchant.authenticity_token, merchant.merchant_key), **changes}

    response = await app_client.post("/v2/oauth", json=body)

    if field is None:
        assert_unauthorized(response)
    else:
        assert_invalid_request(response, status, (field, code or ""))


async def test_oauth_with_malformed_json_is_400(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post("/v2/oauth", content=b"client_id=x")
    assert_invalid_request(response, 400, ("body", "invalid_json"))


PAYMENT_METHOD_CALLS = [
    ("GET", "/v2/customers/{uuid}/payment-methods"),
    ("POST", "/v2/customers/{uuid}/payment-methods"),
    ("DELETE", "/v2/customers/{uuid}/payment-methods/some-id"),
    ("GET", "/v2/payment-methods"),
]


@pytest.mark.parametrize(("method", "path"), PAYMENT_METHOD_CALLS)
async def test_payment_method_routes_need_the_payment_methods_scope(
    app_client: httpx.AsyncClient, merchant: Merchant, signed: SignedAuth, method: str, path: str
) -> None:
    customer = await create_customer(app_client, signed)
    token = await afetch_token(app_client, merchant.authenticity_token, merchant.merchant_key, ["customers"])

    response = await app_client.request(
        method,
        path.format(uuid=customer["uuid"]),
        json=CARD if method == "POST" else None,
        auth=BearerAuth(token),
    )

    assert_invalid_request(response, 403)
    assert "payment-methods" in response.json()["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/customers"),
        ("POST", "/v2/customers"),
        ("GET", "/v2/customers/{uuid}"),
        # Not GET /v2/payment-methods: `payment-methods` alone lists the merchant's cards (test_scopes.py).
        *(call for call in PAYMENT_METHOD_CALLS if call != ("GET", "/v2/payment-methods")),
    ],
)
async def test_a_payment_methods_only_token_cannot_reach_customers(
    app_client: httpx.AsyncClient, merchant: Merchant, signed: SignedAuth, method: str, path: str
) -> None:
    customer = await create_customer(app_client, signed)
    token = await afetch_token(
        app_client, merchant.authenticity_token, merchant.merchant_key, ["payment-methods"]
    )

    response = await app_client.request(
        method,
        path.format(uuid=customer["uuid"]),
        json={} if method == "POST" else None,
        auth=BearerAuth(token),
    )

    assert_invalid_request(response, 403)


async def test_a_customers_token_reaches_customer_routes(
    app_client: httpx.AsyncClient, merchant: Merchant
) -> None:
    token = await afetch_token(app_client, merchant.authenticity_token, merchant.merchant_key, ["customers"])
    response = await app_client.post("/v2/customers", json={"name": "Scoped"}, auth=BearerAuth(token))
    assert response.status_code == 200
