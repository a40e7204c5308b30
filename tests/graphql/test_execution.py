"""The fast executor (app/graphql/engine/executors.py) answers exactly what the stock one does."""

from __future__ import annotations

from typing import Any

import pytest

from app.auth import ALL_SCOPES, Principal, Scope
from app.graphql.context import GraphQLContext
from app.graphql.engine import GraphQLEngine, _compat, plans
from app.graphql.engine import engine as engine_module
from app.graphql.engine.executors import FastExecutor
from app.graphql.errors import format_error
from app.graphql.schema import build_schema
from app.merchants.repository import Merchant
from app.runtime import Services

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


@pytest.fixture(autouse=True)
def executors_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The executors are what is compared here: direct answers (tests/graphql/test_engine_direct.py) are
    off, so every query reaches the fast executor."""
    monkeypatch.setattr(engine_module, "direct_plan", lambda *_args: None)


def schemas() -> tuple[GraphQLEngine, GraphQLEngine]:
    """Engines in the fast mode and in the stock mode (Strawberry's own execution context)."""
    from app.settings import Settings

    return GraphQLEngine(build_schema(), Settings(), mode="fast"), GraphQLEngine(
        build_schema(), Settings(), mode="stock"
    )


async def run(
    runner: GraphQLEngine, services: Services, principal: Principal, query: str, variables: Any
) -> Any:
    context = GraphQLContext.for_request(
        principal,
        services.customers,
        services.idempotency,
        events=services.events,
        webhooks=services.webhooks,
    )
    result = await runner.execute(
        runner.prepare(query), variables=variables, operation_name=None, context=context
    )
    errors = [(format_error(error)["message"], error.path) for error in result.errors]
    return result.data, errors


@pytest.mark.parametrize("scopes", [ALL_SCOPES, frozenset({Scope.CUSTOMERS})])
async def test_fast_and_general_paths_agree(
    services: Services, merchant: Merchant, scopes: frozenset[Scope], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = {"leaf": 0, "shortcut": 0, "root shortcut": 0}
    leaf_value, shortcut_value = plans.Leaf.value, FastExecutor._shortcut_value

    def count_leaf(self: Any, source: Any) -> Any:
        taken["leaf"] += 1
        return leaf_value(self, source)

    def count_shortcut(self: Any, call: Any, parent_type: Any, *args: Any) -> Any:
        value = shortcut_value(self, call, parent_type, *args)
        answered = value is not plans.NO_SHORTCUT
        taken["root shortcut" if parent_type.name == "Query" else "shortcut"] += answered
        return value

    monkeypatch.setattr(plans.Leaf, "value", count_leaf)
    monkeypatch.setattr(FastExecutor, "_shortcut_value", count_shortcut)
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
    assert taken["root shortcut"] > 0  # customer(uuid) is answered by its hook, awaited at the root


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


class TestDocumentPlans:
    """What a document's executions collect and compile is kept for the next execution of that text."""

    async def seeded(self, services: Services, merchant: Merchant) -> None:
        for index in range(3):
            customer = await services.customers.create(merchant_id=merchant.id, data={"name": f"n{index}"})
            for _ in range(index):
                await services.customers.add_payment_method(
                    merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
                )

    async def test_a_repeated_query_collects_its_sub_selections_once(
        self, services: Services, merchant: Merchant, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await self.seeded(services, merchant)
        collections: list[Any] = []
        collect = _compat.Executor.collect_subfields

        def counting(*args: Any) -> Any:
            collections.append(args)
            return collect(*args)

        monkeypatch.setattr(_compat.Executor, "collect_subfields", counting)
        fast, general = schemas()
        principal = Principal(merchant_id=merchant.id, scopes=ALL_SCOPES)
        query = "{ customers(first: 10) { nodes { uuid name paymentMethods { id } } } }"

        first = [await run(fast, services, principal, query, None) for _ in range(3)]
        fast_collections = len(collections)
        expected = await run(general, services, principal, query, None)

        assert first == [expected] * 3
        # customers -> nodes -> paymentMethods: three selection sets, collected on the first run only
        assert fast_collections == 3
        assert len(collections) >= 2 * fast_collections  # the stock executor collects on every execution

    async def test_directives_reading_variables_are_evaluated_on_every_execution(
        self, services: Services, merchant: Merchant
    ) -> None:
        await self.seeded(services, merchant)
        fast, _ = schemas()
        principal = Principal(merchant_id=merchant.id, scopes=ALL_SCOPES)
        query = "query($with: Boolean!) { customers(first: 1) { nodes { uuid name @include(if: $with) } } }"

        with_name = await run(fast, services, principal, query, {"with": True})
        without_name = await run(fast, services, principal, query, {"with": False})

        assert set(with_name[0]["customers"]["nodes"][0]) == {"uuid", "name"}
        assert set(without_name[0]["customers"]["nodes"][0]) == {"uuid"}

    async def test_arguments_from_variables_are_coerced_on_every_execution(
        self, services: Services, merchant: Merchant
    ) -> None:
        await self.seeded(services, merchant)
        fast, general = schemas()
        principal = Principal(merchant_id=merchant.id, scopes=ALL_SCOPES)
        # The page primes `two`'s cards, so were `cards` to keep the arguments of a previous run (2),
        # it would take the shortcut and answer two cards where one was asked for.
        query = (
            "query($cards: Int) { customers(first: 10) { nodes { name "
            "two: paymentMethods(first: 2) { id } cards: paymentMethods(first: $cards) { id } } } }"
        )

        answers = {}
        for cards in (2, 1, 2):
            data, errors = await run(fast, services, principal, query, {"cards": cards})
            assert (data, errors) == await run(general, services, principal, query, {"cards": cards})
            answers[cards] = max(len(node["cards"]) for node in data["customers"]["nodes"])

        assert answers == {1: 1, 2: 2}
