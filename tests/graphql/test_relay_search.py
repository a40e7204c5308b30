"""Filters and search through GraphQL, the search index kept in step with writes, and REST parity."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth import Scope
from app.customers.rules import NullMeans
from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient, issue_token

FIND = """
query($search: String, $filter: CustomerFilter, $order: CustomerOrder, $first: Int) {
  customers(search: $search, filter: $filter, orderBy: $order, first: $first) {
    totalCount nodes { uuid name }
  }
}
"""
PEOPLE: list[dict[str, Any]] = [
    {
        "name": "Ada Lovelace",
        "email": "ada@analytical.example",
        "city": "London",
        "country": "GB",
        "metadata": {"tier": "gold", "team": "math"},
    },
    {
        "name": "Adam Smith",
        "email": "adam@wealth.example",
        "city": "Kirkcaldy",
        "country": "GB",
        "metadata": {"tier": "silver"},
    },
    {
        "name": "Grace Hopper",
        "email": "grace@navy.example",
        "phone": "+1 555-0100",
        "country": "us",
        "merchant_customer_id": "cobol-1959",
        "metadata": {"tier": "gold"},
    },
    {"name": "Alan Turing", "email": "alan@bletchley.example", "city": "London", "country": "GB"},
]


async def seed(services: Services, merchant: Merchant) -> dict[str, str]:
    """The PEOPLE, by name -> uuid; Grace gets a card."""
    uuids = {}
    for person in PEOPLE:
        uuids[person["name"]] = (await services.customers.create(merchant_id=merchant.id, data=person)).uuid
    await services.customers.add_payment_method(
        merchant_id=merchant.id,
        customer_uuid=uuids["Grace Hopper"],
        data={"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok"},
    )
    return uuids


async def names(gql: GraphQLClient, **variables: Any) -> list[str]:
    data = (await gql.execute(FIND, {"order": "NAME_ASC", **variables}))["customers"]
    found = [node["name"] for node in data["nodes"]]
    assert data["totalCount"] == len(found)
    return found


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ada", ["Ada Lovelace", "Adam Smith"]),
        ("ADA lov", ["Ada Lovelace"]),
        ("lovelace ada", ["Ada Lovelace"]),
        ("london", ["Ada Lovelace", "Alan Turing"]),
        ("navy.example", ["Grace Hopper"]),
        ("555 0100", ["Grace Hopper"]),
        ("cobol", ["Grace Hopper"]),
        ("ada turing", []),
        ("velace", []),  # words match from their beginning
        ("example", ["Ada Lovelace", "Adam Smith", "Alan Turing", "Grace Hopper"]),
    ],
)
async def test_search_finds_customers_whose_words_begin_with_every_searched_word(
    gql: GraphQLClient, services: Services, merchant: Merchant, search: str, expected: list[str]
) -> None:
    await seed(services, merchant)

    assert await names(gql, search=search) == expected


async def test_search_is_tenant_scoped(
    gql: GraphQLClient, services: Services, other_merchant: Merchant
) -> None:
    await seed(services, other_merchant)

    assert await names(gql, search="ada") == []


async def test_the_search_index_follows_every_write(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    uuids = await seed(services, merchant)
    await services.customers.update(
        merchant_id=merchant.id,
        uuid=uuids["Adam Smith"],
        data={"name": "Adam Ferguson"},
        null_means=NullMeans.KEEP,
    )
    await services.customers.update(
        merchant_id=merchant.id,
        uuid=uuids["Alan Turing"],
        data={"description": "x"},
        null_means=NullMeans.KEEP,
    )
    await services.customers.delete(merchant_id=merchant.id, uuid=uuids["Ada Lovelace"])
    created = await services.customers.create(merchant_id=merchant.id, data={"name": "Smithers"})

    assert await names(gql, search="smith") == ["Smithers"]
    assert await names(gql, search="ferguson") == ["Adam Ferguson"]
    assert await names(gql, search="london") == ["Alan Turing"]
    assert await names(gql, search="ada") == ["Adam Ferguson"]
    assert created.uuid


@pytest.mark.parametrize(
    ("customer_filter", "expected"),
    [
        ({"country": "gb"}, ["Ada Lovelace", "Adam Smith", "Alan Turing"]),
        ({"country": "US"}, ["Grace Hopper"]),
        ({"hasPaymentMethods": True}, ["Grace Hopper"]),
        ({"hasPaymentMethods": False}, ["Ada Lovelace", "Adam Smith", "Alan Turing"]),
        ({"metadata": [{"key": "tier", "value": "gold"}]}, ["Ada Lovelace", "Grace Hopper"]),
        (
            {"metadata": [{"key": "tier", "value": "gold"}, {"key": "team", "value": "math"}]},
            ["Ada Lovelace"],
        ),
        ({"metadata": [{"key": "tier", "value": "Gold"}]}, []),
        ({"metadata": [{"key": "tier", "value": "gold"}, {"key": "tier", "value": "silver"}]}, []),
        ({"country": "GB", "metadata": [{"key": "tier", "value": "silver"}]}, ["Adam Smith"]),
    ],
)
async def test_filters(
    gql: GraphQLClient,
    services: Services,
    merchant: Merchant,
    customer_filter: dict[str, Any],
    expected: list[str],
) -> None:
    await seed(services, merchant)

    assert await names(gql, filter=customer_filter) == expected
    assert await names(gql, filter=customer_filter, search="a") == [name for name in expected if "A" in name]


async def test_updated_after_filter(gql: GraphQLClient, services: Services, merchant: Merchant) -> None:
    uuids = await seed(services, merchant)
    touched = await services.customers.update(
        merchant_id=merchant.id,
        uuid=uuids["Alan Turing"],
        data={"description": "x"},
        null_means=NullMeans.KEEP,
    )
    before = (await services.customers.get(merchant_id=merchant.id, uuid=uuids["Grace Hopper"])).updated_at

    found = await names(gql, filter={"updatedAfter": before.isoformat()})

    assert touched.updated_at > before
    assert found == ["Alan Turing"]


async def test_has_payment_methods_needs_the_payment_methods_scope(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    token = await issue_token(services, merchant, frozenset({Scope.CUSTOMERS}))
    limited = GraphQLClient(gql.http, gql.app, f"Bearer {token}")

    response = await limited.post(FIND, {"filter": {"hasPaymentMethods": True}})

    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    "order", ["CREATED_AT_DESC", "CREATED_AT_ASC", "UPDATED_AT_DESC", "NAME_ASC", "EMAIL_ASC"]
)
@pytest.mark.parametrize("search", ["a", "london", "example london"])
async def test_rest_search_finds_what_graphql_finds_in_the_same_order(
    gql: GraphQLClient, services: Services, merchant: Merchant, order: str, search: str
) -> None:
    await seed(services, merchant)

    graphql = (await gql.execute(FIND, {"search": search, "order": order, "first": 3}))["customers"]["nodes"]
    rest = await gql.http.get(
        "/v2/customers/search",
        params={"query": search, "order": order.lower(), "limit": 3},
        headers={"authorization": gql.authorization or ""},
    )

    assert rest.status_code == 200, rest.text
    assert [customer["uuid"] for customer in rest.json()["data"]] == [node["uuid"] for node in graphql]
