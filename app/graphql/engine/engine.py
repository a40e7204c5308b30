"""The GraphQL engine: how /graphql runs an operation on the schema Strawberry built.

    prepare: parse (token limit) -> validation (graphql-core's rules, Strawberry's, our depth, alias,
             introspection-depth and cost limits, the client-text rule, and any extra rules given) ->
             each operation's cost -> kept in a bounded cache;
    execute: operation type (UnrunnableOperation when absent or not allowed) -> execution under the
             per-request deadline, with the executor of the engine's mode.

Why not Strawberry's `Schema.execute`: per request it builds an execution context, every extension's
hook contexts and a middleware manager, and parses again; that pipeline was over a third of a
`customer(uuid)` query's cost (scripts/bench). Strawberry still builds the schema, its resolvers and
their `Info`, and `Schema.execute` keeps working for Strawberry-style tests; only /graphql's pipeline is
ours. Schema extensions are refused at start-up rather than silently skipped: this pipeline has no
place that would run their hooks.

Modes (`GATEWAY_GRAPHQL_ENGINE`): `fast` (default) answers the simplest reads directly
(app/graphql/engine/direct.py) and runs everything else on the fast executor; `stock` runs Strawberry's own
execution context, no shortcuts. Both answer identically (tests/graphql runs in both modes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import strawberry
from graphql import GraphQLError, specified_rules
from graphql.validation import ASTValidationRule

from app.graphql.cost import cost_limit_rule
from app.graphql.engine._compat import (
    MaxIntrospectionDepthRule,
    OperationType,
    execute_document,
    graphql_schema,
    is_awaitable,
    no_operation_reason,
    operation_not_allowed_reason,
    schema_extensions,
    uses_default_attribute_resolver,
)
from app.graphql.engine.deadline import Deadline, DeadlineExceeded
from app.graphql.engine.direct import DirectPlan, direct_plan
from app.graphql.engine.documents import DocumentCache, PreparedDocument
from app.graphql.engine.executors import FastExecutor, StockExecutor
from app.graphql.engine.plans import NO_SHORTCUT, FieldPlans
from app.graphql.errors import is_unexpected
from app.graphql.limits import alias_limit_rule, depth_limit_rule
from app.graphql.text_rule import AcceptableTextRule
from app.settings import Settings

logger = logging.getLogger("app.graphql")

ALLOWED_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})


class EngineMode(StrEnum):
    """Which executor runs operations."""

    FAST = "fast"
    STOCK = "stock"


class UnsupportedSchema(Exception):
    """The schema asks for something the engine cannot honour (raised when the engine is built)."""


class UnrunnableOperation(Exception):
    """The request names no operation the endpoint may run (answered with HTTP 400)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OperationResult:
    """What one operation produced; `executed` is False when it stopped before any resolver ran."""

    data: dict[str, Any] | None
    errors: list[GraphQLError]
    executed: bool


