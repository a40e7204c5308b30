"""REST `Idempotency-Key`: a retried write replays the first answer instead of writing again."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from app.client.auth import SignedAuth
from app.customers.service import CustomerService
from app.idempotency.repository import keys
from app.merchants.repository import Merchant
from app.runtime import Services
from tests.rest.conftest import CARD, assert_invalid_request, create_customer


async def _count(app_client: httpx.AsyncClient, auth: httpx.Auth) -> int:
    response = await app_client.get("/v2/customers?limit=100", auth=auth)
    assert response.status_code == 200, response.text
    return len(response.json()["data"])


async def test_a_retried_create_replays_the_first_answer_without_a_second_customer(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    headers = {"Idempotency-Key": "create-ada-1"}
    first = await app_client.post("/v2/customers", json={"name": "Ada"}, auth=signed, headers=headers)
    again = await app_client.post("/v2/customers", json={"name": "Ada"}, auth=signed, headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert await _count(app_client, signed) == 1


async def test_without_a_key_every_create_writes(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    await create_customer(app_client, signed, name="Ada")
    await create_customer(app_client, signed, name="Ada")

    assert await _count(app_client, signed) == 2


async def test_the_same_key_with_another_body_is_refused_as_reused(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    headers = {"Idempotency-Key": "k-1"}
    await app_client.post("/v2/customers", json={"name": "Ada"}, auth=signed, headers=headers)

    response = await app_client.post("/v2/customers", json={"name": "Bob"}, auth=signed, headers=headers)

    assert_invalid_request(response, 400, ("Idempotency-Key", "idempotency_key_reused"))
    assert await _count(app_client, signed) == 1


async def test_the_same_key_on_another_path_is_refused_as_reused(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed)
    headers = {"Idempotency-Key": "k-2"}
    await app_client.post("/v2/customers", json={"name": "Ada"}, auth=signed, headers=headers)

    response = await app_client.post(
        f"/v2/customers/{customer['uuid']}", json={"name": "Ada"}, auth=signed, headers=headers
    )

    assert_invalid_request(response, 400, ("Idempotency-Key", "idempotency_key_reused"))


async def test_keys_are_per_merchant(
    app_client: httpx.AsyncClient, signed: SignedAuth, other_signed: SignedAuth
) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    mine = await app_client.post("/v2/customers", json={"name": "Ada"}, auth=signed, headers=headers)
    theirs = await app_client.post("/v2/customers", json={"name": "Ada"}, auth=other_signed, headers=headers)

    assert mine.status_code == theirs.status_code == 200
    assert mine.json()["uuid"] != theirs.json()["uuid"]
    assert "idempotent-replayed" not in theirs.headers


@pytest.mark.parametrize(
    ("key", "code"), [("", "too_short"), ("x" * 256, "too_long"), ("tab\there", "invalid_characters")]
)
async def test_a_malformed_key_is_an_invalid_request_naming_the_header(
    app_client: httpx.AsyncClient, signed: SignedAuth, key: str, code: str
) -> None:
    response = await app_client.post(
        "/v2/customers", json={"name": "Ada"}, auth=signed, headers={"Idempotency-Key": key}
    )

    assert_invalid_request(response, 400, ("Idempotency-Key", code))
    assert await _count(app_client, signed) == 0


async def test_a_key_of_255_characters_is_accepted(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    response = await app_client.post(
        "/v2/customers", json={}, auth=signed, headers={"Idempotency-Key": "k" * 255}
    )

    assert response.status_code == 200, response.text


async def test_a_refused_request_is_replayed_as_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    headers = {"Idempotency-Key": "bad-email"}
    first = await app_client.post("/v2/customers", json={"email": "nope"}, auth=signed, headers=headers)
    again = await app_client.post("/v2/customers", json={"email": "nope"}, auth=signed, headers=headers)

    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"


async def test_an_update_replays_instead_of_applying_twice(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed, name="Ada")
    headers = {"Idempotency-Key": "rename"}
    path = f"/v2/customers/{customer['uuid']}"
    first = await app_client.post(path, json={"name": "Grace"}, auth=signed, headers=headers)
    await app_client.post(path, json={"name": "Linus"}, auth=signed)  # someone else's change in between

    again = await app_client.post(path, json={"name": "Grace"}, auth=signed, headers=headers)

    assert again.json() == first.json()
    current = await app_client.get(path, auth=signed)
    assert current.json()["name"] == "Linus"


async def test_attaching_a_card_twice_with_one_key_attaches_one_card(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed)
    path = f"/v2/customers/{customer['uuid']}/payment-methods"
    headers = {"Idempotency-Key": "card-1"}
    first = await app_client.post(path, json=CARD, auth=signed, headers=headers)
    again = await app_client.post(path, json=CARD, auth=signed, headers=headers)

    assert again.json() == first.json()
    cards = await app_client.get(path, auth=signed)
    assert len(cards.json()["data"]) == 1


async def test_removing_a_card_twice_with_one_key_replays_the_success(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed)
    path = f"/v2/customers/{customer['uuid']}/payment-methods"
    card = (await app_client.post(path, json=CARD, auth=signed)).json()["data"]
    headers = {"Idempotency-Key": "remove-1"}

    first = await app_client.delete(f"{path}/{card['id']}", auth=signed, headers=headers)
    again = await app_client.delete(f"{path}/{card['id']}", auth=signed, headers=headers)
    unkeyed = await app_client.delete(f"{path}/{card['id']}", auth=signed)

    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert unkeyed.status_code == 404


async def test_concurrent_requests_with_one_key_create_one_customer(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    headers = {"Idempotency-Key": "race"}

    responses = await asyncio.gather(
        *[
            app_client.post("/v2/customers", json={"name": "Racer"}, auth=signed, headers=headers)
            for _ in range(8)
        ]
    )

    assert {response.status_code for response in responses} == {200}
    assert len({response.json()["uuid"] for response in responses}) == 1
    assert sum("idempotent-replayed" in response.headers for response in responses) == 7
    assert await _count(app_client, signed) == 1


async def test_a_server_error_is_not_kept_so_the_retry_runs(
    app_client: httpx.AsyncClient, signed: SignedAuth, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = CustomerService.create
    calls = 0

    async def fail_once(self: CustomerService, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the database went away")
        return await real_create(self, **kwargs)

    monkeypatch.setattr(CustomerService, "create", fail_once)
    headers = {"Idempotency-Key": "flaky"}

    failed = await app_client.post("/v2/customers", json={"name": "Ada"}, auth=signed, headers=headers)
    retried = await app_client.post("/v2/customers", json={"name": "Ada"}, auth=signed, headers=headers)

    assert failed.status_code == 500
    assert retried.status_code == 200 and "idempotent-replayed" not in retried.headers
    assert await _count(app_client, signed) == 1


async def test_a_key_is_forgotten_after_its_retention(
    services: Services, merchant: Merchant, app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    headers = {"Idempotency-Key": "short-lived"}
    await app_client.post("/v2/customers", json={"name": "Ada"}, auth=signed, headers=headers)
    async with services.database.writer() as conn:
        await conn.execute(
            text("UPDATE idempotency_keys SET expires_at = created_at WHERE merchant_id = :m"),
            {"m": merchant.id},
        )

    again = await app_client.post("/v2/customers", json={"name": "Bob"}, auth=signed, headers=headers)

    assert again.status_code == 200 and "idempotent-replayed" not in again.headers
    assert await _count(app_client, signed) == 2


async def test_the_kept_answer_does_not_outlive_24_hours_by_default(
    services: Services, merchant: Merchant, app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    await app_client.post("/v2/customers", json={}, auth=signed, headers={"Idempotency-Key": "ttl"})
    async with services.database.reader() as conn:
        created, expires = (
            await conn.execute(
                select(keys.c.created_at, keys.c.expires_at).where(keys.c.merchant_id == merchant.id)
            )
        ).one()

    assert (expires - created).total_seconds() == 24 * 3600
