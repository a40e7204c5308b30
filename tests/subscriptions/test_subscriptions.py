"""`subscription { customerEvents }` over graphql-transport-ws on /graphql, against a real server on both
databases: every kind of write over REST and GraphQL arrives, filtered by type and by tenant; credentials,
scopes and both caps are enforced; `complete` stops the messages."""

from __future__ import annotations

from dataclasses import replace

import pytest
import websockets

from app.auth import Scope
from app.graphql import websocket
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings
from tests.subscriptions.conftest import (
    CARD,
    SUBSCRIBE_TYPES,
    Closed,
    Served,
    bearer_token,
    connect,
    rest,
    serve_app,
    subscribed_client,
)


async def test_rest_writes_arrive_as_events_of_every_type(served: Served, token: str) -> None:
    async with subscribed_client(served, token) as client, rest(served, token) as http:
        created = (await http.post("/v2/customers", json={"name": "Ann"})).json()
        uuid = created["uuid"]
        await http.post(f"/v2/customers/{uuid}", json={"name": "Bea"})
        card = (await http.post(f"/v2/customers/{uuid}/payment-methods", json=CARD)).json()["data"]
        await http.delete(f"/v2/customers/{uuid}/payment-methods/{card['id']}")
        await http.delete(f"/v2/customers/{uuid}")

        received = await client.events(5)

    assert {operation for operation, _ in received} == {"1"}
    events = [event for _, event in received]
    assert [event["type"] for event in events] == [
        "CUSTOMER_CREATED",
        "CUSTOMER_UPDATED",
        "PAYMENT_METHOD_ATTACHED",
        "PAYMENT_METHOD_DETACHED",
        "CUSTOMER_DELETED",
    ]
    assert {event["customerUuid"] for event in events} == {uuid}
    assert events[0]["data"]["name"] == "Ann" and events[0]["previousAttributes"] is None
    assert events[1]["data"]["name"] == "Bea" and events[1]["previousAttributes"] == {"name": "Ann"}
    assert events[2]["data"]["id"] == card["id"]
    assert events[4]["data"]["deleted"] is True
    # The same events the feed lists, by id.
    async with rest(served, token) as http:
        listed = (await http.get("/v2/events", params={"limit": 10})).json()["data"]
    assert [event["id"] for event in events] == [item["id"] for item in reversed(listed)]


async def test_graphql_mutations_arrive_as_events(served: Served, token: str) -> None:
    create = (
        'mutation { createCustomer(input: {name: "Gql"}) { ... on CustomerPayload { customer { uuid } } } }'
    )
    async with subscribed_client(served, token) as client, rest(served, token) as http:
        answer = (await http.post("/graphql", json={"query": create})).json()
        uuid = answer["data"]["createCustomer"]["customer"]["uuid"]
        delete = f'mutation {{ deleteCustomer(uuid: "{uuid}") {{ __typename }} }}'
        assert "errors" not in (await http.post("/graphql", json={"query": delete})).json()

        events = [event for _, event in await client.events(2)]

    assert [(event["type"], event["customerUuid"]) for event in events] == [
        ("CUSTOMER_CREATED", uuid),
        ("CUSTOMER_DELETED", uuid),
    ]


async def test_types_filter_keeps_only_the_chosen_types(served: Served, token: str) -> None:
    variables = {"types": ["CUSTOMER_DELETED", "PAYMENT_METHOD_ATTACHED"]}
    async with (
        subscribed_client(served, token, query=SUBSCRIBE_TYPES, variables=variables) as client,
        rest(served, token) as http,
    ):
        uuid = (await http.post("/v2/customers", json={"name": "Ann"})).json()["uuid"]
        await http.post(f"/v2/customers/{uuid}", json={"name": "Bea"})
        await http.post(f"/v2/customers/{uuid}/payment-methods", json=CARD)
        await http.delete(f"/v2/customers/{uuid}")

        events = [event["type"] for _, event in await client.events(2)]
        await client.nothing_within(0.3)

    assert events == ["PAYMENT_METHOD_ATTACHED", "CUSTOMER_DELETED"]


