"""The events feed over REST (extension), through real HTTP on both databases."""

from __future__ import annotations

from typing import Any

import httpx

from app.client.auth import SignedAuth
from tests.rest.conftest import TIMESTAMP, assert_invalid_request, attach_card, create_customer

EVENT_KEYS = ["id", "type", "created_at", "customer_uuid", "data"]


async def feed(client: httpx.AsyncClient, auth: httpx.Auth, query: str = "") -> list[dict[str, Any]]:
    """GET /v2/events and return its items."""
    response = await client.get(f"/v2/events{query}", auth=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "approved"
    return body["data"]


async def test_writes_through_rest_appear_in_the_feed_newest_first(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed, name="Ann", metadata={"tier": "gold"})
    uuid = customer["uuid"]
    response = await app_client.post(f"/v2/customers/{uuid}", json={"name": "Bea"}, auth=signed)
    assert response.status_code == 200
    card = await attach_card(app_client, signed, uuid)
    response = await app_client.delete(f"/v2/customers/{uuid}/payment-methods/{card['id']}", auth=signed)
    assert response.status_code == 200
    response = await app_client.delete(f"/v2/customers/{uuid}", auth=signed)
    assert response.status_code == 200

    events = await feed(app_client, signed)

    assert [event["type"] for event in events] == [
        "customer.deleted",
        "payment_method.detached",
        "payment_method.attached",
        "customer.updated",
        "customer.created",
    ]
    created = events[-1]
    assert list(created) == EVENT_KEYS
    assert created["id"].startswith("evt_") and TIMESTAMP.match(created["created_at"])
    assert created["customer_uuid"] == uuid
    assert created["data"] == {key: value for key, value in customer.items() if key != "status"}
    updated = events[-2]
    assert list(updated) == [*EVENT_KEYS, "previous_attributes"]
    assert updated["previous_attributes"] == {"name": "Ann"}
    assert updated["data"]["name"] == "Bea"
    assert events[2]["data"] == card


async def test_one_event_is_retrieved_by_id_and_other_merchants_cannot_see_it(
    app_client: httpx.AsyncClient, signed: SignedAuth, other_signed: SignedAuth
) -> None:
    await create_customer(app_client, signed, name="Ann")
    [event] = await feed(app_client, signed)

    response = await app_client.get(f"/v2/events/{event['id']}", auth=signed)
    assert response.status_code == 200
    assert response.json() == {"status": "approved", **event}

    foreign = await app_client.get(f"/v2/events/{event['id']}", auth=other_signed)
    assert foreign.status_code == 404
    assert foreign.json()["status"] == "invalid-request"
    assert (await app_client.get("/v2/events/evt_missing", auth=signed)).status_code == 404
    assert await feed(app_client, other_signed) == []


async def test_the_feed_filters_by_type_and_customer_and_pages(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    first = await create_customer(app_client, signed, name="One")
    second = await create_customer(app_client, signed, name="Two")
    await app_client.post(f"/v2/customers/{first['uuid']}", json={"city": "Paris"}, auth=signed)

    only_first = await feed(app_client, signed, f"?customer_uuid={first['uuid']}")
    assert [event["type"] for event in only_first] == ["customer.updated", "customer.created"]
    created = await feed(app_client, signed, "?type=customer.created")
    assert [event["customer_uuid"] for event in created] == [second["uuid"], first["uuid"]]
    both = await feed(app_client, signed, "?type=customer.created&type=customer.updated&limit=2")
    assert len(both) == 2
    listed = await feed(app_client, signed, "?type=customer.created,customer.updated&limit=2&offset=2")
    assert [event["customer_uuid"] for event in listed] == [first["uuid"]]
    assert await feed(app_client, signed, "?type=payment_method.attached") == []


async def test_bad_feed_parameters_are_invalid_requests(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    response = await app_client.get("/v2/events?type=customer.exploded", auth=signed)
    assert_invalid_request(response, 400, ("type", "invalid_format"))
    response = await app_client.get("/v2/events?limit=0", auth=signed)
    assert_invalid_request(response, 400, ("limit", "out_of_range"))
    response = await app_client.get("/v2/events?offset=x", auth=signed)
    assert_invalid_request(response, 400, ("offset", "invalid_number"))


async def test_the_feed_needs_credentials(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/v2/events")
    assert response.status_code == 401
    assert "Authorization" in response.json()["message"]


async def test_an_idempotent_replay_writes_no_second_event(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    headers = {"Idempotency-Key": "create-once"}
    for _ in range(2):
        response = await app_client.post("/v2/customers", json={"name": "Ann"}, headers=headers, auth=signed)
        assert response.status_code == 200

    assert [event["type"] for event in await feed(app_client, signed)] == ["customer.created"]


async def test_a_refused_write_writes_no_event(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    response = await app_client.post("/v2/customers", json={"email": "not-an-address"}, auth=signed)
    assert response.status_code == 400

    assert await feed(app_client, signed) == []
