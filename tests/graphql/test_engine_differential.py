"""Random valid queries (hypothesis-graphql, from the schema) answer the same on both engine modes, over
the same seeded data: data, error messages, paths and codes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from graphql import GraphQLObjectType, GraphQLSchema, StringValueNode, is_required_argument
from graphql import build_schema as build_graphql_schema
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from app.auth import ALL_SCOPES, Principal, Scope
from app.graphql.context import GraphQLContext
from app.graphql.engine import GraphQLEngine
from app.graphql.errors import format_error
from app.graphql.schema import build_schema
from app.runtime import Services
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY

EXAMPLES = 50
CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok_1"}
SCOPES = [ALL_SCOPES, frozenset({Scope.CUSTOMERS})]
# DateTime appears in `customers(filter:)`: valid instants around the seeded rows, and text that is not one.
DATETIMES = st.sampled_from(
    ["2000-01-01T00:00:00+00:00", "2999-01-01T00:00:00.000+00:00", "2026-11-28T12:45:30", "yesterday", ""]
).map(lambda text: StringValueNode(value=text))


@dataclass
class Engines:
    """Both engines over one seeded merchant, on the portal's event loop (where the pools live)."""

    portal: BlockingPortal
    services: Services
    merchant_id: int
    fast: GraphQLEngine
    stock: GraphQLEngine

    def answers(self, query: str, scopes: frozenset[Scope]) -> tuple[Any, Any]:
        """What each engine answers to `query`."""
        return (
            self.portal.call(partial(self._answer, self.fast, query, scopes)),
            self.portal.call(partial(self._answer, self.stock, query, scopes)),
        )

    async def _answer(self, engine: GraphQLEngine, query: str, scopes: frozenset[Scope]) -> Any:
        principal = Principal(merchant_id=self.merchant_id, scopes=scopes)
        context = GraphQLContext.for_request(
            principal,
            self.services.customers,
            self.services.idempotency,
            events=self.services.events,
            webhooks=self.services.webhooks,
        )
        prepared = engine.prepare(query)
        result = await engine.execute(prepared, variables=None, operation_name=None, context=context)
        errors = []
        for error in result.errors:
            formatted = format_error(error)
            formatted["extensions"].pop("requestId", None)
            errors.append(formatted)
        return result.data, errors, result.executed


async def _seed(services: Services) -> int:
    merchant = await services.merchants.create_merchant(name="Differential")
    customers = services.customers
    rows = [
        {"name": "Ada", "email": "ada@example.com", "country": "gb", "metadata": {"tier": "gold", "a": "1"}},
        {"name": "Grace", "merchant_customer_id": "grace-1", "city": "Arlington", "zip_code": "22201"},
        {"description": "no name", "phone": "+1 555 0100", "address": "1 Main Street"},
        {},
        {"name": "Gone", "email": "gone@example.com"},
    ]
    created = [await customers.create(merchant_id=merchant.id, data=row) for row in rows]
    for index, customer in enumerate(created[:3]):
        for _ in range(index + 1):
            await customers.add_payment_method(
                merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
            )
    await customers.delete(merchant_id=merchant.id, uuid=created[-1].uuid)
    return merchant.id


@pytest.fixture
def engines(database_url: str) -> Iterator[Engines]:
    """A seeded merchant and an engine in each mode, shared by every example of the test."""
    settings = Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)
    with start_blocking_portal() as portal:
        services = Services.from_settings(settings)
        try:
            merchant_id = portal.call(partial(_seed, services))
            yield Engines(
                portal,
                services,
                merchant_id,
                GraphQLEngine(build_schema(), settings, mode="fast"),
                GraphQLEngine(build_schema(), settings, mode="stock"),
            )
        finally:
            portal.call(services.close)


def _selections_only(sdl: str) -> GraphQLSchema:
    """The schema with every field's arguments dropped where all are optional: queries generated from it
    are valid on the real schema and select data (random arguments mostly select nothing or fail)."""
    schema = build_graphql_schema(sdl)
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType) and not named.name.startswith("__"):
            for field in named.fields.values():
                if not any(is_required_argument(argument) for argument in field.args.values()):
                    field.args = {}
    return schema


SDL = build_schema().as_str()
QUERIES = st.one_of(
    queries(SDL, custom_scalars={"DateTime": DATETIMES}, allow_x00=False),
    queries(_selections_only(SDL), fields=["customers"]),
)


@pytest.mark.slow
@given(query=QUERIES, scopes=st.sampled_from(SCOPES))
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_random_queries_answer_the_same_on_both_engines(
    engines: Engines, query: str, scopes: frozenset[Scope]
) -> None:
    fast, stock = engines.answers(query, scopes)

    assert fast == stock, query
