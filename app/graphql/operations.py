"""How /graphql runs an operation: each query text is parsed and validated once, then executed on
graphql-core with the schema Strawberry built.

Why not Strawberry's `Schema.execute`: per request it builds an execution-context object, every
extension's hook contexts and a middleware manager, and the replay check and the parser each parsed the
document again; that pipeline was over a third of a `customer(uuid)` query's cost (scripts/bench).
Strawberry still builds the schema, its resolvers and their `Info`; only the pipeline is ours:

    parse (token limit) -> operation type (400 when absent or not allowed) -> validation (graphql-core's
    rules, Strawberry's, and our depth, alias and introspection-depth limits) -> execution.

A syntax or validation error is an answer with `errors` and no `data`, as the GraphQL spec asks.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, parse, specified_rules
from graphql import execute as graphql_execute
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_operation_type

from app.graphql.cost import cost_limit_rule, operation_costs
from app.graphql.errors import is_unexpected
from app.graphql.execution import DocumentPlans, FastFieldsExecutionContext
from app.graphql.limits import alias_limit_rule, depth_limit_rule
from app.graphql.text_rule import AcceptableTextRule
from app.settings import Settings

logger = logging.getLogger("app.graphql")

# Distinct query texts kept parsed and validated; bounded so unique texts cannot grow memory.
CACHE_SIZE = 256
ALLOWED_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})


class UnrunnableOperation(Exception):
    """The request names no operation the endpoint may run (answered with HTTP 400)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, eq=False)
class PreparedDocument:
    """One query text, parsed and validated: `document` is None when it did not parse.

    `plans` is what executions of the document learn and keep for the next ones (app/graphql/execution.py);
    `costs` what each operation of a valid document costs, by name (app/graphql/cost.py).
    """

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    plans: DocumentPlans | None = None
    costs: Mapping[str | None, int] = field(default_factory=dict)

    def operation_type(self, operation_name: str | None) -> OperationType | None:
        """The type of the operation a request would run (the first one when no name is given)."""
        if self.document is None:
            return None
        try:
            return get_operation_type(self.document, operation_name)
        except RuntimeError:  # no such operation
            return None

    def cost(self, operation_name: str | None) -> int | None:
        """What the operation a request would run costs; None when the document has no such operation."""
        if operation_name is None and len(self.costs) == 1:
            return next(iter(self.costs.values()))
        return self.costs.get(operation_name)

    def is_mutation(self, operation_name: str | None) -> bool:
        """True when the request would run a mutation (signed writes are accepted once)."""
        return self.operation_type(operation_name) == OperationType.MUTATION


@dataclass(frozen=True)
class OperationResult:
    """What one operation produced; `executed` is False when it stopped before any resolver ran."""

    data: dict[str, Any] | None
    errors: list[GraphQLError]
    executed: bool


class OperationRunner:
    """Prepares and executes operations on one Strawberry schema, with the limits of `settings`."""

    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        self.graphql_schema = schema._schema
        self.executor_class = schema.execution_context_class
        self.keeps_plans = issubclass(self.executor_class or object, FastFieldsExecutionContext)
        self.max_tokens = settings.graphql_max_tokens
        # Built once: rebuilding rules per request is what made Strawberry's validation cache miss.
        self.rules = (
            *specified_rules,
            depth_limit_rule(settings.graphql_max_depth),
            MaxIntrospectionDepthRule,
            alias_limit_rule(settings.graphql_max_aliases),
            cost_limit_rule(settings.graphql_max_cost),
            AcceptableTextRule,
        )
        self._prepared: OrderedDict[str, PreparedDocument] = OrderedDict()

    def prepare(self, query: str) -> PreparedDocument:
        """The query text parsed and validated, from the cache when it was seen recently."""
        prepared = self._prepared.get(query)
        if prepared is not None:
            self._prepared.move_to_end(query)
            return prepared
        prepared = self._parse_and_validate(query)
        self._prepared[query] = prepared
        if len(self._prepared) > CACHE_SIZE:
            self._prepared.popitem(last=False)
        return prepared

    def _parse_and_validate(self, query: str) -> PreparedDocument:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as error:
            return PreparedDocument(None, (error,))
        except Exception as error:  # e.g. nesting deeper than Python's recursion limit
            return PreparedDocument(None, (GraphQLError(str(error), original_error=error),))
        errors = validate_document(self.graphql_schema, document, self.rules)
        if errors:
            return PreparedDocument(document, tuple(errors))
        costs = operation_costs(self.graphql_schema, document)
        return PreparedDocument(document, (), DocumentPlans(document), costs)

    async def execute(
        self,
        prepared: PreparedDocument,
        *,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Any,
        allowed: Iterable[OperationType] = ALLOWED_OPERATIONS,
    ) -> OperationResult:
        """Run the operation; UnrunnableOperation when there is none to run or its type is not allowed."""
        document = prepared.document
        if document is None:
            return self._stopped(prepared.errors)
        operation_type = prepared.operation_type(operation_name)
        if operation_type is None:
            raise UnrunnableOperation(CannotGetOperationTypeError(operation_name).as_http_error_reason())
        if operation_type not in allowed:
            raise UnrunnableOperation(InvalidOperationTypeError(operation_type).as_http_error_reason("POST"))
        if prepared.errors:
            return self._stopped(prepared.errors)
        result = graphql_execute(
            self.graphql_schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            executor_class=self.executor_class,
            is_awaitable=optimized_is_awaitable,
            **({"plans": prepared.plans} if self.keeps_plans else {}),
        )
        if optimized_is_awaitable(result):
            result = await result
        errors = list(result.errors or ())
        _log_unexpected(errors)
        return OperationResult(result.data, errors, executed=True)

    @staticmethod
    def _stopped(errors: tuple[GraphQLError, ...]) -> OperationResult:
        errors_list = list(errors)
        _log_unexpected(errors_list)
        return OperationResult(None, errors_list, executed=False)


def _log_unexpected(errors: list[GraphQLError]) -> None:
    """Log only unexpected errors (with their traceback); client mistakes are not server problems."""
    for error in errors:
        if is_unexpected(error):
            logger.error("GraphQL resolver failed at %s", error.path, exc_info=error.original_error)
