"""GraphQL operations counted in /metrics by outcome: a resolver that crashes is `internal`."""

from __future__ import annotations

import httpx
import pytest

from tests.graphql.conftest import GraphQLClient
from tests.observability.helpers import sample_value, scrape

OPERATIONS = "gateway_graphql_operations_total"


async def test_a_crashing_resolver_counts_as_internal(
    gql: GraphQLClient, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(**_kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(gql.app.state.services.customers.finder, "count", crash)
    labels = {"operation": "Crashing", "outcome": "internal"}
    before = sample_value(await scrape(http), OPERATIONS, **labels)

    errors = await gql.errors("query Crashing { customers(first: 1) { totalCount } }")

    assert errors[0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert sample_value(await scrape(http), OPERATIONS, **labels) - before == 1
