"""Connections both ways in every order: backwards pages hold the forward items in reverse."""

from __future__ import annotations

from typing import Any

import pytest

from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient

PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $order: CustomerOrder) {
  customers(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    edges { cursor node { name email } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
ORDERS = ["CREATED_AT_DESC", "CREATED_AT_ASC", "UPDATED_AT_DESC", "NAME_ASC", "EMAIL_ASC"]
# Duplicate and missing names and emails: ties must be broken by insertion, missing values sort last.
PEOPLE: list[dict[str, str]] = [
    {"name": "bob", "email": "b@example.com"},
    {"name": "Ada", "email": "z@example.com"},
    {"email": "a@example.com"},
    {"name": "ada", "email": "B@example.com"},
    {"name": "Carl"},
    {"name": "Bob", "email": "b@example.com"},
    {},
]


async def seed(services: Services, merchant: Merchant) -> list[str]:
    """The customers of PEOPLE in insertion order; the second and fourth are updated last."""
    uuids = [
        (await services.customers.create(merchant_id=merchant.id, data=person)).uuid for person in PEOPLE
    ]
    for index in (3, 1):
        await services.customers.update(
            merchant_id=merchant.id, uuid=uuids[index], data={"description": "touched"}, null_means=_keep()
        )
    return uuids


def _keep() -> Any:
    from app.customers.rules import NullMeans

    return NullMeans.KEEP


def expected(order: str) -> list[tuple[str | None, str | None]]:
    """PEOPLE in `order`, computed here from the contract, not read from the database."""
    indexed = list(enumerate(PEOPLE))

    def text_key(field: str) -> Any:
        return lambda item: (field not in item[1], item[1].get(field, "").lower(), item[0])

    ordered = {
        "CREATED_AT_DESC": sorted(indexed, key=lambda item: -item[0]),
        "CREATED_AT_ASC": indexed,
        # updated last: index 1, then 3, then the rest newest first
        "UPDATED_AT_DESC": [indexed[1], indexed[3]]
        + [item for item in reversed(indexed) if item[0] not in (1, 3)],
        "NAME_ASC": sorted(indexed, key=text_key("name")),
        "EMAIL_ASC": sorted(indexed, key=text_key("email")),
    }[order]
    return [(person.get("name"), person.get("email")) for _, person in ordered]


async def page(gql: GraphQLClient, order: str, **arguments: Any) -> dict[str, Any]:
    return (await gql.execute(PAGE, {"order": order, **arguments}))["customers"]


def people(connection: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    return [(edge["node"]["name"], edge["node"]["email"]) for edge in connection["edges"]]


@pytest.mark.parametrize("order", ORDERS)
async def test_forwards_and_backwards_give_the_same_items_in_order(
    gql: GraphQLClient, services: Services, merchant: Merchant, order: str
) -> None:
    await seed(services, merchant)
    forwards: list[Any] = []
    after = None
    while True:
        connection = await page(gql, order, first=3, after=after)
        forwards += people(connection)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    backwards: list[Any] = []
    before = None
    while True:
        connection = await page(gql, order, last=3, before=before)
        backwards = people(connection) + backwards
        if not connection["pageInfo"]["hasPreviousPage"]:
            break
        before = connection["pageInfo"]["startCursor"]

    assert forwards == expected(order)
    assert backwards == forwards


async def test_page_info_of_a_backwards_page(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    await seed(services, merchant)
    whole = await page(gql, "NAME_ASC", first=7)

    last_two = await page(gql, "NAME_ASC", last=2)
    before_third = await page(gql, "NAME_ASC", last=5, before=whole["edges"][2]["cursor"])

    assert people(last_two) == expected("NAME_ASC")[-2:]
    assert last_two["pageInfo"]["hasPreviousPage"] is True
    assert last_two["pageInfo"]["startCursor"] == whole["edges"][5]["cursor"]
    assert last_two["pageInfo"]["endCursor"] == whole["edges"][6]["cursor"]
    assert people(before_third) == expected("NAME_ASC")[:2]
    assert before_third["pageInfo"]["hasPreviousPage"] is False
    assert whole["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": whole["edges"][0]["cursor"],
        "endCursor": whole["edges"][6]["cursor"],
    }


async def test_an_empty_list_has_no_cursors(gql: GraphQLClient) -> None:
    for arguments in ({"first": 5}, {"last": 5}):
        connection = await page(gql, "EMAIL_ASC", **arguments)
        assert connection["edges"] == []
        assert connection["pageInfo"] == {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        }


async def test_a_cursor_serves_only_its_own_order(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    await seed(services, merchant)
    cursor = (await page(gql, "NAME_ASC", first=2))["pageInfo"]["endCursor"]

    errors = await gql.errors(PAGE, {"order": "EMAIL_ASC", "first": 2, "after": cursor})
    backwards = await gql.errors(PAGE, {"order": "CREATED_AT_DESC", "last": 2, "before": cursor})

    for error, field in ((errors[0], "after"), (backwards[0], "before")):
        [field_error] = error["extensions"]["fieldErrors"]
        assert (field_error["field"], field_error["code"]) == (field, "invalid_cursor")
        assert "NAME_ASC" in field_error["message"]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"first": 2, "last": 2}, "last"),
        ({"after": "x", "before": "y"}, "before"),
        ({"first": 2, "before": "x"}, "first"),
        ({"last": 101}, "last"),
        ({"last": 0}, "last"),
        ({"last": 2, "before": "not a cursor"}, "before"),
    ],
)
async def test_paging_both_ways_at_once_or_out_of_range_is_refused(
    gql: GraphQLClient, arguments: dict[str, Any], field: str
) -> None:
    errors = await gql.errors(PAGE, {"order": "CREATED_AT_DESC", **arguments})

    assert errors[0]["extensions"]["fieldErrors"][0]["field"] == field


async def test_offset_pages_forwards_only(gql: GraphQLClient, services: Services, merchant: Merchant) -> None:
    await seed(services, merchant)

    skipped = (await gql.execute("{ customers(first: 2, offset: 2) { pageInfo { hasPreviousPage } } }"))[
        "customers"
    ]
    errors = await gql.errors("{ customers(last: 2, offset: 2) { nodes { name } } }")

    assert skipped["pageInfo"]["hasPreviousPage"] is True
    assert errors[0]["extensions"]["fieldErrors"][0]["field"] == "offset"
