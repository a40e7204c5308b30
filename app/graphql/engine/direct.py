"""Queries answered without graphql-core's executor, when their shape leaves nothing else to happen.

A query whose root fields are reads with a hook (a shortcut such as `customer(uuid:)`'s, or a direct read
such as `customers`') or `__typename`, each selecting, with no fragments and no directives, plain leaf
fields, `__typename`, and fields of object or list-of-object type read by a shortcut hook or a plain
attribute, recursively: each root's value is awaited, the batches its fields declare are awaited (a page's
cards in one statement), and the answer is built in selection order from the values. That is all
graphql-core's executor does for such a query, minus its per-operation set-up and its per-field work
(field collection, paths, resolve infos, completion), which was about a fifth of a `customer(uuid)`
request and more of a page's (scripts/bench).

A plan answers only when it can answer exactly as the executor would: if a hook fails or declines, a value
is not of its field's type, or a field would need an error (a null in a non-null field, a value that does
not serialise), the whole operation runs on the fast executor instead, which reports what went wrong where
graphql-core reports it. The root fields are reads, so running them again costs time, nothing else.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    Visitor,
    visit,
)
from graphql.language.visitor import BREAK
from graphql.utilities import get_operation_ast

from app.graphql.engine._compat import coerce_root_arguments, is_awaitable
from app.graphql.engine._object_builders import ObjectBuilder, compile_object_builder
from app.graphql.engine.plans import NO_SHORTCUT, Batch, DirectField, FieldPlans, Leaf

_TYPENAME = "__typename"
# A batch is asked once per (batch, arguments): sources gathered from every place the document asks it.
_BatchKey = tuple[int, Any]


class _Selection:
    """An object type's selection set: its children in response order, and the function answering one
    object of it (app/graphql/engine/_object_builders.py)."""

    __slots__ = ("build", "children", "object_type")

    def __init__(self, object_type: GraphQLObjectType, children: list[_Child]) -> None:
        self.object_type, self.children = object_type, children
        self.build: ObjectBuilder = compile_object_builder(object_type, children, _complete)


class _Child:
    """One response key: `__typename`, a leaf, or an object (or list of objects) with its own selection."""

    __slots__ = (
        "arguments",
        "attribute",
        "batch",
        "batched_below",
        "field_def",
        "hook",
        "is_list",
        "item_non_null",
        "leaf",
        "name",
        "node",
        "non_null",
        "selection",
    )

    def __init__(self, name: str, node: FieldNode) -> None:
        self.name, self.node = name, node
        self.leaf: Leaf | None = None
        self.field_def: GraphQLField | None = None
        self.selection: _Selection | None = None  # None with no leaf: `__typename`
        self.hook: Any = None
        self.batch: Batch | None = None
        self.attribute: str | None = None
        self.arguments: dict[str, Any] | None = None  # None on a root reading variables: coerced per request
        self.non_null = self.is_list = self.item_non_null = False
        self.batched_below = False  # a batch is declared in this child's selection, at any depth

    def read(self, source: Any, context: Any) -> Any:
        """The field's value on `source` (synchronously), or NO_SHORTCUT."""
        if self.hook is None:
            return getattr(source, self.attribute or "", NO_SHORTCUT)
        try:
            value = self.hook(source, context, self.arguments)
        except Exception:  # the executor runs the resolver, which reports it
            return NO_SHORTCUT
        if is_awaitable(value):  # below the root a hook must answer synchronously
            close = getattr(value, "close", None)
            if close is not None:
                close()
            return NO_SHORTCUT
        return value


