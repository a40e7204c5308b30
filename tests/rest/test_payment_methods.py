"""REST payment methods: the gateway's list plus the three documented extensions."""

from __future__ import annotations

import httpx
import pytest

from app.client.auth import SignedAuth
from tests.rest.conftest import (
    CARD,
    PAYMENT_METHOD_KEYS,
    TIMESTAMP,
    assert_invalid_request,
    attach_card,
    create_customer,
)


async def test_attach_answers_the_card_under_data_with_every_key(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed)

    response = await app_client.post(
        f"/v2/customers/{customer['uuid']}/payment-methods",
        json={**CARD, "keep_until": "2030-01-31"},
        auth=signed,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["status", "data"] and body["status"] == "approved"
    card = body["data"]
    assert list(card) == PAYMENT_METHOD_KEYS
    assert card["status"] == "active"
    assert card["masked_pan"] == "411111******1111"
    assert card["expiration_date"] == "2034-12-31"
    assert card["keep_until"] == "2030-01-31"
    assert card["token"] == "tok_visa_1"
    assert card["expired"] is False
    assert card["customer_uuid"] == customer["uuid"]
    assert TIMESTAMP.match(card["created_at"]) and TIMESTAMP.match(card["updated_at"])


async def test_attach_without_keep_until_has_it_null(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed)
    card = await attach_card(app_client, signed, customer["uuid"], expiration_date="01/20")

    assert card["keep_until"] is None
    assert card["expired"] is True


async def test_a_full_card_number_is_refused_and_never_echoed(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed)

    response = await app_client.post(
        f"/v2/customers/{customer['uuid']}/payment-methods",
        json={**CARD, "masked_pan": "4111111111111111"},
        auth=signed,
    )

    assert_invalid_request(response, 400, ("masked_pan", "full_card_number"))
    assert "4111111111111111" not in response.text


async def test_attach_validation_names_missing_fields(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed)

    response = await app_client.post(
        f"/v2/customers/{customer['uuid']}/payment-methods", json={}, auth=signed
    )

    assert_invalid_request(
        response, 400, ("masked_pan", "required"), ("token", "required"), ("expiration_date", "required")
    )


async def test_attach_to_unknown_or_deleted_customer(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed)
    await app_client.delete(f"/v2/customers/{customer['uuid']}", auth=signed)

    unknown = await app_client.post("/v2/customers/nonexistent/payment-methods", json=CARD, auth=signed)
    deleted = await app_client.post(
        f"/v2/customers/{customer['uuid']}/payment-methods", json=CARD, auth=signed
    )

    assert_invalid_request(unknown, 404)
    assert_invalid_request(deleted, 400)


async def test_list_a_customers_cards_newest_first(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    customer = await create_customer(app_client, signed)
    ids = [
        (await attach_card(app_client, signed, customer["uuid"], token=f"tok_{i}"))["id"] for i in range(3)
    ]

    response = await app_client.get(f"/v2/customers/{customer['uuid']}/payment-methods", auth=signed)
    paged = await app_client.get(
        f"/v2/customers/{customer['uuid']}/payment-methods?limit=1&offset=1", auth=signed
    )

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["status", "data"]
    assert [card["id"] for card in body["data"]] == ids[::-1]
    assert all(list(card) == PAYMENT_METHOD_KEYS for card in body["data"])
    assert [card["id"] for card in paged.json()["data"]] == [ids[1]]


async def test_list_cards_of_unknown_customer_is_404(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    response = await app_client.get("/v2/customers/nonexistent/payment-methods", auth=signed)
    assert_invalid_request(response, 404)


@pytest.mark.parametrize("path", ["/v2/payment-methods", "/v2/customers/{uuid}/payment-methods"])
@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=x", "limit"), ("offset=-1", "offset")]
)
async def test_card_list_parameters_are_validated(
    app_client: httpx.AsyncClient, signed: SignedAuth, path: str, query: str, field: str
) -> None:
    customer = await create_customer(app_client, signed)

    response = await app_client.get(f"{path.format(uuid=customer['uuid'])}?{query}", auth=signed)

    assert_invalid_request(response, 400)
    assert field in {error["field"] for error in response.json()["errors"]}


async def test_merchant_wide_list_spans_customers(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    first = await create_customer(app_client, signed)
    second = await create_customer(app_client, signed)
    a = await attach_card(app_client, signed, first["uuid"])
    b = await attach_card(app_client, signed, second["uuid"])

    response = await app_client.get("/v2/payment-methods", auth=signed)

    assert response.status_code == 200
    assert [card["id"] for card in response.json()["data"]] == [b["id"], a["id"]]
    assert [card["customer_uuid"] for card in response.json()["data"]] == [second["uuid"], first["uuid"]]


async def test_remove_a_card(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    customer = await create_customer(app_client, signed)
    card = await attach_card(app_client, signed, customer["uuid"])
    path = f"/v2/customers/{customer['uuid']}/payment-methods/{card['id']}"

    removed = await app_client.delete(path, auth=signed)
    again = await app_client.delete(path, auth=signed)
    listed = await app_client.get(f"/v2/customers/{customer['uuid']}/payment-methods", auth=signed)

    assert removed.status_code == 200
    assert removed.json() == {"status": "approved", "id": card["id"], "deleted": True}
    assert_invalid_request(again, 404)
    assert listed.json()["data"] == []


async def test_remove_a_card_through_another_customer_is_404(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    owner = await create_customer(app_client, signed)
    stranger = await create_customer(app_client, signed)
    card = await attach_card(app_client, signed, owner["uuid"])

    response = await app_client.delete(
        f"/v2/customers/{stranger['uuid']}/payment-methods/{card['id']}", auth=signed
    )

    assert_invalid_request(response, 404)
    listed = await app_client.get(f"/v2/customers/{owner['uuid']}/payment-methods", auth=signed)
    assert [item["id"] for item in listed.json()["data"]] == [card["id"]]
