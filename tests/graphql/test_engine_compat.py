"""The private and version-specific names app/graphql/engine/_compat.py uses still look as they did.

An upgrade of graphql-core or Strawberry that moves one of them fails here, naming it, instead of
changing answers (or only the fast path's answers) in production.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import graphql
import pytest
import strawberry
from graphql import GraphQLSchema, parse

from app.graphql.engine import _compat

UPGRADE_HINT = (
    "review app/graphql/engine/_compat.py and app/graphql/engine/executors.py against the new release, "
    "then update this test and PINNED_VERSIONS"
)

SIGNATURES: list[tuple[str, Callable[..., Any], list[str]]] = [
    (
        "graphql-core Executor.__init__",
        _compat.Executor.__init__,
        [
            "self", "schema", "fragment_definitions", "fragments", "root_value", "context_value",
            "operation", "variable_values", "field_resolver", "type_resolver", "subscribe_field_resolver",
            "enable_early_execution", "middleware_manager", "is_awaitable", "is_async_iterable",
            "hide_suggestions", "abort_signal", "hooks",
        ],
    ),
    (
        "graphql-core Executor.execute_fields",
        _compat.Executor.execute_fields,
        ["self", "parent_type", "source_value", "path", "grouped_field_set", "position_context"],
    ),
    (
        "graphql-core Executor.collect_subfields",
        _compat.Executor.collect_subfields,
        ["self", "return_type", "field_details_list"],
    ),
    (
        "graphql-core Executor.complete_value",
        _compat.Executor.complete_value,
        ["self", "return_type", "field_details_list", "info", "path", "result", "position_context"],
    ),
    (
        "graphql-core Executor.build_resolve_info",
        _compat.Executor.build_resolve_info,
        ["self", "field_def", "field_nodes", "parent_type", "path"],
    ),
    (
        "Strawberry StrawberryGraphQLCoreExecutionContext.build_resolve_info",
        _compat.StrawberryResolveInfo.build_resolve_info,
        ["self", "field_def", "field_nodes", "parent_type", "path"],
    ),
    (
        "graphql-core Executor.handle_field_error",
        _compat.Executor.handle_field_error,
        ["self", "raw_error", "return_type", "field_details_list", "path"],
    ),
    (
        "graphql-core Executor.settle_in_background",
        _compat.Executor.settle_in_background,
        ["self", "awaitables"],
    ),
    ("graphql-core pyutils.gather_with_cancel", _compat.gather_with_cancel, ["awaitables"]),
    ("graphql-core executor.to_nodes", _compat.to_nodes, ["field_details_list"]),
    (
        "graphql-core values.get_argument_values",
        _compat.get_argument_values,
        ["type_def", "node", "variable_values", "fragment_variable_values", "hide_suggestions"],
    ),
    (
        "Strawberry schema.validate_document",
        _compat.validate_document,
        ["schema", "document", "validation_rules"],
    ),
    ("Strawberry get_operation_type", _compat.get_operation_type, ["graphql_document", "operation_name"]),
    (
        "Strawberry InvalidOperationTypeError.as_http_error_reason",
        _compat.InvalidOperationTypeError.as_http_error_reason,
        ["self", "method"],
    ),
    (
        "Strawberry CannotGetOperationTypeError.__init__",
        _compat.CannotGetOperationTypeError.__init__,
        ["self", "operation_name"],
    ),
]  # fmt: skip


@pytest.mark.parametrize("package", sorted(_compat.PINNED_VERSIONS))
def test_the_installed_versions_are_the_pinned_ones(package: str) -> None:
    installed, pinned = version(package), _compat.PINNED_VERSIONS[package]
    assert installed == pinned, f"{package} is {installed}, the engine knows {pinned}: {UPGRADE_HINT}"


@pytest.mark.parametrize(("name", "function", "expected"), SIGNATURES, ids=[entry[0] for entry in SIGNATURES])
def test_signatures_are_the_ones_the_engine_calls(
    name: str, function: Callable[..., Any], expected: list[str]
) -> None:
    found = list(inspect.signature(function).parameters)
    assert found == expected, (
        f"{name} changed: expected ({', '.join(expected)}), got ({', '.join(found)}): {UPGRADE_HINT}"
    )


def test_graphql_core_execute_takes_an_executor_class_and_passes_other_keywords_on() -> None:
    parameters = inspect.signature(_compat.execute).parameters
    assert "executor_class" in parameters, f"graphql.execute lost `executor_class`: {UPGRADE_HINT}"
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()), UPGRADE_HINT
    assert "max_tokens" in inspect.signature(graphql.parse).parameters, UPGRADE_HINT


def test_collected_fields_and_field_details_have_the_fields_the_fast_executor_reads() -> None:
    assert _compat.FieldDetails._fields == ("node", "defer_usage", "fragment_variable_values"), UPGRADE_HINT
    assert _compat.CollectedFields._fields[:2] == ("grouped_field_set", "new_defer_usages"), UPGRADE_HINT


def test_strawberry_executor_is_a_graphql_core_executor() -> None:
    assert issubclass(_compat.StrawberryExecutor, _compat.Executor), UPGRADE_HINT


def test_an_executor_has_the_attributes_the_fast_executor_reads() -> None:
    schema = graphql.build_schema("type Query { a: String }")
    executor = _compat.Executor.build(schema, parse("{ a }"))
    assert isinstance(executor, _compat.Executor)
    for attribute in ("middleware_manager", "variable_values", "hide_suggestions", "context_value", "schema"):
        assert hasattr(executor, attribute), f"Executor.{attribute} is gone: {UPGRADE_HINT}"
    assert callable(executor.is_awaitable)


@strawberry.type(description="A plain field and a resolver field, for reading what Strawberry builds.")
class Probe:
    plain: str

    @strawberry.field
    def computed(self) -> str:
        return self.plain


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def probe(self, info: strawberry.Info) -> Probe:
        raw = _compat.raw_info(info)
        assert raw.field_nodes[0].name.value == "probe", UPGRADE_HINT
        assert raw.fragments == {}, UPGRADE_HINT
        return Probe(plain="x")


def test_strawberry_internals_the_field_plans_read() -> None:
    schema = strawberry.Schema(query=ProbeQuery)
    graphql_schema = _compat.graphql_schema(schema)
    assert isinstance(graphql_schema, GraphQLSchema), UPGRADE_HINT
    probe_type = graphql_schema.get_type("Probe")
    assert probe_type is not None
    plain, computed = probe_type.fields["plain"], probe_type.fields["computed"]  # type: ignore[attr-defined]
    assert _compat.is_default_resolver(plain), f"Strawberry no longer marks default resolvers: {UPGRADE_HINT}"
    assert not _compat.is_default_resolver(computed), UPGRADE_HINT
    plain_definition = _compat.strawberry_field(plain)
    computed_definition = _compat.strawberry_field(computed)
    assert plain_definition is not None and computed_definition is not None, UPGRADE_HINT
    assert plain_definition.python_name == "plain"
    assert _compat.resolver_function(plain_definition) is None
    function = _compat.resolver_function(computed_definition)
    assert function is not None and function.__name__ == "computed", UPGRADE_HINT
    assert plain_definition.extensions == [] and plain_definition.permission_classes == [], UPGRADE_HINT
    assert _compat.uses_default_attribute_resolver(schema), UPGRADE_HINT
    assert _compat.schema_extensions(schema) == []


def test_strawberry_info_wraps_graphql_core_resolve_info() -> None:
    result = strawberry.Schema(query=ProbeQuery).execute_sync("{ probe { plain } }")
    assert result.errors is None, result.errors
    assert result.data == {"probe": {"plain": "x"}}