class DirectPlan:
    """How to answer one operation of one document directly; see the module's docstring."""

    def __init__(
        self, schema: GraphQLSchema, operation: OperationDefinitionNode, roots: list[_Child]
    ) -> None:
        self.schema = schema
        self.variable_definitions = operation.variable_definitions or ()
        self.roots = roots
        self.query_type_name = schema.query_type.name if schema.query_type else "Query"

    async def answer(self, context: Any, variables: dict[str, Any] | None) -> Any:
        """The operation's data, or NO_SHORTCUT when only the executor can answer it exactly."""
        data: dict[str, Any] = {}
        for root in self.roots:
            if root.selection is None:
                data[root.name] = self.query_type_name
                continue
            arguments = root.arguments
            if arguments is None:
                assert root.field_def is not None  # every read root has one
                arguments = coerce_root_arguments(
                    self.schema, self.variable_definitions, root.field_def, root.node, variables
                )
                if arguments is None:
                    return NO_SHORTCUT
            try:
                value = root.hook(None, context, arguments)
                if is_awaitable(value):
                    value = await value
            except Exception:  # the executor runs the resolver, which reports it
                return NO_SHORTCUT
            if value is NO_SHORTCUT:
                return NO_SHORTCUT
            values: dict[tuple[int, int], Any] = {}
            batched = root.batched_below and value is not None
            if batched and not await _run_batches(root.selection, value, root.is_list, context, values):
                return NO_SHORTCUT
            try:
                answered = _complete(root, value, context, values)
            except Exception:  # an attribute that raises: the executor reports it where it belongs
                return NO_SHORTCUT
            if answered is NO_SHORTCUT:
                return NO_SHORTCUT
            data[root.name] = answered
        return data


async def _run_batches(
    selection: _Selection, value: Any, is_list: bool, context: Any, values: dict[tuple[int, int], Any]
) -> bool:
    """Await every batch the selection declares, each once over all its sources; the values read on the
    way are kept in `values` for the answer (a hook is asked once per source). False: only the executor
    can answer."""
    requests: dict[_BatchKey, tuple[_Child, dict[int, Any]]] = {}
    if not _gather(selection, _objects(value, is_list), context, values, requests):
        return False
    for child, sources in requests.values():
        assert child.batch is not None and child.arguments is not None
        try:
            await child.batch(list(sources.values()), context, child.arguments)
        except Exception:  # the executor's resolvers load and report it
            return False
    return True


def _gather(
    selection: _Selection,
    sources: list[Any],
    context: Any,
    values: dict[tuple[int, int], Any],
    requests: dict[_BatchKey, tuple[_Child, dict[int, Any]]],
) -> bool:
    for child in selection.children:
        if child.batch is not None:
            key = (id(child.batch), _hashable(child.arguments))
            gathered = requests.setdefault(key, (child, {}))[1]
            for source in sources:
                gathered[id(source)] = source
            continue  # a batch's own selection declares none (direct_plan refuses it)
        if not child.batched_below or child.selection is None:
            continue
        below: list[Any] = []
        for source in sources:
            value = child.read(source, context)
            if value is NO_SHORTCUT:
                return False
            values[(id(child), id(source))] = value
            below.extend(_objects(value, child.is_list))
        if not _gather(child.selection, below, context, values, requests):
            return False
    return True


def _objects(value: Any, is_list: bool) -> list[Any]:
    if value is None:
        return []
    if not is_list:
        return [value]
    return [item for item in value if item is not None] if isinstance(value, list | tuple) else []


def _hashable(arguments: Any) -> Any:
    try:
        key = tuple(sorted(arguments.items()))
        hash(key)
    except TypeError:
        return id(arguments)
    return key


def _complete(child: _Child, value: Any, context: Any, values: dict[tuple[int, int], Any]) -> Any:
    """The answer of one object or list field's value, or NO_SHORTCUT."""
    if value is None:
        return NO_SHORTCUT if child.non_null else None
    selection = child.selection
    assert selection is not None
    if not child.is_list:
        return selection.build(value, context, values)
    if not isinstance(value, list | tuple):
        return NO_SHORTCUT  # graphql-core takes any iterable; the executor answers those
    items: list[Any] = []
    for item in value:
        if item is None:
            if child.item_non_null:
                return NO_SHORTCUT
            items.append(None)
            continue
        answered = selection.build(item, context, values)
        if answered is NO_SHORTCUT:
            return NO_SHORTCUT
        items.append(answered)
    return items


