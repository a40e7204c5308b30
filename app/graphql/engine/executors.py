"""The two executors the engine can run an operation with, both checking the execution deadline.

- `StockExecutor`: Strawberry's own execution context (graphql-core's incremental executor with
  Strawberry's resolve info), unchanged but for the deadline check. The reference the fast one is
  compared with.
- `FastExecutor`: graphql-core's plain `Executor` with Strawberry's resolve info and the fast paths of
  app/graphql/engine/plans.py.

Why a fast path at all: a page of 50 customers with their cards resolves ~850 fields, and graphql-core's
general path builds a path entry, a resolve-info object and an argument dict for each one, and Strawberry
converts arguments and wraps every resolver call on top; that was most of a page's cost (scripts/bench).
Every field without a plan, and every value that would need an error (null for a non-null field, a value
that does not serialise, a hook that cannot answer), goes through graphql-core's own path, so results and
errors are exactly what the general path gives.

The fast one is the plain `Executor`, not Strawberry's incremental one (for `@defer`/`@stream`, which
this schema does not offer), whose per-request set-up was ~8% of `customer(uuid)`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from time import monotonic
from typing import Any, cast

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType
from graphql.pyutils import Path

from app.graphql.engine._compat import (
    Executor,
    FieldDetails,
    StrawberryExecutor,
    StrawberryResolveInfo,
    coerce_arguments,
    field_nodes,
    gather_with_cancel,
)
from app.graphql.engine.deadline import Deadline
from app.graphql.engine.plans import NO_SHORTCUT, DocumentPlans, FieldPlans, Leaf, Shortcut


class StockExecutor(StrawberryExecutor):
    """Strawberry's execution context with the deadline checked at every selection set."""

    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: dict[str, Any],
        position_context: Any,
    ) -> Any:
        """graphql-core's field execution, once the deadline has been checked."""
        self.deadline.check()
        return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)


class _ShortcutCall:
    __slots__ = ("args", "field_def", "hook", "list_type")

    def __init__(self, hook: Shortcut, field_def: Any, args: dict[str, Any], list_type: bool) -> None:
        self.hook, self.field_def, self.args, self.list_type = hook, field_def, args, list_type