class GraphQLEngine:
    """Prepares and executes operations on one Strawberry schema, with the limits of `settings`."""

    def __init__(
        self,
        schema: strawberry.Schema,
        settings: Settings,
        *,
        mode: EngineMode | str | None = None,
        extra_rules: Sequence[type[ASTValidationRule]] = (),
    ) -> None:
        extensions = schema_extensions(schema)
        if extensions:
            raise UnsupportedSchema(
                "the GraphQL engine does not run Strawberry schema extensions or custom directives "
                f"(found: {', '.join(extensions)}); express the check "
                "as a validation rule (extra_rules=...) or in the resolvers instead"
            )
        self.mode = EngineMode(mode if mode is not None else settings.graphql_engine)
        self.schema = schema
        self.graphql_schema = graphql_schema(schema)
        self.deadline_ms = settings.graphql_deadline_ms
        rules = (
            *specified_rules,
            depth_limit_rule(settings.graphql_max_depth),
            MaxIntrospectionDepthRule,
            alias_limit_rule(settings.graphql_max_aliases),
            cost_limit_rule(settings.graphql_max_cost),
            AcceptableTextRule,
            *extra_rules,
        )
        self.documents = DocumentCache(self.graphql_schema, rules, max_tokens=settings.graphql_max_tokens)
        # Owned by this engine: what the fast executor worked out about each field of the schema.
        self.field_plans = FieldPlans(
            self.graphql_schema, leaves_allowed=uses_default_attribute_resolver(schema)
        )

    def prepare(self, query: str) -> PreparedDocument:
        """The query text parsed and validated, from the cache when it was seen recently."""
        return self.documents.prepare(query)

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
            return _stopped(prepared.errors)
        operation_type = prepared.operation_type(operation_name)
        if operation_type is None:
            raise UnrunnableOperation(no_operation_reason(operation_name))
        if operation_type not in allowed:
            raise UnrunnableOperation(operation_not_allowed_reason(operation_type, "POST"))
        if prepared.errors:
            return _stopped(prepared.errors)
        deadline = Deadline(self.deadline_ms)
        executor: dict[str, Any]
        if self.mode is EngineMode.FAST:
            executor = {
                "executor_class": FastExecutor,
                "field_plans": self.field_plans,
                "plans": prepared.plans,
            }
        else:
            executor = {"executor_class": StockExecutor}
        try:
            if executor.get("plans") is not None:
                direct = self._direct_plan(prepared, operation_name)
                if direct is not None:
                    data = await _within(deadline, direct.answer(context, variables))
                    if data is not NO_SHORTCUT and not deadline.expired:
                        return OperationResult(data, [], executed=True)
            result = execute_document(
                self.graphql_schema,
                document,
                context=context,
                variables=variables,
                operation_name=operation_name,
                deadline=deadline,
                **executor,
            )
            if is_awaitable(result):
                result = await _within(deadline, result)
        except DeadlineExceeded:
            deadline.expired = True
        if deadline.expired:
            logger.warning("GraphQL operation stopped at its deadline of %d ms", self.deadline_ms)
            return OperationResult(None, [deadline.error()], executed=True)
        errors = list(result.errors or ())
        _log_unexpected(errors)
        return OperationResult(result.data, errors, executed=True)

    def _direct_plan(self, prepared: PreparedDocument, operation_name: str | None) -> DirectPlan | None:
        """The operation's direct plan (app/graphql/engine/direct.py), worked out once per document."""
        plans = prepared.plans
        assert plans is not None and prepared.document is not None
        try:
            return plans.direct[operation_name]
        except KeyError:
            plan = direct_plan(self.graphql_schema, self.field_plans, prepared.document, operation_name)
            plans.direct[operation_name] = plan
            return plan


async def _within(deadline: Deadline, pending: Any) -> Any:
    """Await `pending`, cancelling it when the deadline passes (DeadlineExceeded then).

    A bare timer on the loop rather than `asyncio.timeout`: this runs for every operation, and the timer
    costs a quarter of what the context manager does.
    """
    task = asyncio.current_task()
    assert task is not None  # only ever awaited from a request's task

    def expire() -> None:
        deadline.expired = True
        task.cancel()

    timer = asyncio.get_running_loop().call_later(deadline.remaining_seconds(), expire)
    try:
        return await pending
    except asyncio.CancelledError:
        if not deadline.expired:
            raise  # cancelled from outside (a client gone, a shutdown): not ours to swallow
        task.uncancel()
        raise DeadlineExceeded(f"deadline of {deadline.milliseconds} ms passed") from None
    finally:
        timer.cancel()


def _stopped(errors: tuple[GraphQLError, ...]) -> OperationResult:
    errors_list = list(errors)
    _log_unexpected(errors_list)
    return OperationResult(None, errors_list, executed=False)


def _log_unexpected(errors: list[GraphQLError]) -> None:
    """Log only unexpected errors (with their traceback); client mistakes are not server problems."""
    for error in errors:
        if is_unexpected(error):
            logger.error("GraphQL resolver failed at %s", error.path, exc_info=error.original_error)