async def test_another_merchants_events_never_arrive(
    served: Served, services: Services, token: str, other_merchant: Merchant
) -> None:
    other_token = await bearer_token(services, other_merchant)
    async with subscribed_client(served, token) as client:
        async with rest(served, other_token) as other:
            for name in ("Not", "yours"):
                assert (await other.post("/v2/customers", json={"name": name})).status_code == 200
        async with rest(served, token) as mine:
            uuid = (await mine.post("/v2/customers", json={"name": "Mine"})).json()["uuid"]

        # The merchant's own event comes; the other merchant's two, written before it, never did.
        [(_, event)] = await client.events(1)
        await client.nothing_within(0.3)

    assert event["customerUuid"] == uuid


async def test_two_subscriptions_on_one_connection_each_receive(served: Served, token: str) -> None:
    async with subscribed_client(served, token) as client, rest(served, token) as http:
        await client.subscribe("2", query=SUBSCRIBE_TYPES, variables={"types": ["CUSTOMER_CREATED"]})
        await served.wait_for_subscribers(2)
        await http.post("/v2/customers", json={"name": "Ann"})

        received = await client.events(2)

    assert sorted(operation for operation, _ in received) == ["1", "2"]


async def test_complete_stops_the_messages(served: Served, token: str) -> None:
    async with subscribed_client(served, token) as client, rest(served, token) as http:
        await http.post("/v2/customers", json={"name": "Before"})
        assert len(await client.events(1)) == 1
        await client.complete("1")
        await served.wait_for_subscribers(0)
        await http.post("/v2/customers", json={"name": "After"})

        await client.nothing_within(0.5)
        # The connection itself is still open.
        await client.send({"type": "ping"})
        assert await client.receive() == {"type": "pong"}
    assert not served.services.hub.running


async def test_the_upgrade_requests_authorization_header_is_accepted(served: Served, token: str) -> None:
    async with connect(served.ws_url, headers={"Authorization": f"Bearer {token}"}) as client:
        assert await client.init() == {"type": "connection_ack"}


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": 12},
    ],
    ids=["no payload", "no credentials", "unknown token", "other scheme", "not a string"],
)
async def test_bad_or_missing_credentials_close_with_4403(served: Served, payload: dict | None) -> None:
    async with connect(served.ws_url) as client:
        with pytest.raises(Closed) as closed:
            await client.init(payload)

    assert closed.value.code == 4403
    assert closed.value.reason.startswith("Forbidden: Authorization failed")


async def test_a_signature_in_the_payload_is_refused(served: Served, merchant: Merchant) -> None:
    async with connect(served.ws_url) as client:
        with pytest.raises(Closed) as closed:
            await client.init({"Authorization": f"WP3-v2.1 {merchant.authenticity_token} 1 abc"})

    assert closed.value.code == 4403 and "Bearer" in closed.value.reason


async def test_a_token_without_a_customers_scope_closes_with_4403(
    served: Served, services: Services, merchant: Merchant
) -> None:
    cards_only = await bearer_token(services, merchant, Scope.PAYMENT_METHODS)
    async with connect(served.ws_url) as client:
        with pytest.raises(Closed) as closed:
            await client.init({"Authorization": f"Bearer {cards_only}"})

    assert closed.value.code == 4403 and "scope" in closed.value.reason


async def test_a_read_only_token_may_subscribe(
    served: Served, services: Services, merchant: Merchant
) -> None:
    read_only = await bearer_token(services, merchant, Scope.CUSTOMERS_READ)
    async with connect(served.ws_url) as client:
        assert await client.init({"Authorization": f"Bearer {read_only}"}) == {"type": "connection_ack"}


async def test_subscribing_before_connection_init_closes_with_4401(served: Served) -> None:
    async with connect(served.ws_url) as client:
        await client.subscribe("1")
        with pytest.raises(Closed) as closed:
            await client.receive()

    assert closed.value.code == 4401