class FastExecutor(StrawberryResolveInfo, Executor):
    """graphql-core's executor, with Strawberry's resolve info, the fast paths and the deadline."""

    def __init__(
        self,
        *args: Any,
        field_plans: FieldPlans,
        deadline: Deadline,
        plans: DocumentPlans | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        self._expires_at = deadline.expires_at
        self._field_plans = field_plans
        # Middleware must see every field, so its presence turns the fast paths off.
        manager = self.middleware_manager
        self._fast = manager is None or not manager.middlewares
        self._document_plans = plans if plans is not None and plans.reusable else None
        # Per execution: compiled plans of grouped field sets the document plans do not own (the root's),
        # and shortcut arguments (they may come from this execution's variables).
        self._compiled_sets: dict[int, tuple[dict[str, Any], list[Any]]] = {}
        self._shortcut_calls: dict[int, _ShortcutCall | None] = {}
        self._query_type = self.schema.query_type

    def collect_subfields(self, return_type: GraphQLObjectType, field_details_list: Any) -> Any:
        """graphql-core's collection, kept with the document when it cannot depend on variables."""
        plans = self._document_plans
        if plans is None or any(
            details.defer_usage is not None or details.fragment_variable_values is not None
            for details in field_details_list
        ):
            return super().collect_subfields(return_type, field_details_list)
        key = (return_type.name, tuple(id(details.node) for details in field_details_list))
        collected = plans.subfields.get(key)
        if collected is None:
            collected = super().collect_subfields(return_type, field_details_list)
            if collected.new_defer_usages:  # incremental delivery plans per execution
                return collected
            plans.subfields[key] = collected
            grouped = collected.grouped_field_set
            plans.compiled[id(grouped)] = (grouped, None)
        return collected

    def _shortcut_value(
        self,
        call: _ShortcutCall,
        parent_type: GraphQLObjectType,
        source: Any,
        response_name: str,
        details: list[FieldDetails],
        path: Any,
        position: Any,
    ) -> Any:
        try:
            value = call.hook(source, self.context_value, call.args)
            if value is NO_SHORTCUT:
                return NO_SHORTCUT
            if self.is_awaitable(value):
                if parent_type is not self._query_type:
                    # Only a query's root field may be answered again by the general path (a read).
                    getattr(value, "close", lambda: None)()
                    return NO_SHORTCUT
                return self._awaited_shortcut(
                    call, parent_type, source, response_name, details, path, position, value
                )
            if call.list_type and isinstance(value, list) and not value:
                return []  # an empty list completes to itself (most customers of a page have no cards)
            field_path = Path(path, response_name, parent_type.name)
            info = self.build_resolve_info(call.field_def, field_nodes(details), parent_type, field_path)
            completed = self.complete_value(call.field_def.type, details, info, field_path, value, position)
        except Exception:
            return NO_SHORTCUT
        if self.is_awaitable(completed):
            # only synchronous completions are taken; the general path redoes it
            getattr(completed, "close", lambda: None)()
            return NO_SHORTCUT
        return completed

    async def _awaited_shortcut(
        self,
        call: _ShortcutCall,
        parent_type: GraphQLObjectType,
        source: Any,
        response_name: str,
        details: list[FieldDetails],
        path: Any,
        position: Any,
        pending: Awaitable[Any],
    ) -> Any:
        """A query root field whose hook answered with an awaitable: awaited and completed as
        graphql-core completes an awaited resolver value; if the hook fails or cannot answer, the
        general path runs the field again and reports what went wrong, where it went wrong."""
        try:
            value = await pending
        except Exception:
            value = NO_SHORTCUT
        if value is NO_SHORTCUT:
            results = super().execute_fields(parent_type, source, path, {response_name: details}, position)
            if self.is_awaitable(results):
                results = await cast(Awaitable[dict[str, Any]], results)
            return cast(dict[str, Any], results)[response_name]
        field_path = Path(path, response_name, parent_type.name)
        field_type = call.field_def.type
        try:
            info = self.build_resolve_info(call.field_def, field_nodes(details), parent_type, field_path)
            completed = self.complete_value(field_type, details, info, field_path, value, position)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, field_path)
            return None
        return completed

    def _shortcut_call(
        self, hook: Shortcut, parent_type: GraphQLObjectType, details: list[FieldDetails]
    ) -> _ShortcutCall | None:
        """A hook with its arguments, coerced once per execution (variables do not change within one);
        None when they do not coerce, so the general path reports the error."""
        key = id(details)  # kept alive by the grouped field set it belongs to
        try:
            return self._shortcut_calls[key]
        except KeyError:
            pass
        call = self._shortcut_calls[key] = self._coerced_shortcut_call(hook, parent_type, details)
        return call

    def _coerced_shortcut_call(
        self, hook: Shortcut, parent_type: GraphQLObjectType, details: list[FieldDetails]
    ) -> _ShortcutCall | None:
        field_def = self.schema.get_field(parent_type, details[0].node.name.value)
        if field_def is None:
            return None
        try:
            args = coerce_arguments(self, field_def, details[0])
        except Exception:
            return None
        field_type = field_def.type
        inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
        return _ShortcutCall(hook, field_def, args, isinstance(inner, GraphQLList))

    def _compiled(self, parent_type: GraphQLObjectType, grouped_field_set: dict[str, Any]) -> list[Any]:
        """The plan of every field of one selection set: (response name, details, leaf plan, hook).

        graphql-core reuses one grouped-field-set object for all objects of a list (50 customers share
        one), and the document plans reuse it across executions; the plan is kept with the set.
        """
        key = id(grouped_field_set)
        plans = self._document_plans
        owned = plans.compiled.get(key) if plans is not None else None
        entry = owned if owned is not None else self._compiled_sets.get(key)
        if entry is not None and entry[0] is grouped_field_set and entry[1] is not None:
            return entry[1]
        compiled: list[tuple[str, Any, Leaf | None, Shortcut | None]] = []
        for response_name, details in grouped_field_set.items():
            node = details[0].node
            plan = self._field_plans.get(parent_type, node.name.value)
            if isinstance(plan, Leaf):
                compiled.append((response_name, details, None if node.arguments else plan, None))
            else:
                compiled.append((response_name, details, None, plan))
        if plans is not None and owned is not None and owned[0] is grouped_field_set:
            plans.compiled[key] = (grouped_field_set, compiled)
        else:
            self._compiled_sets[key] = (grouped_field_set, compiled)
        return compiled

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: dict[str, Any],
        position_context: Any,
    ) -> Any:
        """The fields of one object: planned ones answered here, the rest by graphql-core."""
        if monotonic() > self._expires_at:  # the clock read inline: this runs once per object
            self.deadline.check()
        if not self._fast:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        fast_results: dict[str, Any] = {}
        slow_fields: dict[str, Any] = {}
        awaited: list[str] = []  # fast fields whose value is still to come (a query's root fields)
        for response_name, details, leaf, hook in self._compiled(parent_type, grouped_field_set):
            if leaf is not None:
                value = leaf.value(source_value)
            elif hook is not None and (call := self._shortcut_call(hook, parent_type, details)) is not None:
                value = self._shortcut_value(
                    call, parent_type, source_value, response_name, details, path, position_context
                )
                if value is not NO_SHORTCUT and self.is_awaitable(value):
                    awaited.append(response_name)
            else:
                value = NO_SHORTCUT
            if value is NO_SHORTCUT:
                slow_fields[response_name] = details
            else:
                fast_results[response_name] = value
        if not slow_fields and not awaited:
            return fast_results
        slow_results: Any = {}
        if slow_fields:
            try:
                slow_results = super().execute_fields(
                    parent_type, source_value, path, slow_fields, position_context
                )
            except Exception:
                if awaited:  # an error bubbling up: the pending values are settled, not orphaned
                    self.settle_in_background([fast_results[name] for name in awaited])
                raise
        if awaited or self.is_awaitable(slow_results):
            return self._merged_later(grouped_field_set, fast_results, awaited, slow_results)
        return _in_order(grouped_field_set, fast_results, cast(dict[str, Any], slow_results))

    async def _merged_later(
        self,
        grouped_field_set: dict[str, Any],
        fast_results: dict[str, Any],
        awaited: list[str],
        slow_results: Any,
    ) -> dict[str, Any]:
        """Both halves once every pending value is in, awaited together as graphql-core awaits fields."""
        pending = [fast_results[name] for name in awaited]
        if self.is_awaitable(slow_results):
            pending.append(slow_results)
        values = [await pending[0]] if len(pending) == 1 else await gather_with_cancel(*pending)
        fast_results.update(zip(awaited, values, strict=False))
        if len(values) > len(awaited):
            slow_results = values[-1]
        return _in_order(grouped_field_set, fast_results, cast(dict[str, Any], slow_results))


def _in_order(
    grouped_field_set: dict[str, Any], fast: dict[str, Any], slow: dict[str, Any]
) -> dict[str, Any]:
    """Both halves merged in the query's field order (responses follow the selection order)."""
    return {
        name: fast[name] if name in fast else slow[name]
        for name in grouped_field_set
        if name in fast or name in slow
    }
