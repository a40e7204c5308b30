"""The GraphQL `events` connection, through real HTTP on both databases."""

from __future__ import annotations

from typing import Any

from tests.graphql import test_idempotency
from tests.graphql.conftest import GraphQLClient
from tests.graphql.test_mutations import CARD, REMOVE_CARD, create, update

EVENTS = """
query($first: Int, $after: String, $filter: EventFilter) {
  events(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id type customerUuid } }
    nodes { id type createdAt customerUuid data previousAttributes }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ADD_CARD = """
mutation($uuid: ID!, $input: AddPaymentMethodInput!) {
  addPaymentMethod(customerUuid: $uuid, input: $input) {
    ... on PaymentMethodPayload { paymentMethod { id uuid } }
  }
}
"""


async def events(gql: GraphQLClient, **variables: Any) -> dict[str, Any]:
    """The `events` connection for these variables."""
    return (await gql.execute(EVENTS, variables))["events"]


async def test_mutations_record_events_the_connection_lists_newest_first(gql: GraphQLClient) -> None:
    customer = (await create(gql, name="Ada", metadata={"a": "1"}))["customer"]
    uuid = customer["uuid"]
    await update(gql, uuid, name="Grace", metadata={"a": None})
    added = await gql.execute(ADD_CARD, {"uuid": uuid, "input": CARD})
    card_id = added["addPaymentMethod"]["paymentMethod"]["id"]
    card_uuid = added["addPaymentMethod"]["paymentMethod"]["uuid"]  # the id REST and events show
    await gql.execute(REMOVE_CARD, {"uuid": uuid, "id": card_id})

    connection = await events(gql)

    nodes = connection["nodes"]
    assert [node["type"] for node in nodes] == [
        "PAYMENT_METHOD_DETACHED",
        "PAYMENT_METHOD_ATTACHED",
        "CUSTOMER_UPDATED",
        "CUSTOMER_CREATED",
    ]
    assert {node["customerUuid"] for node in nodes} == {uuid}
    assert nodes[0]["data"]["id"] == card_uuid and nodes[0]["previousAttributes"] is None
    assert nodes[2]["previousAttributes"] == {"name": "Ada", "metadata": {"a": "1"}}
    assert nodes[2]["data"]["name"] == "Grace" and nodes[2]["data"]["metadata"] == {}
    assert nodes[3]["data"]["uuid"] == uuid and nodes[3]["previousAttributes"] is None
    assert [edge["node"]["id"] for edge in connection["edges"]] == [node["id"] for node in nodes]
    assert connection["pageInfo"]["hasNextPage"] is False


async def test_keyset_cursors_walk_the_feed_without_gaps_or_repeats(gql: GraphQLClient) -> None:
    for index in range(5):
        await create(gql, name=f"c{index}")

    seen: list[str] = []
    after = None
    while True:
        page = await events(gql, first=2, after=after)
        seen.extend(node["id"] for node in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert page["edges"][-1]["cursor"] == after
        await create(gql, name="arrives while paging")  # newer: never shifts older pages

    assert len(seen) == 5 and len(set(seen)) == 5


async def test_filters_by_types_and_customer(gql: GraphQLClient) -> None:
    first = (await create(gql, name="One"))["customer"]["uuid"]
    second = (await create(gql, name="Two"))["customer"]["uuid"]
    await update(gql, first, city="Paris")

    updated = await events(gql, filter={"types": ["CUSTOMER_UPDATED"]})
    assert [node["customerUuid"] for node in updated["nodes"]] == [first]
    of_second = await events(gql, filter={"customerUuid": second})
    assert [node["type"] for node in of_second["nodes"]] == ["CUSTOMER_CREATED"]
    both = await events(
        gql, filter={"types": ["CUSTOMER_CREATED", "CUSTOMER_UPDATED"], "customerUuid": first}
    )
    assert [node["type"] for node in both["nodes"]] == ["CUSTOMER_UPDATED", "CUSTOMER_CREATED"]


async def test_events_are_tenant_scoped(gql: GraphQLClient, other_gql: GraphQLClient) -> None:
    await create(gql, name="mine")

    assert (await events(other_gql))["nodes"] == []
    assert len((await events(gql))["nodes"]) == 1


async def test_bad_page_size_and_cursor_are_refused(gql: GraphQLClient) -> None:
    size_error = (await gql.errors("{ events(first: 101) { nodes { id } } }"))[0]
    cursor_error = (await gql.errors('{ events(after: "!!") { nodes { id } } }'))[0]

    assert size_error["extensions"]["fieldErrors"][0]["field"] == "first"
    assert cursor_error["extensions"]["fieldErrors"][0]["code"] == "invalid_cursor"


async def test_an_idempotent_replay_records_no_second_event(gql: GraphQLClient) -> None:
    variables = {"input": {"name": "Ada"}, "key": "create-ada"}
    first = await gql.execute(test_idempotency.CREATE, variables)
    again = await gql.execute(test_idempotency.CREATE, variables)
    assert first == again

    assert [node["type"] for node in (await events(gql))["nodes"]] == ["CUSTOMER_CREATED"]


async def test_a_refused_mutation_records_no_event(gql: GraphQLClient) -> None:
    refused = await gql.execute(test_idempotency.CREATE, {"input": {"email": "not-an-address"}})
    assert refused["createCustomer"]["__typename"] == "ValidationError"

    assert (await events(gql))["nodes"] == []
