"""Queries answered without graphql-core's executor, when their shape leaves nothing else to happen.

A query whose root fields are reads with a shortcut hook (`customer(uuid:)`, `customerByMerchantCustomerId`)
or `__typename`, each read returning an object type of which only plain leaf fields and `__typename` are
selected, with no fragments and no directives: each hook's value is awaited, the leaves are read off it,
and the answer is built in selection order. That is all graphql-core's executor does for such a query,
minus its per-operation set-up (the executor, field collection, paths, resolve infos, completion), which
was about a fifth of a `customer(uuid)` request (scripts/bench --database postgresql).

A plan answers only when it can answer exactly as the executor would: if a hook fails or declines, its
value is not of the field's type, or a leaf would need an error (a null in a non-null field, a value that
does not serialise), the whole operation runs on the fast executor instead, which reports what went wrong
where graphql-core reports it. The root fields are reads, so running them again costs time, nothing else.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLField,
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

from app.graphql.engine._compat import coerce_root_arguments, is_awaitable, is_of_type
from app.graphql.engine.plans import NO_SHORTCUT, FieldPlans, Leaf

_TYPENAME = "__typename"


class _Child:
    __slots__ = ("leaf", "name")

    def __init__(self, name: str, leaf: Leaf | None) -> None:
        self.name, self.leaf = name, leaf  # no leaf: `__typename`


class _Root:
    __slots__ = ("arguments", "children", "field_def", "hook", "name", "node", "object_type")

    def __init__(
        self,
        name: str,
        node: FieldNode,
        field_def: GraphQLField | None = None,
        hook: Any = None,
        object_type: GraphQLObjectType | None = None,
        children: list[_Child] | None = None,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        self.name, self.node, self.field_def, self.hook = name, node, field_def, hook
        self.object_type, self.children, self.arguments = object_type, children or [], arguments


class DirectPlan:
    """How to answer one operation of one document directly; see the module's docstring."""

    def __init__(self, schema: GraphQLSchema, operation: OperationDefinitionNode, roots: list[_Root]) -> None:
        self.schema = schema
        self.variable_definitions = operation.variable_definitions or ()
        self.roots = roots
        self.query_type_name = schema.query_type.name if schema.query_type else "Query"

    async def answer(self, context: Any, variables: dict[str, Any] | None) -> Any:
        """The operation's data, or NO_SHORTCUT when only the executor can answer it exactly."""
        data: dict[str, Any] = {}
        for root in self.roots:
            if root.hook is None:
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
            if value is None:
                data[root.name] = None
                continue
            object_type = root.object_type
            assert object_type is not None  # every read root has one
            if not is_of_type(object_type, value):
                return NO_SHORTCUT
            answer: dict[str, Any] = {}
            for child in root.children:
                if child.leaf is None:
                    answer[child.name] = object_type.name
                    continue
                leaf_value = child.leaf.value(value)
                if leaf_value is NO_SHORTCUT:
                    return NO_SHORTCUT
                answer[child.name] = leaf_value
            data[root.name] = answer
        return data


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
    roots: list[_Root] = []
    for selection in _plain_fields(operation.selection_set.selections):
        if selection is None:
            return None
        name = _response_name(selection)
        if selection.name.value == _TYPENAME:
            roots.append(_Root(name, selection))
            continue
        root = _read_root(schema, field_plans, query_type, selection, name)
        if root is None:
            return None
        roots.append(root)
    if not any(root.hook is not None for root in roots) or not _unique([root.name for root in roots]):
        return None
    return DirectPlan(schema, operation, roots)


def _read_root(
    schema: GraphQLSchema,
    field_plans: FieldPlans,
    query_type: GraphQLObjectType,
    selection: FieldNode,
    name: str,
) -> _Root | None:
    field_def = query_type.fields.get(selection.name.value)
    hook = field_plans.get(query_type, selection.name.value)
    if field_def is None or hook is None or isinstance(hook, Leaf):
        return None
    object_type = field_def.type  # nullable: an absent customer completes to null, not an error
    if not isinstance(object_type, GraphQLObjectType) or selection.selection_set is None:
        return None
    children: list[_Child] = []
    for child in _plain_fields(selection.selection_set.selections):
        if child is None or child.arguments or child.selection_set is not None:
            return None
        child_name = _response_name(child)
        if child.name.value == _TYPENAME:
            children.append(_Child(child_name, None))
            continue
        leaf = field_plans.get(object_type, child.name.value)
        if not isinstance(leaf, Leaf):
            return None
        children.append(_Child(child_name, leaf))
    if not _unique([child.name for child in children]):
        return None  # graphql-core merges repeated response names; the executor does that
    arguments = None
    if not _reads_variables(selection):
        arguments = coerce_root_arguments(schema, (), field_def, selection, None)
        if arguments is None:
            return None
    return _Root(name, selection, field_def, hook, object_type, children, arguments)


def _plain_fields(selections: Any) -> list[FieldNode | None]:
    """The selections, each a field without directives, or None where one is anything else."""
    return [
        selection if isinstance(selection, FieldNode) and not selection.directives else None
        for selection in selections
    ]


def _response_name(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _unique(names: list[str]) -> bool:
    return len(set(names)) == len(names)


class _VariableFound(Visitor):
    found = False

    def enter_variable(self, _node: VariableNode, *_: Any) -> Any:
        self.found = True
        return BREAK


def _reads_variables(node: FieldNode) -> bool:
    visitor = _VariableFound()
    visit(node, visitor)
    return visitor.found
