"""The one module that touches private or version-specific names of graphql-core and Strawberry.

Why one module: the engine subclasses graphql-core's executor (whose methods are documented as not
public), calls helpers graphql-core keeps module-private, and reads Strawberry internals (its resolve-info
builder, the marker of its default resolvers, the graphql-core schema it builds). Every one of those
changed between graphql-core 3.2.8 and 3.3.2. Keeping them here means an upgrade breaks in one place,
and tests/graphql/test_engine_compat.py checks each name's signature against the pinned versions, so
the break is a failed test naming what moved, not a wrong answer in production.

Nothing else in the application imports graphql-core's executor internals or Strawberry's private names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, cast

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    VariableDefinitionNode,
)
from graphql.execution import Executor, execute
from graphql.execution.collect_fields import CollectedFields, FieldDetails
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.pyutils import gather_with_cancel
from graphql.validation import ASTValidationRule, MaxIntrospectionDepthRule
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, validate_document
from strawberry.types.field import StrawberryField
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_operation_type

# The versions the names below were read from (the compat test fails on any other).
PINNED_VERSIONS = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}

# Strawberry's own execution context: graphql-core's incremental executor building Strawberry's `Info`.
StrawberryExecutor = StrawberryGraphQLCoreExecutionContext


class StrawberryResolveInfo:
    """Mixin for a plain graphql-core `Executor`: resolvers receive the resolve info Strawberry's `Info`
    wraps (Strawberry's builder, borrowed; it reads `operation_extensions`, which /graphql never offers)."""

    build_resolve_info: Any = StrawberryGraphQLCoreExecutionContext.build_resolve_info
    operation_extensions: dict[str, Any] | None = None


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry built."""
    return schema._schema


def schema_extensions(schema: strawberry.Schema) -> list[str]:
    """The names of the schema extensions `Schema.execute` would run (custom directives are run by one)."""
    names = [getattr(extension, "__name__", type(extension).__name__) for extension in schema.extensions]
    names.extend(f"@{directive.graphql_name or directive.python_name}" for directive in schema.directives)
    return names


def uses_default_attribute_resolver(schema: strawberry.Schema) -> bool:
    """True when Strawberry resolves plain fields with `getattr` (what the leaf fast path does)."""
    return schema.config.default_resolver is getattr


def strawberry_field(field_def: GraphQLField) -> StrawberryField | None:
    """The Strawberry definition a graphql-core field was built from."""
    definition = (field_def.extensions or {}).get("strawberry-definition")
    return definition if isinstance(definition, StrawberryField) else None


def is_default_resolver(field_def: GraphQLField) -> bool:
    """True when Strawberry marked the field's resolver as its attribute-reading default."""
    return bool(getattr(field_def.resolve, "_is_default", False))


def resolver_function(definition: StrawberryField) -> Callable[..., Any] | None:
    """The function a Strawberry field was declared with (None for plain attribute fields)."""
    resolver = definition.base_resolver
    return None if resolver is None else cast("Callable[..., Any]", resolver.wrapped_func)


def raw_info(info: strawberry.Info[Any, Any]) -> GraphQLResolveInfo:
    """graphql-core's resolve info behind a Strawberry `Info` (field nodes, fragments)."""
    return info._raw_info


def coerce_arguments(executor: Executor, field_def: GraphQLField, details: FieldDetails) -> dict[str, Any]:
    """A field's arguments as graphql-core's general path coerces them (GraphQL names, defaults applied)."""
    return get_argument_values(
        field_def,
        details.node,
        executor.variable_values,
        details.fragment_variable_values,
        executor.hide_suggestions,
    )


def coerce_root_arguments(
    schema: GraphQLSchema,
    variable_definitions: Collection[VariableDefinitionNode],
    field_def: GraphQLField,
    node: FieldNode,
    variables: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """A root field's arguments as graphql-core's executor coerces them from the request's variables;
    None when the variables or the arguments do not coerce (the executor then reports why)."""
    try:
        coerced = get_variable_values(schema, variable_definitions, variables or {}, max_errors=1)
        if isinstance(coerced, list):
            return None
        return get_argument_values(field_def, node, coerced)
    except Exception:
        return None


def is_of_type(object_type: GraphQLObjectType, value: Any) -> bool:
    """graphql-core's check that a value completes to `object_type` (Strawberry's check of a type's
    Python class, which reads nothing of the resolve info it is given)."""
    check = object_type.is_type_of
    return True if check is None else bool(check(value, cast(Any, None)))


def field_nodes(details_list: list[FieldDetails]) -> list[FieldNode]:
    """The field nodes of one response key (what resolve info carries)."""
    return to_nodes(details_list)


def execute_document(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    executor_class: type[Executor],
    context: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    **executor_arguments: Any,
) -> Any:
    """graphql-core's `execute` with our executor class; extra keywords go to the executor's constructor."""
    return execute(
        schema,
        document,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        executor_class=executor_class,
        is_awaitable=cast(Any, optimized_is_awaitable),
        **executor_arguments,
    )


def is_awaitable(value: Any) -> bool:
    """Strawberry's fast awaitable check (graphql-core's default one is slower)."""
    return optimized_is_awaitable(value)


def validate(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[Any]:
    """graphql-core's validation with the given rules plus the rules Strawberry adds (oneOf, Maybe)."""
    return validate_document(schema, document, rules)


def operation_type(document: DocumentNode, operation_name: str | None) -> OperationType | None:
    """The type of the operation a request would run (the first one without a name); None when absent."""
    try:
        return get_operation_type(document, operation_name)
    except RuntimeError:  # no such operation
        return None


def no_operation_reason(operation_name: str | None) -> str:
    """Strawberry's wording for a request naming no runnable operation."""
    return CannotGetOperationTypeError(operation_name).as_http_error_reason()


def operation_not_allowed_reason(kind: OperationType, method: str) -> str:
    """Strawberry's wording for an operation type the endpoint does not run."""
    return InvalidOperationTypeError(kind).as_http_error_reason(method)


__all__ = [
    "PINNED_VERSIONS",
    "CollectedFields",
    "Executor",
    "FieldDetails",
    "MaxIntrospectionDepthRule",
    "OperationType",
    "StrawberryExecutor",
    "StrawberryResolveInfo",
    "coerce_arguments",
    "coerce_root_arguments",
    "execute_document",
    "field_nodes",
    "gather_with_cancel",
    "graphql_schema",
    "is_awaitable",
    "is_default_resolver",
    "is_of_type",
    "no_operation_reason",
    "operation_not_allowed_reason",
    "operation_type",
    "raw_info",
    "resolver_function",
    "schema_extensions",
    "strawberry_field",
    "uses_default_attribute_resolver",
    "validate",
]
