"""Tenant isolation over REST: another merchant's data looks exactly like data that does not exist."""

from __future__ import annotations

import httpx

from app.client.auth import SignedAuth
from tests.rest.conftest import CARD, assert_invalid_request, attach_card, create_customer


async def test_a_second_merchant_cannot_see_or_touch_the_first_ones_customers(
    app_client: httpx.AsyncClient, signed: SignedAuth, other_signed: SignedAuth
) -> None:
    mine = await create_customer(app_client, signed, merchant_customer_id="shared-id", name="Mine")
    card = await attach_card(app_client, signed, mine["uuid"])
    uuid = mine["uuid"]

    not_found = [
        await app_client.get(f"/v2/customers/{uuid}", auth=other_signed),
        await app_client.get("/v2/merchants/customers/shared-id", auth=other_signed),
        await app_client.post(f"/v2/customers/{uuid}", json={"name": "Stolen"}, auth=other_signed),
        await app_client.delete(f"/v2/customers/{uuid}", auth=other_signed),
        await app_client.get(f"/v2/customers/{uuid}/payment-methods", auth=other_signed),
        await app_client.post(f"/v2/customers/{uuid}/payment-methods", json=CARD, auth=other_signed),
        await app_client.delete(f"/v2/customers/{uuid}/payment-methods/{card['id']}", auth=other_signed),
    ]
    listed = await app_client.get("/v2/customers", auth=other_signed)
    cards = await app_client.get("/v2/payment-methods", auth=other_signed)

    for response in not_found:
        assert_invalid_request(response, 404)
    # A foreign uuid answers exactly like an unknown one.
    unknown = await app_client.get("/v2/customers/00000000-0000-4000-8000-000000000000", auth=other_signed)
    # (Apart from the request id, which names each request.)
    assert {**not_found[0].json(), "request_id": ""} == {**unknown.json(), "request_id": ""}
    assert listed.json() == {"status": "approved", "data": []}
    assert cards.json() == {"status": "approved", "data": []}
    # Nothing changed for the owner.
    still = await app_client.get(f"/v2/customers/{uuid}", auth=signed)
    assert still.json() == mine
    owned_cards = await app_client.get(f"/v2/customers/{uuid}/payment-methods", auth=signed)
    assert [item["id"] for item in owned_cards.json()["data"]] == [card["id"]]


async def test_a_second_merchant_can_reuse_a_merchant_customer_id(
    app_client: httpx.AsyncClient, signed: SignedAuth, other_signed: SignedAuth
) -> None:
    mine = await create_customer(app_client, signed, merchant_customer_id="same")

    theirs = await create_customer(app_client, other_signed, merchant_customer_id="same")

    assert theirs["uuid"] != mine["uuid"]
    my_lookup = await app_client.get("/v2/merchants/customers/same", auth=signed)
    their_lookup = await app_client.get("/v2/merchants/customers/same", auth=other_signed)
    assert my_lookup.json()["uuid"] == mine["uuid"]
    assert their_lookup.json()["uuid"] == theirs["uuid"]