async def test_queries_and_mutations_are_refused_over_the_websocket(served: Served, token: str) -> None:
    async with connect(served.ws_url) as client:
        await client.init({"Authorization": f"Bearer {token}"})
        await client.subscribe("q", query="{ customers(first: 1) { totalCount } }")
        refused = await client.receive()

    assert refused["type"] == "error" and refused["id"] == "q"
    assert "only subscriptions" in refused["payload"][0]["message"]


async def test_a_subscription_over_http_is_refused(served: Served, token: str) -> None:
    async with rest(served, token) as http:
        answer = await http.post("/graphql", json={"query": "subscription { customerEvents { id } }"})

    assert answer.status_code == 400
    assert answer.json()["errors"]


async def test_subscriptions_per_connection_are_capped(subscription_settings: Settings, token: str) -> None:
    settings = replace(subscription_settings, subscriptions_per_connection=2)
    async with serve_app(settings) as served, connect(served.ws_url) as client:
        await client.init({"Authorization": f"Bearer {token}"})
        await client.subscribe("1")
        await client.subscribe("2")
        await served.wait_for_subscribers(2)
        await client.subscribe("3")
        refused = await client.receive()
        # A slot comes free when one completes.
        await client.complete("1")
        await served.wait_for_subscribers(1)
        await client.subscribe("4")
        await served.wait_for_subscribers(2)

    assert refused == {"id": "3", "type": "error", "payload": [{"message": "Subscription limit reached"}]}


async def test_connections_per_merchant_are_capped(
    subscription_settings: Settings, services: Services, token: str, other_merchant: Merchant
) -> None:
    settings = replace(subscription_settings, subscription_connections_per_merchant=2)
    authorization = {"Authorization": f"Bearer {token}"}
    async with serve_app(settings) as served:
        async with connect(served.ws_url) as first, connect(served.ws_url) as second:
            assert await first.init(authorization) == {"type": "connection_ack"}
            assert await second.init(authorization) == {"type": "connection_ack"}
            async with connect(served.ws_url) as third:
                with pytest.raises(Closed) as closed:
                    await third.init(authorization)
            # Another merchant has caps of its own.
            other = {"Authorization": f"Bearer {await bearer_token(services, other_merchant)}"}
            async with connect(served.ws_url) as others:
                assert await others.init(other) == {"type": "connection_ack"}
        # Closed connections give their slots back.
        async with connect(served.ws_url) as again:
            assert await again.init(authorization) == {"type": "connection_ack"}

    assert closed.value.code == 4429
    assert "Too many connections" in closed.value.reason


async def test_the_hub_reads_only_while_someone_is_subscribed(served: Served, token: str) -> None:
    assert not served.services.hub.running
    async with subscribed_client(served, token):
        assert served.services.hub.running
    await served.wait_for_subscribers(0)
    assert not served.services.hub.running


async def test_a_connection_closes_with_4403_once_its_token_expires(
    served: Served, services: Services, merchant: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(websocket, "TOKEN_CHECK_SECONDS", 0.2)
    issued = await services.merchants.issue_token(
        grant_type="client_credentials",
        client_id=merchant.authenticity_token,
        client_secret=merchant.merchant_key,
        ttl_seconds=2,
    )
    async with subscribed_client(served, issued.access_token) as client:
        with pytest.raises(Closed) as closed:
            await client.receive(10)

    assert closed.value.code == 4403 and "expired" in closed.value.reason
    await served.wait_for_subscribers(0)


async def test_a_browser_page_of_another_origin_is_refused_at_the_handshake(
    served: Served, token: str
) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with connect(served.ws_url, headers={"Origin": "https://elsewhere.example"}):
            pass
    same_origin = {"Origin": served.base_url}
    async with connect(served.ws_url, headers=same_origin) as client:
        assert await client.init({"Authorization": f"Bearer {token}"}) == {"type": "connection_ack"}

    assert refused.value.response.status_code == 403
