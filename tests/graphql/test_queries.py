"""Queries: customer, customerByMerchantCustomerId, customers (connection, cursors, offset, filters)."""

from __future__ import annotations

import asyncio
import re

from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient

CUSTOMER_FIELDS = """
    uuid merchantCustomerId description email name phone metadata zipCode city address country
    deleted createdAt updatedAt deletedAt
"""
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$")
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


async def create(services: Services, merchant: Merchant, **data: object) -> str:
    """A customer created through the service; returns its uuid."""
    customer = await services.customers.create(merchant_id=merchant.id, data=data)
    return customer.uuid


async def test_customer_by_uuid_returns_every_field(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    uuid = await create(
        services,
        merchant,
        merchant_customer_id="m-1",
        description="vip",
        email="ada@example.com",
        name="Ada",
        phone="+100",
        metadata={"b": "2", "a": "1"},
        zip_code="12345",
        city="London",
        address="1 Street",
        country="gb",
    )

    data = await gql.execute(
        f"query($uuid: ID!) {{ customer(uuid: $uuid) {{ {CUSTOMER_FIELDS} }} }}", {"uuid": uuid}
    )

    customer = data["customer"]
    assert customer["uuid"] == uuid
    assert customer["merchantCustomerId"] == "m-1"
    assert (customer["email"], customer["name"], customer["phone"]) == ("ada@example.com", "Ada", "+100")
    assert (customer["zipCode"], customer["city"], customer["address"]) == ("12345", "London", "1 Street")
    assert customer["country"] == "GB"
    assert customer["description"] == "vip"
    assert list(customer["metadata"].items()) == [("b", "2"), ("a", "1")]
    assert customer["deleted"] is False
    assert customer["deletedAt"] is None
    assert TIMESTAMP.match(customer["createdAt"]) and TIMESTAMP.match(customer["updatedAt"])


async def test_customer_is_null_when_absent_malformed_or_foreign(
    gql: GraphQLClient, other_gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    uuid = await create(services, merchant, name="Mine")
    query = "query($uuid: ID!) { customer(uuid: $uuid) { uuid } }"

    assert (await gql.execute(query, {"uuid": UNKNOWN_UUID}))["customer"] is None
    assert (await gql.execute(query, {"uuid": "not-a-uuid"}))["customer"] is None
    assert (await other_gql.execute(query, {"uuid": uuid}))["customer"] is None
    assert (await gql.execute(query, {"uuid": uuid.upper()}))["customer"] == {"uuid": uuid}


async def test_deleted_customer_is_still_returned_by_uuid(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    uuid = await create(services, merchant, name="Gone")
    await services.customers.delete(merchant_id=merchant.id, uuid=uuid)

    data = await gql.execute("query($u: ID!) { customer(uuid: $u) { deleted deletedAt } }", {"u": uuid})

    assert data["customer"]["deleted"] is True
    assert TIMESTAMP.match(data["customer"]["deletedAt"])


async def test_customer_by_merchant_customer_id(
    gql: GraphQLClient, other_gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    uuid = await create(services, merchant, merchant_customer_id="shop-7")
    query = "query($id: String!) { customerByMerchantCustomerId(merchantCustomerId: $id) { uuid } }"

    assert (await gql.execute(query, {"id": "shop-7"}))["customerByMerchantCustomerId"] == {"uuid": uuid}
    assert (await gql.execute(query, {"id": "nope"}))["customerByMerchantCustomerId"] is None
    assert (await gql.execute(query, {"id": ""}))["customerByMerchantCustomerId"] is None
    assert (await other_gql.execute(query, {"id": "shop-7"}))["customerByMerchantCustomerId"] is None

    await services.customers.delete(merchant_id=merchant.id, uuid=uuid)
    assert (await gql.execute(query, {"id": "shop-7"}))["customerByMerchantCustomerId"] is None


async def test_customers_connection_shape(gql: GraphQLClient, services: Services, merchant: Merchant) -> None:
    first = await create(services, merchant, name="First")
    second = await create(services, merchant, name="Second")

    data = await gql.execute(
        "{ customers { totalCount edges { cursor node { uuid } } nodes { uuid } "
        "pageInfo { hasNextPage endCursor } } }"
    )

    connection = data["customers"]
    assert connection["totalCount"] == 2
    assert [edge["node"]["uuid"] for edge in connection["edges"]] == [second, first]
    assert [node["uuid"] for node in connection["nodes"]] == [second, first]
    assert connection["pageInfo"] == {"hasNextPage": False, "endCursor": connection["edges"][-1]["cursor"]}


async def test_empty_connection_has_no_end_cursor(gql: GraphQLClient) -> None:
    data = await gql.execute("{ customers { totalCount nodes { uuid } pageInfo { hasNextPage endCursor } } }")

    assert data["customers"] == {
        "totalCount": 0,
        "nodes": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_cursor_paging_walks_every_customer_once_newest_first(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    created = [await create(services, merchant, name=f"c{index}") for index in range(7)]
    deleted = await create(services, merchant, name="deleted")
    await services.customers.delete(merchant_id=merchant.id, uuid=deleted)
    query = """
        query($after: String) {
          customers(first: 3, after: $after) { nodes { uuid } pageInfo { hasNextPage endCursor } }
        }
    """

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await gql.execute(query, {"after": after}))["customers"]
        seen.extend(node["uuid"] for node in page["nodes"])
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == list(reversed(created))
    assert pages == 3


async def test_cursor_is_stable_when_newer_customers_arrive(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    older = [await create(services, merchant, name=f"old{index}") for index in range(4)]
    query = """
        query($after: String) { customers(first: 2, after: $after) { nodes { uuid } pageInfo { endCursor } } }
    """
    page = (await gql.execute(query))["customers"]

    await create(services, merchant, name="newcomer")
    rest = (await gql.execute(query, {"after": page["pageInfo"]["endCursor"]}))["customers"]

    assert [node["uuid"] for node in rest["nodes"]] == [older[1], older[0]]


async def test_offset_mirrors_rest(gql: GraphQLClient, services: Services, merchant: Merchant) -> None:
    created = [await create(services, merchant, name=f"c{index}") for index in range(5)]

    data = await gql.execute("{ customers(first: 2, offset: 2) { nodes { uuid } pageInfo { hasNextPage } } }")

    assert [node["uuid"] for node in data["customers"]["nodes"]] == [created[2], created[1]]
    assert data["customers"]["pageInfo"]["hasNextPage"] is True


async def test_customers_lists_only_the_callers_live_customers(
    gql: GraphQLClient, services: Services, merchant: Merchant, other_merchant: Merchant
) -> None:
    mine = await create(services, merchant, name="Mine")
    await create(services, other_merchant, name="Theirs")

    data = await gql.execute("{ customers { totalCount nodes { uuid } } }")

    assert data["customers"] == {"totalCount": 1, "nodes": [{"uuid": mine}]}


async def test_filters(gql: GraphQLClient, services: Services, merchant: Merchant) -> None:
    ada = await create(
        services, merchant, name="Ada Lovelace", email="ada@example.com", merchant_customer_id="a"
    )
    await asyncio.sleep(0.01)
    grace = await create(
        services, merchant, name="Grace Hopper", email="grace@example.com", merchant_customer_id="g"
    )
    await asyncio.sleep(0.01)
    alan = await create(services, merchant, name="Alan Turing", email="alan@example.com")
    created = (
        await gql.execute(
            "query($u: ID!) { customer(uuid: $u) { createdAt } }",
            {"u": grace},
        )
    )["customer"]["createdAt"]
    query = "query($f: CustomerFilter) { customers(filter: $f) { totalCount nodes { uuid } } }"

    async def matching(customer_filter: dict[str, object]) -> list[str]:
        connection = (await gql.execute(query, {"f": customer_filter}))["customers"]
        assert connection["totalCount"] == len(connection["nodes"])
        return [node["uuid"] for node in connection["nodes"]]

    assert await matching({"email": "grace@example.com"}) == [grace]
    assert await matching({"merchantCustomerId": "a"}) == [ada]
    assert await matching({"nameContains": "LOVE"}) == [ada]
    assert await matching({"nameContains": "a"}) == [alan, grace, ada]
    assert await matching({"createdAfter": created}) == [alan]
    assert await matching({"createdBefore": created}) == [ada]
    assert await matching({"createdAfter": created, "nameContains": "hopper"}) == []
    assert await matching({"email": None}) == [alan, grace, ada]


async def test_filter_name_contains_treats_wildcards_literally(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    percent = await create(services, merchant, name="100% real")
    await create(services, merchant, name="1000 real")

    data = await gql.execute('{ customers(filter: {nameContains: "0%"}) { nodes { uuid } } }')

    assert data["customers"]["nodes"] == [{"uuid": percent}]


async def test_filter_with_bad_datetime_is_a_graphql_error(gql: GraphQLClient) -> None:
    errors = await gql.errors('{ customers(filter: {createdAfter: "yesterday"}) { totalCount } }')

    assert "DateTime must be an ISO-8601 string" in errors[0]["message"]


async def test_page_size_is_capped_at_100(gql: GraphQLClient) -> None:
    errors = await gql.errors("{ customers(first: 101) { totalCount } }")

    assert errors[0]["message"] == "first must be between 1 and 100"
    assert errors[0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "fieldErrors": [
            {"field": "first", "code": "out_of_range", "message": "first must be between 1 and 100"}
        ],
        "requestId": errors[0]["extensions"]["requestId"],
    }
    assert (await gql.errors("{ customers(first: 0) { totalCount } }"))[0]["extensions"]["fieldErrors"][0][
        "code"
    ] == "out_of_range"
    assert await gql.execute("{ customers(first: 100) { totalCount } }") == {"customers": {"totalCount": 0}}


async def test_negative_offset_and_bad_cursor_are_refused(gql: GraphQLClient) -> None:
    offset_error = (await gql.errors("{ customers(offset: -1) { totalCount } }"))[0]
    cursor_error = (await gql.errors('{ customers(after: "!!") { totalCount } }'))[0]

    assert offset_error["extensions"]["fieldErrors"][0]["field"] == "offset"
    assert cursor_error["extensions"]["fieldErrors"][0] == {
        "field": "after",
        "code": "invalid_cursor",
        "message": "after is not a valid cursor",
    }
