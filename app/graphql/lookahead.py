"""Reading ahead in a query's selection: which pages of payment methods a customers page will ask for.

Why not Strawberry's `info.selected_fields`: it expands every fragment spread in full, so a small
document whose fragments each spread the previous one twice makes it build 2^n selections in one
resolver call (30 levels froze a worker). This walk reads the document's own nodes and looks at each
fragment once per name it is asked for, so it is linear in the document, whatever the spreads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    SelectionSetNode,
    VariableNode,
)

from app.graphql.engine._compat import raw_info


class _Fields:
    """Fields of a given name among selection sets, fragments and inline fragments flattened."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self._in_fragment: dict[tuple[str, str], list[FieldNode]] = {}

    def named(self, selection_sets: Iterable[SelectionSetNode | None], name: str) -> list[FieldNode]:
        """Every distinct field node called `name` directly in these selection sets."""
        found: dict[int, FieldNode] = {}
        for selection_set in selection_sets:
            if selection_set is not None:
                for node in self._walk(selection_set, name):
                    found[id(node)] = node
        return list(found.values())

    def _walk(self, selection_set: SelectionSetNode, name: str) -> list[FieldNode]:
        found: list[FieldNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == name:
                    found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                found.extend(self._walk(selection.selection_set, name))
            elif isinstance(selection, FragmentSpreadNode):
                found.extend(self._fragment(selection.name.value, name))
        return found

    def _fragment(self, fragment_name: str, name: str) -> list[FieldNode]:
        key = (fragment_name, name)
        cached = self._in_fragment.get(key)
        if cached is not None:
            return cached
        self._in_fragment[key] = []  # a cycle (refused by validation anyway) ends here
        fragment = self.fragments.get(fragment_name)
        fields = [] if fragment is None else self._walk(fragment.selection_set, name)
        # distinct nodes only: a fragment spreading another twice must not double what it holds
        self._in_fragment[key] = list({id(node): node for node in fields}.values())
        return self._in_fragment[key]


def payment_method_pages(
    info: strawberry.Info[Any, Any], default_first: int, default_offset: int
) -> set[tuple[Any, Any]]:
    """Every (first, offset) of `paymentMethods` under `nodes` or `edges { node }` of the connection
    field `info` resolves, with the resolver's defaults where an argument is left out (so the keys
    match what it will load)."""
    graphql_info = raw_info(info)
    fields = _Fields(graphql_info.fragments)
    connections = [node.selection_set for node in graphql_info.field_nodes]
    edges = fields.named(connections, "edges")
    customers = [
        *fields.named(connections, "nodes"),
        *fields.named((edge.selection_set for edge in edges), "node"),
    ]
    variables = info.variable_values
    pages = set()
    for field in fields.named((customer.selection_set for customer in customers), "paymentMethods"):
        arguments = {argument.name.value: argument.value for argument in field.arguments or ()}
        pages.add(
            (
                _int(arguments.get("first"), variables, default_first),
                _int(arguments.get("offset"), variables, default_offset),
            )
        )
    return pages


def _int(value: Any, variables: Mapping[str, Any], default: int) -> Any:
    """An Int argument as the resolver will see it (validation has checked it is one): a literal, a
    variable's value (the default when the variable was not given), or the default when left out."""
    if value is None:
        return default
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, NullValueNode):
        return None
    if isinstance(value, VariableNode):
        return variables.get(value.name.value, default)
    return default
