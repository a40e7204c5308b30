"""No secret reaches a log line: a full flow through a real uvicorn server (oauth, signed and Bearer
requests, a card, GraphQL, refusals, a replay and two 500s) logged at DEBUG by every logger, uvicorn's
and SQLAlchemy's included, never shows a merchant key, an access token, an Authorization header, a card
token or the server key."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from app.client.auth import SignedAuth, authorization_header
from app.customers.service import CustomerService
from app.main import create_app
from app.merchants.repository import Merchant
from app.settings import Settings
from tests.server.conftest import free_port

LOGGERS = [
    "",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "app",
    "asyncio",
    "httpx",
    "strawberry",
]
CARD_TOKEN = "tok_vault_9f8e7d6c5b4a"
GRAPHQL_CARD_TOKEN = "tok_vault_gql_1a2b3c4d"


@pytest.fixture
async def base_url(settings: Settings) -> AsyncIterator[str]:
    """The app behind a real uvicorn server that logs through the standard logging tree."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_config=None, log_level="debug", access_log=True
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def _failing(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("the database went away")


async def test_a_full_flow_logs_no_secret(
    base_url: str,
    merchant: Merchant,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    signed = SignedAuth(merchant.authenticity_token, merchant.merchant_key)
    seen_headers: list[str] = []

    async def remember_authorization(request: httpx.Request) -> None:
        seen_headers.append(request.headers.get("authorization", ""))

    hooks = {"request": [remember_authorization]}
    async with httpx.AsyncClient(base_url=base_url, event_hooks=hooks) as client:
        oauth = await client.post(
            "/v2/oauth",
            json={
                "client_id": merchant.authenticity_token,
                "client_secret": merchant.merchant_key,
                "grant_type": "client_credentials",
                "scopes": ["customers", "payment-methods"],
            },
        )
        token = oauth.json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}

        customer = (await client.post("/v2/customers", json={"name": "Ada"}, auth=signed)).json()
        seen_headers.append(
            authorization_header(
                authenticity_token=merchant.authenticity_token,
                merchant_key=merchant.merchant_key,
                target="/v2/customers",
                body=b"{}",
            )
        )
        card = await client.post(
            f"/v2/customers/{customer['uuid']}/payment-methods",
            json={"masked_pan": "411111******1111", "expiration_date": "12/34", "token": CARD_TOKEN},
            headers={**bearer, "Idempotency-Key": "log-card"},
        )
        await client.get(f"/v2/customers/{customer['uuid']}/payment-methods", headers=bearer)
        await client.post(
            "/graphql",
            json={
                "query": "mutation($u: ID!, $i: AddPaymentMethodInput!) { addPaymentMethod(customerUuid: $u, "
                'input: $i, idempotencyKey: "g") { __typename } }',
                "variables": {
                    "u": customer["uuid"],
                    "i": {
                        "maskedPan": "411111******1111",
                        "expirationDate": "12/34",
                        "token": GRAPHQL_CARD_TOKEN,
                    },
                },
            },
            headers=bearer,
        )
        # refusals: wrong digest, unknown token, bad body, a replayed signed write
        await client.get("/v2/customers", headers={"Authorization": seen_headers[0]})
        await client.get("/v2/customers", headers={"Authorization": "Bearer not-a-real-token-5566"})
        await client.post("/v2/customers", content=b"{nope", headers=bearer)
        replay_body = b'{"name": "Once"}'
        replayed = authorization_header(
            authenticity_token=merchant.authenticity_token,
            merchant_key=merchant.merchant_key,
            target="/v2/customers",
            body=replay_body,
        )
        seen_headers.append(replayed)
        for _ in range(2):
            await client.post("/v2/customers", content=replay_body, headers={"Authorization": replayed})
        # two 500s, REST and GraphQL, while handling a card token
        monkeypatch.setattr(CustomerService, "add_payment_method", _failing)
        crashed = await client.post(
            f"/v2/customers/{customer['uuid']}/payment-methods",
            json={"masked_pan": "411111******1111", "expiration_date": "12/34", "token": CARD_TOKEN},
            headers=bearer,
        )
        crashed_gql = await client.post(
            "/graphql",
            json={
                "query": "mutation($u: ID!, $t: String!) { addPaymentMethod(customerUuid: $u, input: "
                '{maskedPan: "411111******1111", expirationDate: "12/34", token: $t}) { __typename } }',
                "variables": {"u": customer["uuid"], "t": GRAPHQL_CARD_TOKEN},
            },
            headers=bearer,
        )

    assert oauth.status_code == 200 and card.status_code == 200
    assert crashed.status_code == 500 and "errors" in crashed_gql.json()
    logged = caplog.text + "\n".join(str(record.__dict__) for record in caplog.records)
    assert "uvicorn" in {record.name.split(".")[0] for record in caplog.records}
    assert any(record.name.startswith("sqlalchemy.engine") for record in caplog.records)
    secrets = [
        merchant.merchant_key,
        token,
        CARD_TOKEN,
        GRAPHQL_CARD_TOKEN,
        str(settings.secret_key),
        *seen_headers,
    ]
    assert len(seen_headers) >= 10  # every Authorization header the client sent is checked
    for secret in filter(None, secrets):
        assert secret not in logged