def direct_plan(
    schema: GraphQLSchema, field_plans: FieldPlans, document: DocumentNode, operation_name: str | None
) -> DirectPlan | None:
    """The direct plan of the operation a request runs, or None when its shape needs the executor."""
    operation = get_operation_ast(document, operation_name)
    query_type = schema.query_type
    if operation is None or operation.operation != OperationType.QUERY or operation.directives:
        return None
    if query_type is None:
        return None
    roots = _children(schema, field_plans, query_type, operation.selection_set.selections, root=True)
    if roots is None or not any(root.selection is not None for root in roots):
        return None
    return DirectPlan(schema, operation, roots)


def _children(
    schema: GraphQLSchema,
    field_plans: FieldPlans,
    parent_type: GraphQLObjectType,
    selections: Any,
    *,
    root: bool = False,
    in_batch: bool = False,
) -> list[_Child] | None:
    children: list[_Child] = []
    for selection in selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return None
        child = _Child(selection.alias.value if selection.alias else selection.name.value, selection)
        if selection.name.value == _TYPENAME:
            if selection.selection_set is not None:
                return None
        elif not root and (leaf := field_plans.direct_leaf(parent_type, selection.name.value)) is not None:
            if selection.selection_set is not None:
                return None
            child.leaf = leaf
        elif not _object_field(
            schema, field_plans, parent_type, selection, child, root=root, in_batch=in_batch
        ):
            return None
        children.append(child)
    if len({child.name for child in children}) != len(children):
        return None  # graphql-core merges repeated response names; the executor does that
    return children


def _object_field(
    schema: GraphQLSchema,
    field_plans: FieldPlans,
    parent_type: GraphQLObjectType,
    node: FieldNode,
    child: _Child,
    *,
    root: bool,
    in_batch: bool,
) -> bool:
    """Fill in `child` for a field of object or list-of-object type; False when no plan can read it."""
    field_def = parent_type.fields.get(node.name.value)
    found: DirectField | None = field_plans.direct(parent_type, node.name.value, root=root)
    if field_def is None or found is None or node.selection_set is None:
        return False
    field_type = field_def.type
    if isinstance(field_type, GraphQLNonNull):
        child.non_null, field_type = True, field_type.of_type
    if isinstance(field_type, GraphQLList):
        child.is_list, field_type = True, field_type.of_type
        if isinstance(field_type, GraphQLNonNull):
            child.item_non_null, field_type = True, field_type.of_type
    if not isinstance(field_type, GraphQLObjectType):
        return False  # interfaces, unions and nested lists: the executor resolves their types
    if found.batch is not None and in_batch:
        return False  # a batch under a batch would need its sources before the first is awaited
    child.field_def, child.hook, child.batch, child.attribute = (
        field_def,
        found.hook,
        found.batch,
        found.attribute,
    )
    grandchildren = _children(
        schema,
        field_plans,
        field_type,
        node.selection_set.selections,
        in_batch=in_batch or found.batch is not None,
    )
    if grandchildren is None:
        return False
    child.selection = _Selection(field_type, grandchildren)
    child.batched_below = any(
        grandchild.batch is not None or grandchild.batched_below for grandchild in grandchildren
    )
    if not _reads_variables(node):
        child.arguments = coerce_root_arguments(schema, (), field_def, node, None)
        return child.arguments is not None
    return root  # a root's arguments are coerced per request; below the root the executor does it


class _VariableFound(Visitor):
    found = False

    def enter_variable(self, _node: VariableNode, *_: Any) -> Any:
        self.found = True
        return BREAK


def _reads_variables(node: FieldNode) -> bool:
    visitor = _VariableFound()
    visit(node, visitor)
    return visitor.found
