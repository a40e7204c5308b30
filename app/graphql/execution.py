"""A graphql-core execution context with fast paths for the fields a page of customers is made of.

Why: a page of 50 customers with their cards resolves ~850 fields, and graphql-core's general path
builds a path entry, a resolve-info object and an argument dict for each one, and Strawberry converts
arguments and wraps every resolver call on top; that was most of a page's cost (scripts/bench).

1. Plain leaf fields (Strawberry resolves them by attribute access, its resolver is marked `_is_default`;
   scalar or enum type; no arguments): read the attribute and serialise it.
2. Fields whose resolver carries a synchronous shortcut (`@shortcut(hook)`, e.g. a customer's payment
   methods that the page already loaded in one batch): graphql-core coerces the arguments, the hook
   answers, graphql-core completes the value as usual.

Every other field, and every value that would need an error (null for a non-null field, a value that
does not serialise, a hook that cannot answer), goes through graphql-core's own path, so results and
errors are exactly what the general path gives.

What graphql-core collects for a selection set, and the plan worked out here for it, depend only on the
document (unless a directive such as `@include(if: $x)` reads a variable): `DocumentPlans` keeps both
with the parsed document, so a repeated query skips that work (it was ~15% of `customer(uuid)`).

The context is graphql-core's plain `Executor` with Strawberry's resolve-info builder, not Strawberry's
own context: that one is graphql-core's `IncrementalExecutor` (for `@defer`/`@stream`, which this schema
does not offer), whose per-request set-up was ~8% of `customer(uuid)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from graphql import (
    DirectiveNode,
    DocumentNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    VariableNode,
    Visitor,
    is_leaf_type,
    visit,
)
from graphql.execution import Executor
from graphql.execution.collect_fields import CollectedFields
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from graphql.language.visitor import BREAK
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# A hook's answer when it cannot answer: the field takes the general path.
NO_SHORTCUT: Any = object()
_SHORTCUT_ATTRIBUTE = "__graphql_shortcut__"
# hook(source, context, coerced GraphQL arguments) -> the resolver's value, or NO_SHORTCUT
Shortcut = Callable[[Any, Any, dict[str, Any]], Any]
F = TypeVar("F", bound=Callable[..., Any])


def shortcut(hook: Shortcut) -> Callable[[F], F]:
    """Give a resolver a synchronous shortcut the execution context tries first."""

    def mark(resolver: F) -> F:
        setattr(resolver, _SHORTCUT_ATTRIBUTE, hook)
        return resolver

    return mark


class DocumentPlans:
    """Collected sub-selections and compiled selection plans of one parsed document, kept with it.

    Keys hold ids of the document's nodes and grouped field sets; the document and these entries keep
    them alive, so an id cannot be taken by another object while the plans exist.
    """

    def __init__(self, document: DocumentNode) -> None:
        # Collection reads variables only through directives (@include/@skip and the like).
        self.reusable = not _directives_read_variables(document)
        # (type name, ids of the field nodes) -> what graphql-core collected for them
        self.subfields: dict[tuple[str, tuple[int, ...]], CollectedFields] = {}
        # id(grouped field set) -> (the set, its compiled plan or None until first executed)
        self.compiled: dict[int, tuple[dict[str, Any], list[Any] | None]] = {}


class _VariableInDirective(Visitor):
    found = False

    def enter_directive(self, node: DirectiveNode, *_: Any) -> Any:
        if any(_reads_variable(argument.value) for argument in node.arguments or ()):
            self.found = True
            return BREAK
        return None


def _reads_variable(value: Any) -> bool:
    if isinstance(value, VariableNode):
        return True
    children = getattr(value, "values", None) or [field.value for field in getattr(value, "fields", ())]
    return any(_reads_variable(child) for child in children)


def _directives_read_variables(document: DocumentNode) -> bool:
    visitor = _VariableInDirective()
    visit(document, visitor)
    return visitor.found


class _ShortcutCall:
    __slots__ = ("args", "field_def", "hook", "list_type")

    def __init__(
        self, hook: Shortcut, field_def: GraphQLField, args: dict[str, Any], list_type: bool
    ) -> None:
        self.hook, self.field_def, self.args, self.list_type = hook, field_def, args, list_type


class _Leaf:
    __slots__ = ("coerce", "non_null", "python_name")

    def __init__(self, python_name: str, coerce: Callable[[Any], Any], non_null: bool) -> None:
        self.python_name, self.coerce, self.non_null = python_name, coerce, non_null

    def value(self, source: Any) -> Any:
        try:
            value = getattr(source, self.python_name)
            if value is None:
                return NO_SHORTCUT if self.non_null else None
            serialized = self.coerce(value)
        except Exception:  # the general path raises it again, located and reported
            return NO_SHORTCUT
        return NO_SHORTCUT if serialized is None or serialized is Undefined else serialized


def _plan(field_def: GraphQLField | None) -> _Leaf | Shortcut | None:
    """How a field may be resolved outside the general path, if at all."""
    if field_def is None:
        return None
    definition = (field_def.extensions or {}).get("strawberry-definition")
    resolver = getattr(definition, "base_resolver", None)
    hook = getattr(getattr(resolver, "wrapped_func", None), _SHORTCUT_ATTRIBUTE, None)
    if hook is not None:
        return hook  # type: ignore[no-any-return]
    if field_def.args or not getattr(field_def.resolve, "_is_default", False):
        return None
    python_name = getattr(definition, "python_name", None)
    field_type = field_def.type
    non_null = isinstance(field_type, GraphQLNonNull)
    leaf = field_type.of_type if non_null else field_type
    if python_name is None or not is_leaf_type(leaf):
        return None
    return _Leaf(python_name, leaf.coerce_output_value, non_null)


class FastFieldsExecutionContext(Executor):
    """graphql-core's executor, with Strawberry's resolve info and the fast paths described above."""

    # Strawberry's `Info` objects read these (operation extensions are not offered: always None).
    build_resolve_info = StrawberryGraphQLCoreExecutionContext.build_resolve_info
    operation_extensions: dict[str, Any] | None = None

    # (parent type name, field name) -> plan; bounded by the schema's size.
    _field_plans: dict[tuple[str, str], _Leaf | Shortcut | None] = {}

    def __init__(self, *args: Any, plans: DocumentPlans | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Middleware (Strawberry's Schema.execute adds its extensions' `resolve` hooks) must see every
        # field, so its presence turns the fast paths off; app/graphql/operations.py passes none.
        manager = self.middleware_manager
        self._fast = manager is None or not manager.middlewares
        self._document_plans = plans if plans is not None and plans.reusable else None
        # Per execution: compiled plans of grouped field sets the document plans do not own (the root's),
        # and shortcut arguments (they may come from this execution's variables).
        self._compiled_sets: dict[int, tuple[dict[str, Any], list[Any]]] = {}
        self._shortcut_calls: dict[int, _ShortcutCall | None] = {}

    def collect_subfields(self, return_type: GraphQLObjectType, field_details_list: Any) -> Any:
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

    def _plan_for(self, parent_type: GraphQLObjectType, field_name: str) -> _Leaf | Shortcut | None:
        key = (parent_type.name, field_name)
        try:
            return self._field_plans[key]
        except KeyError:
            plan = self._field_plans[key] = _plan(self.schema.get_field(parent_type, field_name))
            return plan

    def _shortcut_value(
        self,
        call: _ShortcutCall,
        parent_type: GraphQLObjectType,
        source: Any,
        response_name: str,
        details: Any,
        path: Any,
        position: Any,
    ) -> Any:
        try:
            value = call.hook(source, self.context_value, call.args)
            if value is NO_SHORTCUT:
                return NO_SHORTCUT
            if call.list_type and isinstance(value, list) and not value:
                return []  # an empty list completes to itself (most customers of a page have no cards)
            field_path = Path(path, response_name, parent_type.name)
            info = self.build_resolve_info(call.field_def, to_nodes(details), parent_type, field_path)
            completed = self.complete_value(call.field_def.type, details, info, field_path, value, position)
        except Exception:
            return NO_SHORTCUT
        if self.is_awaitable(completed):
            completed.close()  # only synchronous completions are taken; the general path redoes it
            return NO_SHORTCUT
        return completed

    def _shortcut_call(
        self, hook: Shortcut, parent_type: GraphQLObjectType, details: Any
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
        self, hook: Shortcut, parent_type: GraphQLObjectType, details: Any
    ) -> _ShortcutCall | None:
        node = details[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        if field_def is None:
            return None
        try:
            args = get_argument_values(
                field_def,
                node,
                self.variable_values,
                details[0].fragment_variable_values,
                self.hide_suggestions,
            )
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
        compiled = []
        for response_name, details in grouped_field_set.items():
            node = details[0].node
            plan = self._plan_for(parent_type, node.name.value)
            if isinstance(plan, _Leaf):
                compiled.append((response_name, details, None if node.arguments else plan, None))
            else:
                compiled.append((response_name, details, None, plan))
        if owned is not None and owned[0] is grouped_field_set:
            plans.compiled[key] = (grouped_field_set, compiled)  # type: ignore[union-attr]
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
        if not self._fast:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        fast_results: dict[str, Any] = {}
        slow_fields: dict[str, Any] = {}
        for response_name, details, leaf, hook in self._compiled(parent_type, grouped_field_set):
            if leaf is not None:
                value = leaf.value(source_value)
            elif hook is not None and (call := self._shortcut_call(hook, parent_type, details)) is not None:
                value = self._shortcut_value(
                    call, parent_type, source_value, response_name, details, path, position_context
                )
            else:
                value = NO_SHORTCUT
            if value is NO_SHORTCUT:
                slow_fields[response_name] = details
            else:
                fast_results[response_name] = value
        if not slow_fields:
            return fast_results
        slow_results = super().execute_fields(parent_type, source_value, path, slow_fields, position_context)
        if self.is_awaitable(slow_results):

            async def merged() -> dict[str, Any]:
                return _in_order(grouped_field_set, fast_results, await slow_results)

            return merged()
        return _in_order(grouped_field_set, fast_results, slow_results)


def _in_order(
    grouped_field_set: dict[str, Any], fast: dict[str, Any], slow: dict[str, Any]
) -> dict[str, Any]:
    """Both halves merged in the query's field order (responses follow the selection order)."""
    return {
        name: fast[name] if name in fast else slow[name]
        for name in grouped_field_set
        if name in fast or name in slow
    }
