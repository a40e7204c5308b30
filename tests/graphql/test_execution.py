"""The execution fast paths (app/graphql/execution.py) answer exactly what graphql-core's own path does."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.auth import ALL_SCOPES, Principal, Scope
from app.graphql import execution
from app.graphql.context import GraphQLContext
from app.graphql.errors import format_error
from app.graphql.execution import FastFieldsExecutionContext
from app.graphql.schema import build_schema
from app.merchants.repository import Merchant
from app.services import Services

CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok"}
QUERIES = [
    # every field, aliases, a fragment, an inline fragment, a variable page of cards, edges and nodes
    (
        """
        query Page($cards: Int) {
          customers(first: 10) {
            totalCount
            pageInfo { hasNextPage endCursor }
            edges { cursor node { ...Everything } }
            nodes {
              id: uuid
              ... on Customer { createdAt deleted }
              firstCard: paymentMethods(first: 1) { id maskedPan }
              someCards: paymentMethods(first: $cards, offset: 1) { id token expired expirationDate }
            }
          }
        }
        fragment Everything on Customer {
          uuid merchantCustomerId description email name phone metadata zipCode city address country
          deleted createdAt updatedAt deletedAt __typename
          paymentMethods { id status maskedPan expirationDate keepUntil token expired customerUuid createdAt }
        }
        """,
        {"cards": 5},
    ),
    ("query One($uuid: ID!) { customer(uuid: $uuid) { uuid name paymentMethods { id } } }", None),
    ("{ customers(first: 3) { nodes { uuid } } customers2: customers(first: 101) { nodes { uuid } } }", None),
]


def schemas() -> tuple[Any, Any]:
    fast = build_schema_settings()
    general = build_schema_settings()
    general.execution_context_class = StrawberryGraphQLCoreExecutionContext
    assert fast.execution_context_class is FastFieldsExecutionContext
    return fast, general


def build_schema_settings() -> Any:
    from app.settings import Settings

    return build_schema(Settings())


async def run(schema: Any, services: Services, principal: Principal, query: str, variables: Any) -> Any:
    context = GraphQLContext.for_request(principal, services.customers, services.idempotency)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    errors = [(format_error(error)["message"], error.path) for error in result.errors or []]
    return result.data, errors


@pytest.mark.parametrize("scopes", [ALL_SCOPES, frozenset({Scope.CUSTOMERS})])
async def test_fast_and_general_paths_agree(
    services: Services, merchant: Merchant, scopes: frozenset[Scope], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = {"leaf": 0, "shortcut": 0}
    leaf_value, shortcut_value = execution._Leaf.value, FastFieldsExecutionContext._shortcut_value

    def count_leaf(self: Any, source: Any) -> Any:
        taken["leaf"] += 1
        return leaf_value(self, source)

    def count_shortcut(self: Any, *args: Any) -> Any:
        value = shortcut_value(self, *args)
        taken["shortcut"] += value is not execution.NO_SHORTCUT
        return value

    monkeypatch.setattr(execution._Leaf, "value", count_leaf)
    monkeypatch.setattr(FastFieldsExecutionContext, "_shortcut_value", count_shortcut)
    customers = []
    for index in range(4):
        data: dict[str, Any] = {"name": f"n{index}", "metadata": {"b": "1", "a": str(index)}}
        if index % 2:
            data.update(email=f"c{index}@example.com", country="de")
        customers.append(await services.customers.create(merchant_id=merchant.id, data=data))
    for index, customer in enumerate(customers):
        for _ in range(index):
            await services.customers.add_payment_method(
                merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
            )
    principal = Principal(merchant_id=merchant.id, scopes=scopes)
    fast, general = schemas()
    for query, variables in QUERIES:
        values = variables or {"uuid": customers[-1].uuid}
        fast_result = await run(fast, services, principal, query, values)
        general_result = await run(general, services, principal, query, values)
        assert fast_result == general_result
        assert fast_result[0] is not None or fast_result[1]
    assert taken["leaf"] > (50 if Scope.PAYMENT_METHODS in scopes else 0)
    # primed card lists are answered without a coroutine, unless the scope is missing (then: Forbidden)
    assert (taken["shortcut"] > 0) == (Scope.PAYMENT_METHODS in scopes)


async def test_a_null_in_a_non_null_field_is_reported_like_the_general_path(
    services: Services, merchant: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.graphql import types

    await services.customers.create(merchant_id=merchant.id, data={"name": "x"})
    original = types.Customer.from_domain

    def broken(customer: Any) -> Any:
        made = original(customer)
        made.created_at = None  # a resolver bug: null where the schema promises a value
        return made

    monkeypatch.setattr(types.Customer, "from_domain", staticmethod(broken))
    principal = Principal(merchant_id=merchant.id, scopes=ALL_SCOPES)
    fast, general = schemas()
    query = "{ customers { nodes { uuid createdAt } } }"
    fast_result = await run(fast, services, principal, query, None)
    assert fast_result == await run(general, services, principal, query, None)
    # masked like any unexpected error, located at the field, the null propagated up to the nullable parent
    assert fast_result[1] == [("Unexpected error.", ["customers", "nodes", 0, "createdAt"])]
    assert fast_result[0] is None
