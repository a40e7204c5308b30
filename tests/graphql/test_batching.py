"""Payment methods of a page of customers are batched: the statement count does not grow with the page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from starlette.applications import Starlette

from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient, issue_token

PAGE_WITH_CARDS = "{ customers(first: 50) { nodes { uuid paymentMethods { id maskedPan customerUuid } } } }"


async def statements_during(app: Starlette, action: Callable[[], Awaitable[Any]]) -> list[str]:
    """Every SQL statement the app runs while `action` runs (SQLAlchemy and prepared reads alike)."""
    statements: list[str] = []
    recording = True

    def record(statement: str) -> None:
        if recording:
            statements.append(statement)

    app.state.services.database.add_statement_listener(record)
    try:
        await action()
    finally:
        recording = False
    return statements


async def seed(services: Services, merchant: Merchant, customers: int) -> None:
    """`customers` customers with two cards each."""
    for index in range(customers):
        customer = await services.customers.create(merchant_id=merchant.id, data={"name": f"c{index}"})
        for pan in ("411111******1111", "555555******4444"):
            await services.customers.add_payment_method(
                merchant_id=merchant.id,
                customer_uuid=customer.uuid,
                data={"masked_pan": pan, "expiration_date": "12/34", "token": f"tok-{index}-{pan[:2]}"},
            )


async def test_statement_count_is_constant_for_a_page_with_payment_methods(
    gql: GraphQLClient, services: Services, merchant: Merchant, other_merchant: Merchant
) -> None:
    await seed(services, merchant, 5)
    await seed(services, other_merchant, 50)
    small = GraphQLClient(gql.http, gql.app, f"Bearer {await issue_token(services, merchant)}")
    large = GraphQLClient(gql.http, gql.app, f"Bearer {await issue_token(services, other_merchant)}")
    results: dict[int, dict[str, Any]] = {}

    async def run(client: GraphQLClient, size: int) -> None:
        results[size] = await client.execute(PAGE_WITH_CARDS)

    small_statements = await statements_during(gql.app, lambda: run(small, 5))
    large_statements = await statements_during(gql.app, lambda: run(large, 50))

    for size in (5, 50):
        nodes = results[size]["customers"]["nodes"]
        assert len(nodes) == size
        assert all(len(node["paymentMethods"]) == 2 for node in nodes)
        assert all(card["customerUuid"] == node["uuid"] for node in nodes for card in node["paymentMethods"])
    # token lookup + customers page + one batched payment-methods statement
    assert len(small_statements) == len(large_statements) == 3, large_statements
    assert sum("payment_methods" in statement for statement in large_statements) == 1


async def test_payment_methods_paging_arguments(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    await seed(services, merchant, 2)

    data = await gql.execute(
        "{ customers { nodes { all: paymentMethods { maskedPan } second: paymentMethods(first: 1, offset: 1) "
        "{ maskedPan } } } }"
    )
    errors = await gql.errors("{ customers { nodes { paymentMethods(first: 101) { id } } } }")

    for node in data["customers"]["nodes"]:
        assert [card["maskedPan"] for card in node["all"]] == ["555555******4444", "411111******1111"]
        assert node["second"] == [{"maskedPan": "411111******1111"}]
    assert errors[0]["extensions"]["fieldErrors"][0]["field"] == "first"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ customers { nodes { uuid paymentMethods(first: 1, offset: 1) { id } } } }", None),
        (
            "query($first: Int, $offset: Int) "
            "{ customers { nodes { uuid paymentMethods(first: $first, offset: $offset) { id } } } }",
            {"first": 1, "offset": 1},
        ),
    ],
    ids=["literals", "variables"],
)
async def test_paging_arguments_are_batched_like_the_default_page(
    gql: GraphQLClient, services: Services, merchant: Merchant, query: str, variables: dict[str, Any] | None
) -> None:
    await seed(services, merchant, 3)
    results: list[dict[str, Any]] = []

    async def run() -> None:
        results.append(await gql.execute(query, variables))

    await run()  # the token is looked up once
    statements = await statements_during(gql.app, run)

    assert all(len(node["paymentMethods"]) == 1 for node in results[-1]["customers"]["nodes"])
    # customers page + one batched payment-methods statement (literal arguments once primed a useless page)
    assert len(statements) == 2, statements
