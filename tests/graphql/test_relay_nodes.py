"""Relay's object identification: global ids on Customer and PaymentMethod, node(id:) and nodes(ids:)."""

from __future__ import annotations

import base64

from app.auth import Scope
from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient, issue_token
from tests.graphql.test_batching import statements_during

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Customer { uuid name }
    ... on PaymentMethod { uuid maskedPan customerUuid }
  }
}
"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Customer { uuid name } } }"
CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok-1"}


async def customer_ids(gql: GraphQLClient) -> list[dict[str, str]]:
    data = await gql.execute("{ customers { nodes { id uuid name paymentMethods { id uuid } } } }")
    return data["customers"]["nodes"]


async def test_customer_and_payment_method_ids_refetch_the_same_objects(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    customer = await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
    card = await services.customers.add_payment_method(
        merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
    )
    [listed] = await customer_ids(gql)

    by_customer_id = (await gql.execute(NODE, {"id": listed["id"]}))["node"]
    by_card_id = (await gql.execute(NODE, {"id": listed["paymentMethods"][0]["id"]}))["node"]
    again = await customer_ids(gql)

    assert by_customer_id == {
        "__typename": "Customer",
        "id": listed["id"],
        "uuid": customer.uuid,
        "name": "Ada",
    }
    assert by_card_id == {
        "__typename": "PaymentMethod",
        "id": listed["paymentMethods"][0]["id"],
        "uuid": card.id,
        "maskedPan": "411111******1111",
        "customerUuid": customer.uuid,
    }
    assert again == [listed]  # stable
    assert listed["id"] not in (customer.uuid, card.id)
    assert listed["paymentMethods"][0]["id"] != listed["id"]


async def test_foreign_unknown_and_malformed_ids_are_null(
    gql: GraphQLClient, other_gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
    [mine] = await customer_ids(gql)
    unknown = base64.b64encode(b"Customer:00000000-0000-4000-8000-000000000000").decode()
    other_type = base64.b64encode(b"Merchant:1").decode()

    foreign = await other_gql.execute(NODE, {"id": mine["id"]})
    results = [
        (await gql.execute(NODE, {"id": value}))["node"]
        for value in (unknown, other_type, "not base64!", mine["uuid"], "", "Q3VzdG9tZXI6")
    ]

    assert foreign == {"node": None}
    assert results == [None] * 6


async def test_nodes_keeps_the_order_of_the_ids_with_null_for_the_missing(
    gql: GraphQLClient, services: Services, merchant: Merchant, other_merchant: Merchant
) -> None:
    for name in ("Ada", "Bob"):
        await services.customers.create(merchant_id=merchant.id, data={"name": name})
    await services.customers.create(merchant_id=other_merchant.id, data={"name": "Eve"})
    bob, ada = await customer_ids(gql)
    other = GraphQLClient(gql.http, gql.app, f"Bearer {await issue_token(services, other_merchant)}")
    [eve] = await customer_ids(other)

    data = await gql.execute(NODES, {"ids": [ada["id"], eve["id"], bob["id"], "junk", ada["id"]]})

    names = [None if node is None else node["name"] for node in data["nodes"]]
    assert names == ["Ada", None, "Bob", None, "Ada"]


async def test_nodes_of_100_ids_is_a_constant_number_of_statements(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    for index in range(60):
        customer = await services.customers.create(merchant_id=merchant.id, data={"name": f"c{index}"})
        if index < 40:
            await services.customers.add_payment_method(
                merchant_id=merchant.id, customer_uuid=customer.uuid, data={**CARD, "token": f"t{index}"}
            )
    listed = (await gql.execute("{ customers(first: 60) { nodes { id paymentMethods { id } } } }"))[
        "customers"
    ]["nodes"]
    few = [listed[0]["id"]]
    many = [node["id"] for node in listed] + [node["paymentMethods"][0]["id"] for node in listed[20:]]
    assert len(many) == 100
    results: dict[int, list[object]] = {}

    async def run(ids: list[str]) -> None:
        results[len(ids)] = (
            await gql.execute("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
        )["nodes"]

    few_statements = await statements_during(gql.app, lambda: run(few))
    many_statements = await statements_during(gql.app, lambda: run(many))

    assert [node["id"] for node in results[100]] == many  # type: ignore[index]
    # one statement per type of id asked for, whatever the number of ids
    assert len(few_statements) == 1, few_statements
    assert len(many_statements) == 2, many_statements


async def test_more_than_100_ids_are_refused(gql: GraphQLClient) -> None:
    errors = await gql.errors(NODES, {"ids": ["x"] * 101})

    assert errors[0]["extensions"]["fieldErrors"][0]["field"] == "ids"


async def test_a_payment_method_node_needs_the_payment_methods_scope(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    customer = await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
    await services.customers.add_payment_method(
        merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
    )
    [listed] = await customer_ids(gql)
    token = await issue_token(services, merchant, frozenset({Scope.CUSTOMERS}))
    limited = GraphQLClient(gql.http, gql.app, f"Bearer {token}")

    customer_node = await limited.execute(NODE, {"id": listed["id"]})
    refused = await limited.post(NODE, {"id": listed["paymentMethods"][0]["id"]})

    assert customer_node["node"]["name"] == "Ada"
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_remove_payment_method_takes_the_global_id(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    customer = await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
    await services.customers.add_payment_method(
        merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
    )
    [listed] = await customer_ids(gql)

    removed = await gql.execute(
        "mutation($u: ID!, $id: ID!) { removePaymentMethod(customerUuid: $u, id: $id) { __typename } }",
        {"u": customer.uuid, "id": listed["paymentMethods"][0]["id"]},
    )

    assert removed["removePaymentMethod"]["__typename"] == "RemovePaymentMethodPayload"
    assert (
        await services.customers.list_payment_methods(merchant_id=merchant.id, customer_uuid=customer.uuid)
        == []
    )
