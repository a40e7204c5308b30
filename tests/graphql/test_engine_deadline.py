"""The per-request execution deadline: an operation past it stops with one DEADLINE_EXCEEDED error, both
while computing (no await for a timer to fire in) and while waiting, and the worker is free again."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
import strawberry
from graphql import get_introspection_query
from starlette.applications import Starlette

from app.graphql.engine import DEADLINE_CODE, EngineMode, GraphQLEngine
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings, load_settings
from tests.graphql.conftest import GraphQLClient

ROWS = 50_000
computed: list[int] = []


@strawberry.type(description="A row whose `double` is computed by a resolver, synchronously.")
class Row:
    number: int

    @strawberry.field
    def double(self) -> int:
        computed.append(self.number)
        return self.number * 2


@strawberry.type
class RowsQuery:
    @strawberry.field
    def rows(self, count: int) -> list[Row]:
        return [Row(number=index) for index in range(count)]


@pytest.mark.parametrize("mode", [mode.value for mode in EngineMode])
async def test_synchronous_execution_stops_at_the_deadline(mode: str) -> None:
    engine = GraphQLEngine(strawberry.Schema(query=RowsQuery), Settings(graphql_deadline_ms=1), mode=mode)
    computed.clear()
    prepared = engine.prepare(f"{{ rows(count: {ROWS}) {{ number double }} }}")

    result = await engine.execute(prepared, variables=None, operation_name=None, context=None)

    assert result.data is None
    assert [(error.message, error.extensions) for error in result.errors] == [
        (
            "The operation did not finish within its deadline of 1 ms and was stopped.",
            {"code": DEADLINE_CODE},
        )
    ]
    assert len(computed) < ROWS  # stopped part-way, not after computing every row


async def test_the_same_operation_completes_within_a_generous_deadline() -> None:
    engine = GraphQLEngine(strawberry.Schema(query=RowsQuery), Settings(graphql_deadline_ms=60_000))
    prepared = engine.prepare("{ rows(count: 3) { number double } }")

    result = await engine.execute(prepared, variables=None, operation_name=None, context=None)

    assert result.errors == []
    assert result.data == {"rows": [{"number": n, "double": 2 * n} for n in range(3)]}


def test_the_deadline_setting() -> None:
    assert load_settings({}).graphql_deadline_ms == 5000
    assert load_settings({"GATEWAY_GRAPHQL_DEADLINE_MS": "250"}).graphql_deadline_ms == 250
    with pytest.raises(SystemExit, match="GATEWAY_GRAPHQL_DEADLINE_MS must be >= 1"):
        load_settings({"GATEWAY_GRAPHQL_DEADLINE_MS": "0"})


class TestComputingOverHTTP:
    """Introspection resolves synchronously: nothing is awaited, so only the executor's clock checks can
    stop it (it takes far longer than 1 ms)."""

    @pytest.fixture
    def graphql_settings(self, settings: Settings) -> Settings:
        return replace(settings, graphql_deadline_ms=1)

    async def test_a_computing_operation_is_stopped(self, gql: GraphQLClient) -> None:
        response = await gql.post(get_introspection_query(descriptions=True))

        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == [DEADLINE_CODE]


class TestWaitingOverHTTP:
    """A resolver stuck on an await is cancelled at the deadline; the next request is served."""

    @pytest.fixture
    def graphql_settings(self, settings: Settings) -> Settings:
        return replace(settings, graphql_deadline_ms=150)

    async def test_a_waiting_operation_is_cancelled_and_the_next_request_is_served(
        self,
        gql: GraphQLClient,
        graphql_app: Starlette,
        services: Services,
        merchant: Merchant,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        created = await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
        customers = graphql_app.state.services.customers
        cancelled: list[bool] = []
        original = customers.get

        async def stuck(**_: Any) -> Any:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

        monkeypatch.setattr(customers, "get", stuck)
        query = "query($uuid: ID!) { customer(uuid: $uuid) { uuid name } }"

        response = await asyncio.wait_for(gql.post(query, {"uuid": created.uuid}), timeout=30)

        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["message"].startswith("The operation did not finish within its deadline")
        assert body["errors"][0]["extensions"]["code"] == DEADLINE_CODE
        assert cancelled == [True]

        monkeypatch.setattr(customers, "get", original)
        assert await gql.execute(query, {"uuid": created.uuid}) == {
            "customer": {"uuid": created.uuid, "name": "Ada"}
        }
