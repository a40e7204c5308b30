"""The engine's promises: permission checks and field extensions are never skipped, schema extensions
are refused, the schema still runs Strawberry's own way, plans belong to an engine, the mode setting."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import strawberry
from graphql import FieldNode, GraphQLError, GraphQLObjectType, ValidationRule
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import BasePermission

from app.auth import ALL_SCOPES, Principal
from app.graphql.context import GraphQLContext
from app.graphql.engine import EngineMode, GraphQLEngine, UnsupportedSchema
from app.graphql.engine.engine import OperationResult
from app.graphql.engine.executors import FastExecutor, StockExecutor
from app.graphql.engine.plans import FieldPlans, Leaf
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings, load_settings

MODES = [mode.value for mode in EngineMode]


class Denied(BasePermission):
    """Refuses every access."""

    message = "not for you"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


class Shout(FieldExtension):
    """Upper-cases a field's value (a field extension on a plain field)."""

    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type(description="Plain fields with and without checks.")
class Item:
    label: str
    secret: str = strawberry.field(permission_classes=[Denied])
    loud: str = strawberry.field(extensions=[Shout()])


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def item(self) -> Item:
        return Item(label="plain", secret="s3cret", loud="quiet")


def probe_engine(mode: str, settings: Settings | None = None) -> GraphQLEngine:
    return GraphQLEngine(strawberry.Schema(query=ProbeQuery), settings or Settings(), mode=mode)


async def run(engine: GraphQLEngine, query: str, context: Any = None) -> OperationResult:
    return await engine.execute(engine.prepare(query), variables=None, operation_name=None, context=context)


@pytest.mark.parametrize("mode", MODES)
async def test_a_permission_class_on_a_plain_field_is_honoured(mode: str) -> None:
    engine = probe_engine(mode)

    result = await run(engine, "{ item { label secret } }")

    assert result.data is None  # `secret` is non-null: its error nulls the item, then the root
    assert [error.message for error in result.errors] == ["not for you"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_field_extension_on_a_plain_field_runs(mode: str) -> None:
    result = await run(probe_engine(mode), "{ item { label loud } }")

    assert result.errors == []
    assert result.data == {"item": {"label": "plain", "loud": "QUIET"}}


def test_checked_fields_get_no_fast_path_and_plain_ones_do() -> None:
    engine = probe_engine("fast")
    item = engine.graphql_schema.get_type("Item")
    assert isinstance(item, GraphQLObjectType)

    assert isinstance(engine.field_plans.get(item, "label"), Leaf)
    assert engine.field_plans.get(item, "secret") is None
    assert engine.field_plans.get(item, "loud") is None


class NoSecrets(ValidationRule):
    """An extra document check: refuses any selection of a field called `secret`."""

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value == "secret":
            self.report_error(GraphQLError("`secret` is off limits", node))


@pytest.mark.parametrize("mode", MODES)
async def test_extra_validation_rules_refuse_documents_before_execution(mode: str) -> None:
    schema = strawberry.Schema(query=ProbeQuery)
    engine = GraphQLEngine(schema, Settings(), mode=mode, extra_rules=[NoSecrets])

    refused = await run(engine, "{ item { label secret } }")
    accepted = await run(engine, "{ item { label } }")

    assert not refused.executed
    assert [error.message for error in refused.errors] == ["`secret` is off limits"]
    assert accepted.data == {"item": {"label": "plain"}}


class Recording(SchemaExtension):
    """A schema extension: its hooks would run around every operation under Schema.execute."""

    def on_execute(self) -> Any:
        yield


def test_a_schema_with_extensions_is_refused_at_start() -> None:
    schema = strawberry.Schema(query=ProbeQuery, extensions=[Recording])

    with pytest.raises(UnsupportedSchema, match=r"schema extensions .*found: Recording"):
        GraphQLEngine(schema, Settings())


def test_plans_belong_to_an_engine() -> None:
    first, second = probe_engine("fast"), probe_engine("fast")
    item = first.graphql_schema.get_type("Item")
    assert isinstance(item, GraphQLObjectType)

    first.field_plans.get(item, "label")

    assert first.field_plans is not second.field_plans
    assert first.field_plans._plans and not second.field_plans._plans
    for holder in (GraphQLEngine, FastExecutor, StockExecutor, FieldPlans):
        mutable = [name for name, value in vars(holder).items() if isinstance(value, dict | list | set)]
        assert mutable == [], f"{holder.__name__} keeps state in class attributes: {mutable}"


async def test_schema_execute_runs_the_gateways_schema(services: Services, merchant: Merchant) -> None:
    from app.graphql.schema import schema

    customer = await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
    context = GraphQLContext.for_request(
        Principal(merchant_id=merchant.id, scopes=ALL_SCOPES),
        services.customers,
        services.idempotency,
        events=services.events,
        webhooks=services.webhooks,
    )

    result = await schema.execute(
        "query($uuid: ID!) { customer(uuid: $uuid) { uuid name paymentMethods { id } } }",
        variable_values={"uuid": customer.uuid},
        context_value=context,
    )

    assert result.errors is None, result.errors
    assert result.data == {"customer": {"uuid": customer.uuid, "name": "Ada", "paymentMethods": []}}


def test_schema_execute_sync_runs_the_gateways_schema() -> None:
    from app.graphql.schema import schema

    result = schema.execute_sync('{ __typename __type(name: "Customer") { name } }')

    assert result.errors is None, result.errors
    assert result.data == {"__typename": "Query", "__type": {"name": "Customer"}}


def test_the_mode_comes_from_the_setting() -> None:
    assert load_settings({}).graphql_engine == "fast"
    assert load_settings({"GATEWAY_GRAPHQL_ENGINE": "Stock"}).graphql_engine == "stock"
    with pytest.raises(SystemExit, match="GATEWAY_GRAPHQL_ENGINE must be one of fast, stock"):
        load_settings({"GATEWAY_GRAPHQL_ENGINE": "turbo"})
    assert probe_engine("stock").mode is EngineMode.STOCK
    stock_settings = replace(Settings(), graphql_engine="stock")
    from_settings = GraphQLEngine(strawberry.Schema(query=ProbeQuery), stock_settings)
    assert from_settings.mode is EngineMode.STOCK
