"""Production defences: depth (introspection included), aliases, tokens, caches."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from typing import Any

import pytest
from graphql import get_introspection_query

from app.graphql import limits
from app.settings import Settings
from tests.graphql.conftest import GraphQLClient


def nested(field: str, levels: int, leaf: str = "name") -> str:
    """`field { field { ... leaf } }`, `levels` fields deep counting the leaf."""
    return f"{field} {{ " * (levels - 1) + leaf + " }" * (levels - 1)


async def test_standard_introspection_query_is_accepted(gql: GraphQLClient) -> None:
    query = get_introspection_query(descriptions=True, input_value_deprecation=True)

    data = await gql.execute(query)

    assert data["__schema"]["queryType"]["name"] == "Query"
    assert limits.STANDARD_INTROSPECTION_DEPTH == 15


async def test_deep_introspection_query_is_refused(gql: GraphQLClient) -> None:
    # 16 deep through `ofType` alone: no list fields, so only a limiter that counts `__` fields stops it.
    query = '{ __type(name: "Customer") { ' + nested("ofType", 15) + " } }"

    errors = await gql.errors(query)

    assert errors[0]["message"] == "Operation is 16 fields deep; the limit is 15."


async def test_recursive_type_fields_introspection_is_refused(gql: GraphQLClient) -> None:
    query = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"

    errors = await gql.errors(query)

    assert "Maximum introspection depth exceeded" in errors[0]["message"]


async def test_depth_counts_through_fragments_and_names_the_operation(gql: GraphQLClient) -> None:
    query = (
        'query Deep { ...A } fragment A on Query { __type(name: "Customer") { ...B } } '
        "fragment B on __Type { " + nested("ofType", 15) + " }"
    )

    errors = await gql.errors(query)

    assert errors[0]["message"] == "Operation 'Deep' is 16 fields deep; the limit is 15."


async def test_fragment_cycles_are_reported_not_looped(gql: GraphQLClient) -> None:
    errors = await gql.errors("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")

    assert any("Cannot spread fragment" in error["message"] for error in errors)


def doubling_fragments(count: int, leaf: str) -> str:
    """A query whose fragments each spread the previous one twice: 2**count leaves once expanded."""
    fragments = [f"fragment F0 on Query {{ {leaf} }}"]
    fragments += [
        f"fragment F{index} on Query {{ ...F{index - 1} ...F{index - 1} }}" for index in range(1, count)
    ]
    return f"{{ ...F{count - 1} }} " + " ".join(fragments)


async def test_fragments_spread_many_times_validate_quickly(gql: GraphQLClient) -> None:
    # Strawberry's MaxAliasesLimiter re-walks fragments at every spread: this document kept it busy for
    # minutes. Our rules walk each fragment once.
    started = time.monotonic()
    refused = await gql.errors(doubling_fragments(100, "__typename"))
    errors = await gql.errors(doubling_fragments(100, "a: __typename"))

    # Depth and aliases pass it; only the cost limit (fragments expanded: 2**99 fields) refuses it.
    assert [error["extensions"]["code"] for error in refused] == ["QUERY_TOO_COSTLY"]
    assert errors[0]["message"] == f"{2**99} aliases found. Allowed: 30"
    assert time.monotonic() - started < 2


async def test_too_many_aliases_are_refused(gql: GraphQLClient) -> None:
    allowed = "{ " + " ".join(f"a{index}: __typename" for index in range(30)) + " }"
    refused = "{ " + " ".join(f"a{index}: __typename" for index in range(31)) + " }"

    assert len(await gql.execute(allowed)) == 30
    assert (await gql.errors(refused))[0]["message"] == "31 aliases found. Allowed: 30"


async def test_too_many_tokens_are_refused(gql: GraphQLClient) -> None:
    query = "{ " + "__typename " * 2001 + "}"

    errors = await gql.errors(query)

    assert "more than 2000 tokens" in errors[0]["message"]


async def test_validation_is_cached_across_requests(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    measure = limits.selection_depth

    def counting(*args: Any) -> int:
        calls.append(args)
        return measure(*args)

    monkeypatch.setattr(limits, "selection_depth", counting)
    query = f"{{ a{uuid.uuid4().hex}: __typename }}"

    for _ in range(3):
        await gql.execute(query)

    assert len(calls) == 1


async def test_a_repeated_query_text_is_parsed_once(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.graphql.engine import documents

    parses: list[str] = []
    original = documents.parse

    def counting(source: str, **options: Any) -> Any:
        parses.append(source)
        return original(source, **options)

    monkeypatch.setattr(documents, "parse", counting)
    query = f"{{ b{uuid.uuid4().hex}: __typename }}"

    for _ in range(3):
        assert await gql.execute(query)

    assert parses == [query]


async def test_the_document_cache_is_bounded(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.graphql.engine import GraphQLEngine, documents

    monkeypatch.setattr(documents, "CACHE_SIZE", 3)
    queries = [f"{{ c{index}: __typename }}" for index in range(5)]
    runner = GraphQLEngine(operations_schema(), Settings())

    for query in queries:
        runner.prepare(query)

    assert runner.documents.cached_texts() == queries[-3:]
    assert runner.prepare(queries[-1]) is runner.prepare(queries[-1])


def operations_schema() -> Any:
    from app.graphql.schema import build_schema

    return build_schema()


class TestConfiguredLimits:
    """The limits come from Settings."""

    @pytest.fixture
    def graphql_settings(self, settings: Settings) -> Settings:
        return replace(settings, graphql_max_depth=4, graphql_max_aliases=2, graphql_max_tokens=40)

    async def test_depth_limit_applies_to_data_queries(self, gql: GraphQLClient) -> None:
        assert await gql.execute("{ customers { nodes { paymentMethods { id } } } }") == {
            "customers": {"nodes": []}
        }

        errors = await gql.errors("{ customers { edges { node { paymentMethods { id } } } } }")

        assert errors[0]["message"] == "Operation is 5 fields deep; the limit is 4."

    async def test_alias_and_token_limits_come_from_settings(self, gql: GraphQLClient) -> None:
        aliases = await gql.errors("{ a: __typename b: __typename c: __typename }")
        tokens = await gql.errors("{ " + "__typename " * 41 + "}")

        assert aliases[0]["message"] == "3 aliases found. Allowed: 2"
        assert "more than 40 tokens" in tokens[0]["message"]
