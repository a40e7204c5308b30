"""The typed REST client against the real app, on both databases: every route, both auth schemes, and
typed errors carrying status, code, field and request id. The async client talks to the app in-process;
the sync client to a real server (uvicorn in a thread)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime

import httpx
import pytest
import uvicorn

from app.client.api import AsyncGatewayClient, GatewayClient
from app.client.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
)
from app.main import create_app
from app.merchants.repository import Merchant
from app.settings import Settings

CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok_client_1"}


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the app (in-process), shared by the gateway clients of a test."""
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c
    await app.state.services.close()


@pytest.fixture
def gateway(http: httpx.AsyncClient, merchant: Merchant) -> AsyncGatewayClient:
    """The async client signing as the test's merchant."""
    return AsyncGatewayClient(
        authenticity_token=merchant.authenticity_token, merchant_key=merchant.merchant_key, http=http
    )


async def test_every_customer_route(gateway: AsyncGatewayClient) -> None:
    created = await gateway.create_customer(
        merchant_customer_id="shop/42 a", name="Ada", email="ada@example.com", metadata={"tier": "gold"}
    )
    fetched = await gateway.get_customer(created.uuid)
    by_own_id = await gateway.get_customer_by_merchant_customer_id("shop/42 a")
    updated = await gateway.update_customer(
        created.uuid, email=None, phone="+44 20", name="", metadata={"tier": None, "source": "web"}
    )
    listed = await gateway.list_customers(limit=5, offset=0)
    deleted = await gateway.delete_customer(created.uuid)
    again = await gateway.get_customer(created.uuid)

    assert isinstance(created.created_at, datetime) and created.created_at.tzinfo is not None
    assert fetched == created == by_own_id
    assert (updated.email, updated.phone, updated.name) == ("ada@example.com", "+44 20", None)
    assert updated.metadata == {"source": "web"}
    assert [customer.uuid for customer in listed] == [created.uuid]
    assert deleted.id == created.uuid and deleted.deleted
    assert again.deleted and again.deleted_at is not None
    assert await gateway.list_customers() == []


async def test_every_payment_method_route(gateway: AsyncGatewayClient) -> None:
    customer = await gateway.create_customer(name="Carded")

    card = await gateway.add_payment_method(customer.uuid, **CARD, keep_until="2030-01-31")
    of_customer = await gateway.list_payment_methods(customer.uuid, limit=10)
    of_merchant = await gateway.list_merchant_payment_methods(offset=0)
    removed = await gateway.remove_payment_method(customer.uuid, card.id)

    assert card.expiration_date == date(2034, 12, 31) and card.keep_until == date(2030, 1, 31)
    assert card.customer_uuid == customer.uuid and not card.expired
    assert of_customer == of_merchant == [card]
    assert removed.id == card.id and removed.deleted
    assert await gateway.list_payment_methods(customer.uuid) == []


async def test_bearer_tokens_and_scopes(http: httpx.AsyncClient, merchant: Merchant) -> None:
    client = AsyncGatewayClient(http=http)
    narrow = await client.fetch_token(merchant.authenticity_token, merchant.merchant_key, ["customers"])
    client.use_token(narrow.access_token)
    customer = await client.create_customer(name="Token")

    with pytest.raises(PermissionDeniedError) as refused:
        await client.list_payment_methods(customer.uuid)

    assert narrow.token_type == "Bearer" and narrow.expires_in > 0
    assert narrow.access_token not in repr(narrow)
    assert refused.value.status == 403 and refused.value.code == "forbidden"


async def test_errors_are_typed_and_name_code_field_and_request_id(
    gateway: AsyncGatewayClient, http: httpx.AsyncClient, merchant: Merchant
) -> None:
    with pytest.raises(InvalidRequestError) as invalid:
        await gateway.create_customer(email="not-an-email")
    with pytest.raises(NotFoundError) as missing:
        await gateway.get_customer("00000000-0000-4000-8000-000000000000")
    with pytest.raises(PayloadTooLargeError):
        await gateway.create_customer(description="x" * 70_000)
    wrong_key = AsyncGatewayClient(
        authenticity_token=merchant.authenticity_token, merchant_key="wrong", http=http
    )
    with pytest.raises(AuthenticationError) as unauthenticated:
        await wrong_key.list_customers()

    error = invalid.value
    assert (error.status, error.field, error.code) == (400, "email", "invalid_email")
    assert error.request_id and len(error.request_id) == 32
    assert error.request_id in str(error) and "email" in str(error)
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    assert missing.value.field is None and missing.value.message == "customer not found"
    assert unauthenticated.value.status == 401 and "Authorization" in unauthenticated.value.message


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The app served by uvicorn on a free local port, in a background thread."""
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_sync_client_against_a_real_server(live_server: str, merchant: Merchant) -> None:
    with GatewayClient.signed(
        live_server, authenticity_token=merchant.authenticity_token, merchant_key=merchant.merchant_key
    ) as gateway:
        created = gateway.create_customer(name="Sync", merchant_customer_id="sync-1")
        card = gateway.add_payment_method(created.uuid, **CARD)
        assert gateway.get_customer_by_merchant_customer_id("sync-1") == created
        assert gateway.list_payment_methods(created.uuid) == [card]
        assert gateway.delete_customer(created.uuid).deleted
        with pytest.raises(InvalidRequestError) as invalid:
            gateway.update_customer(created.uuid, name="Gone")

    with GatewayClient(live_server) as anonymous:
        token = anonymous.fetch_token(merchant.authenticity_token, merchant.merchant_key)
        anonymous.use_token(token.access_token)
        assert anonymous.list_customers(limit=1) == []
    assert invalid.value.code == "customer_deleted" and invalid.value.request_id
