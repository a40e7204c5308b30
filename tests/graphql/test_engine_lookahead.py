"""The payment-method lookahead of a customers page (app/graphql/lookahead.py): which (first, offset)
pages the query will ask for, read from the document in time linear in its size."""

from __future__ import annotations

from typing import Any

import strawberry

from app.graphql.engine import GraphQLEngine
from app.graphql.lookahead import payment_method_pages
from app.settings import Settings

seen: list[set[tuple[Any, Any]]] = []


@strawberry.type
class Card:
    id: str


@strawberry.type
class Person:
    @strawberry.field
    def payment_methods(self, first: int | None = 50, offset: int | None = 0) -> list[Card]:
        return []


@strawberry.type
class Edge:
    node: Person


@strawberry.type
class Page:
    nodes: list[Person]
    edges: list[Edge]


@strawberry.type
class PagesQuery:
    @strawberry.field
    def customers(self, info: strawberry.Info) -> Page:
        seen.append(payment_method_pages(info, 50, 0))
        return Page(nodes=[Person()], edges=[Edge(node=Person())])


async def pages_of(query: str, variables: dict[str, Any] | None = None) -> set[tuple[Any, Any]]:
    # The cost limit would refuse the doubling documents before they run; here the lookahead is the subject.
    settings = Settings(graphql_max_tokens=10_000, graphql_max_cost=2**62)
    engine = GraphQLEngine(strawberry.Schema(query=PagesQuery), settings)
    seen.clear()
    prepared = engine.prepare(query)
    result = await engine.execute(prepared, variables=variables, operation_name=None, context=None)
    assert result.errors == [], result.errors
    (pages,) = seen
    return pages


async def test_literal_default_and_variable_arguments() -> None:
    query = """
    query($first: Int, $offset: Int, $unset: Int) {
      customers {
        nodes { paymentMethods { id } two: paymentMethods(first: 2) { id } }
        edges { node { paymentMethods(first: $first, offset: $offset) { id } } }
        more: nodes { paymentMethods(first: $unset, offset: null) { id } }
      }
    }
    """

    pages = await pages_of(query, {"first": 7, "offset": 3})

    assert pages == {(50, 0), (2, 0), (7, 3), (50, None)}


async def test_fragments_and_inline_fragments_are_followed() -> None:
    query = """
    { customers { ...Page } }
    fragment Page on Page { nodes { ...Cards ... on Person { later: paymentMethods(offset: 1) { id } } } }
    fragment Cards on Person { paymentMethods(first: 3) { id } }
    """

    assert await pages_of(query) == {(3, 0), (50, 1)}


async def test_fields_elsewhere_are_not_pages_of_the_connection() -> None:
    assert await pages_of("{ customers { edges { __typename } } }") == set()


async def test_fragments_spreading_each_other_twice_are_read_once_each() -> None:
    levels = 30
    # Expanded, the selection holds 2^30 spreads of G0; read from the document, it is 31 fragments.
    fragments = ["fragment G0 on Person { paymentMethods(first: 2) { id } }"]
    fragments += [f"fragment G{i} on Person {{ ...G{i - 1} ...G{i - 1} }}" for i in range(1, levels + 1)]
    query = f"{{ customers {{ nodes {{ ...G{levels} }} }} }}\n" + "\n".join(fragments)

    assert await pages_of(query) == {(2, 0)}
