"""Transport-level behaviour: JSON decoding, 404/405/413/500 envelopes, and `//v2/...` paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from app.client.auth import SignedAuth, authorization_header
from app.customers.service import CustomerService
from app.main import create_app
from app.merchants.repository import Merchant
from app.settings import Settings
from tests.rest.conftest import CUSTOMER_KEYS, assert_invalid_request, create_customer

LIMIT = 64 * 1024


@pytest.mark.parametrize("body", [b"{", b"{'name': 'x'}", b"", b"\xff\xfe{}", b"[" * 10_000 + b"]" * 10_000])
async def test_malformed_json_is_400(app_client: httpx.AsyncClient, signed: SignedAuth, body: bytes) -> None:
    response = await app_client.post("/v2/customers", content=body, auth=signed)
    assert_invalid_request(response, 400, ("body", "invalid_json"))


@pytest.mark.parametrize("body", [b"[]", b'[{"name": "x"}]', b'"text"', b"42", b"null", b"true"])
async def test_a_non_object_body_is_400(
    app_client: httpx.AsyncClient, signed: SignedAuth, body: bytes
) -> None:
    created = await create_customer(app_client, signed)

    create = await app_client.post("/v2/customers", content=body, auth=signed)
    update = await app_client.post(f"/v2/customers/{created['uuid']}", content=body, auth=signed)

    assert_invalid_request(create, 400, ("body", "invalid_body"))
    assert_invalid_request(update, 400, ("body", "invalid_body"))


@pytest.mark.parametrize(
    "path",
    ["/v2/nothing", "/v2/customers/a/b/c/d", "/v2", "/v3/customers", "/v2/customers/x/payment-methods/"],
)
async def test_unknown_paths_are_404_json(
    app_client: httpx.AsyncClient, signed: SignedAuth, path: str
) -> None:
    response = await app_client.get(path, auth=signed)
    assert_invalid_request(response, 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v2/customers", {"GET", "POST"}),
        ("DELETE", "/v2/customers", {"GET", "POST"}),
        ("PATCH", "/v2/customers/00000000-0000-4000-8000-000000000000", {"GET", "POST", "DELETE"}),
        ("GET", "/v2/oauth", {"POST"}),
        ("POST", "/v2/merchants/customers/x", {"GET"}),
        ("GET", "/v2/customers/x/payment-methods/y", {"DELETE"}),
        ("POST", "/v2/payment-methods", {"GET"}),
    ],
)
async def test_a_wrong_method_on_a_known_path_is_405_json(
    app_client: httpx.AsyncClient, signed: SignedAuth, method: str, path: str, allowed: set[str]
) -> None:
    response = await app_client.request(method, path, auth=signed)

    assert_invalid_request(response, 405)
    assert {item.strip() for item in response.headers["allow"].split(",")} - {"HEAD"} == allowed


async def test_a_declared_oversized_body_is_413(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    response = await app_client.post("/v2/customers", content=b" " * (LIMIT + 1), auth=signed)
    assert_invalid_request(response, 413)


async def test_a_streamed_oversized_body_is_cut_off_early(app_client: httpx.AsyncClient) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):
            sent += 1
            yield b" " * 8192

    # No Content-Length: the server must count as the body streams in and stop at the limit.
    response = await app_client.post("/v2/customers", content=chunks())

    assert_invalid_request(response, 413)
    assert sent <= LIMIT // 8192 + 2


async def test_a_body_exactly_at_the_limit_is_accepted(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    core = b'{"name": "Big"}'
    response = await app_client.post("/v2/customers", content=core + b" " * (LIMIT - len(core)), auth=signed)

    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Big"


async def test_the_body_limit_follows_settings(settings: Settings, merchant: Merchant) -> None:
    app = create_app(replace(settings, max_body_bytes=100))
    auth = SignedAuth(merchant.authenticity_token, merchant.merchant_key)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        small = await client.post("/v2/customers", json={"name": "ok"}, auth=auth)
        large = await client.post("/v2/customers", json={"description": "x" * 120}, auth=auth)
    await app.state.services.close()

    assert small.status_code == 200
    assert_invalid_request(large, 413)


@pytest.fixture
async def lenient_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client that receives 500 responses instead of re-raising the app's exception in the test."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.services.close()


async def test_an_unexpected_error_is_500_without_internals(
    lenient_client: httpx.AsyncClient, signed: SignedAuth, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(self: CustomerService, **kwargs: Any) -> None:
        raise RuntimeError("secret-internal-detail at /srv/app/db/engines.py")

    monkeypatch.setattr(CustomerService, "create", explode)

    response = await lenient_client.post("/v2/customers", json={"name": "x"}, auth=signed)

    assert response.status_code == 500
    assert response.json() == {
        "status": "error",
        "message": "internal error",
        "request_id": response.headers["x-request-id"],
    }
    assert "secret" not in response.text and "Traceback" not in response.text


async def test_a_doubled_leading_slash_is_served_like_one(
    app_client: httpx.AsyncClient, signed: SignedAuth, merchant: Merchant
) -> None:
    created = await create_customer(app_client, signed, name="Slash")

    # The signature covers the raw target, doubled slash included.
    listed = await app_client.get("http://testserver//v2/customers?limit=5", auth=signed)
    fetched = await app_client.get(f"http://testserver//v2/customers/{created['uuid']}", auth=signed)
    made = await app_client.post("http://testserver//v2/customers", json={"name": "Two"}, auth=signed)
    header = authorization_header(
        authenticity_token=merchant.authenticity_token,
        merchant_key=merchant.merchant_key,
        target="/v2/customers",
    )
    signed_for_single = await app_client.get(
        "http://testserver//v2/customers", headers={"Authorization": header}
    )

    assert listed.status_code == 200 and [c["uuid"] for c in listed.json()["data"]] == [created["uuid"]]
    assert fetched.status_code == 200 and list(fetched.json()) == CUSTOMER_KEYS
    assert made.status_code == 200 and made.json()["name"] == "Two"
    assert signed_for_single.status_code == 401


async def test_healthz_is_untouched(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
