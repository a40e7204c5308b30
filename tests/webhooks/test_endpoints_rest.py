"""Webhook endpoints over REST (scope `webhooks`), through real HTTP on both databases: the secret is
shown once and stored sealed, endpoints are the merchant's own, bad input is refused by field."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select, text

from app.client.auth import BearerAuth, SignedAuth, afetch_token
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings
from app.webhooks.models import WebhookEndpointTable
from app.webhooks.service import WebhookService
from tests.rest.conftest import assert_invalid_request

ENDPOINT_KEYS = ["id", "url", "description", "event_types", "enabled", "disabled_reason", "created_at"]


async def register(client: httpx.AsyncClient, auth: httpx.Auth, **data: object) -> dict[str, object]:
    response = await client.post("/v2/webhook-endpoints", json=data, auth=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_endpoint_is_registered_listed_changed_and_deleted(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    created = await register(
        app_client,
        signed,
        url="http://127.0.0.1:9/hooks",
        event_types=["customer.created", "customer.deleted"],
        description="orders backend",
    )
    assert list(created) == ["status", *ENDPOINT_KEYS, "secret"]
    assert created["status"] == "approved"
    assert str(created["id"]).startswith("we_")
    assert str(created["secret"]).startswith("whsec_")
    assert created["event_types"] == ["customer.created", "customer.deleted"]
    assert created["enabled"] is True and created["disabled_reason"] is None

    listed = (await app_client.get("/v2/webhook-endpoints", auth=signed)).json()
    assert listed["status"] == "approved"
    assert [list(item) for item in listed["data"]] == [ENDPOINT_KEYS]  # never the secret again
    one = (await app_client.get(f"/v2/webhook-endpoints/{created['id']}", auth=signed)).json()
    assert one == {key: created[key] for key in ["status", *ENDPOINT_KEYS]}

    changed = await app_client.post(
        f"/v2/webhook-endpoints/{created['id']}", json={"event_types": [], "enabled": False}, auth=signed
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["event_types"] == [] and changed.json()["enabled"] is False
    assert changed.json()["disabled_reason"] == "disabled by the merchant"

    deleted = await app_client.delete(f"/v2/webhook-endpoints/{created['id']}", auth=signed)
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert (await app_client.get("/v2/webhook-endpoints", auth=signed)).json()["data"] == []
    gone = await app_client.get(f"/v2/webhook-endpoints/{created['id']}", auth=signed)
    assert gone.status_code == 404


async def test_the_secret_is_stored_sealed(
    app_client: httpx.AsyncClient, signed: SignedAuth, services: Services
) -> None:
    created = await register(app_client, signed, url="http://127.0.0.1:9/hooks")
    async with services.database.reader() as conn:
        query = select(WebhookEndpointTable.secret).where(  # type: ignore[call-overload]
            WebhookEndpointTable.public_id == created["id"]
        )
        stored = (await conn.execute(query)).scalar_one()
    assert created["secret"] not in stored
    assert stored.startswith("fernet:")
    assert services.secrets.open(stored) == created["secret"]


async def test_another_merchants_endpoints_are_invisible(
    app_client: httpx.AsyncClient, signed: SignedAuth, other_signed: SignedAuth
) -> None:
    created = await register(app_client, signed, url="http://127.0.0.1:9/hooks")
    assert (await app_client.get("/v2/webhook-endpoints", auth=other_signed)).json()["data"] == []
    path = f"/v2/webhook-endpoints/{created['id']}"
    assert (await app_client.get(path, auth=other_signed)).status_code == 404
    assert (await app_client.delete(path, auth=other_signed)).status_code == 404
    assert (await app_client.get(f"{path}/attempts", auth=other_signed)).status_code == 404
    assert (await app_client.get(path, auth=signed)).status_code == 200


async def test_the_webhooks_scope_is_needed(app_client: httpx.AsyncClient, merchant: Merchant) -> None:
    customers_only = BearerAuth(
        await afetch_token(
            app_client, merchant.authenticity_token, merchant.merchant_key, ["customers", "payment-methods"]
        )
    )
    refused = await app_client.get("/v2/webhook-endpoints", auth=customers_only)
    assert refused.status_code == 403, refused.text
    assert "webhooks" in refused.json()["message"]
    hooks_only = BearerAuth(
        await afetch_token(app_client, merchant.authenticity_token, merchant.merchant_key, ["webhooks"])
    )
    assert (await app_client.get("/v2/webhook-endpoints", auth=hooks_only)).status_code == 200
    assert (await app_client.get("/v2/customers", auth=hooks_only)).status_code == 403


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "url", "required"),
        ({"url": "ftp://example.com/"}, "url", "invalid_format"),
        (
            {"url": "http://127.0.0.1:9/", "event_types": ["customer.exploded"]},
            "event_types",
            "invalid_format",
        ),
        ({"url": "http://127.0.0.1:9/", "event_types": "customer.created"}, "event_types", "invalid_type"),
        ({"url": "http://127.0.0.1:9/", "description": "x" * 256}, "description", "too_long"),
        ({"url": "http://no-such-host.invalid/"}, "url", "invalid_format"),
    ],
)
async def test_bad_endpoints_are_refused_by_field(
    app_client: httpx.AsyncClient, signed: SignedAuth, body: dict[str, object], field: str, code: str
) -> None:
    response = await app_client.post("/v2/webhook-endpoints", json=body, auth=signed)
    assert_invalid_request(response, 400, (field, code))


async def test_unknown_fields_of_a_change_are_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    created = await register(app_client, signed, url="http://127.0.0.1:9/hooks")
    response = await app_client.post(
        f"/v2/webhook-endpoints/{created['id']}", json={"secret": "mine"}, auth=signed
    )
    assert_invalid_request(response, 400, ("secret", "invalid_key"))
    response = await app_client.post(
        f"/v2/webhook-endpoints/{created['id']}", json={"enabled": "yes"}, auth=signed
    )
    assert_invalid_request(response, 400, ("enabled", "invalid_type"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://10.0.0.7/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hooks",
        "http://localhost:8080/hooks",
    ],
)
async def test_private_targets_are_refused_by_default(
    settings: Settings, merchant: Merchant, url: str
) -> None:
    services = Services.from_settings(replace(settings, webhooks_allow_private=False))
    try:
        assert isinstance(services.webhooks, WebhookService) and not services.webhooks.allow_private
        with pytest.raises(Exception) as refused:
            await services.webhooks.create_endpoint(merchant_id=merchant.id, data={"url": url})
        assert "GATEWAY_WEBHOOKS_ALLOW_PRIVATE" in str(refused.value)
        assert await services.webhooks.list_endpoints(merchant_id=merchant.id) == []
    finally:
        await services.close()


async def test_a_merchant_has_at_most_twenty_endpoints(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    for number in range(20):
        await register(app_client, signed, url=f"http://127.0.0.1:9/hooks/{number}")
    response = await app_client.post(
        "/v2/webhook-endpoints", json={"url": "http://127.0.0.1:9/x"}, auth=signed
    )
    assert_invalid_request(response, 400, ("url", "out_of_range"))


async def test_a_keyed_registration_replays_its_secret_which_is_stored_sealed(
    app_client: httpx.AsyncClient, signed: SignedAuth, services: Services
) -> None:
    headers = {"Idempotency-Key": "register-hooks-1"}
    first = await app_client.post(
        "/v2/webhook-endpoints", json={"url": "http://127.0.0.1:9/hooks"}, headers=headers, auth=signed
    )
    again = await app_client.post(
        "/v2/webhook-endpoints", json={"url": "http://127.0.0.1:9/hooks"}, headers=headers, auth=signed
    )
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len((await app_client.get("/v2/webhook-endpoints", auth=signed)).json()["data"]) == 1
    async with services.database.reader() as conn:
        kept = (
            (
                await conn.execute(
                    text("SELECT response_body FROM idempotency_keys WHERE key = 'register-hooks-1'")
                )
            )
            .scalars()
            .all()
        )
    assert kept and all(first.json()["secret"] not in body for body in kept)
