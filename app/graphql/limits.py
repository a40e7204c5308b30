"""Validation rules that bound how much work one document can ask for: depth and aliases.

The depth rule counts every field, introspection fields (`__schema`, `__type`, `__typename`) included:
a stock limiter that skips `__` fields lets nested `__type { fields { type { fields ... } } }` queries
through. Top-level fields are depth 1. The standard introspection query that GraphiQL (graphql-js 16)
sends is 15 deep, so the limit must be at least that for GraphiQL and other tools to load the schema.

Both rules walk fragments once each (memoised, iteratively): Strawberry's MaxAliasesLimiter re-walks a
fragment at every spread, so ~25 fragments each spreading the previous one twice keep a worker busy for
seconds and a few more for hours. Aliases are still counted as executed (a fragment spread twice counts
its aliases twice).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from graphql.language.visitor import SKIP

# The depth of graphql-js 16's getIntrospectionQuery(): __schema > types > fields > args > type >
# ofType x 9 > kind.
STANDARD_INTROSPECTION_DEPTH = 15

# Counts stay exact (a fragment doubling 100 times is a 31-digit count, still cheap to add).
NO_CAP = 2**256

FragmentLookup = Callable[[str], FragmentDefinitionNode | None]


def fold_selections(
    selection_set: SelectionSetNode,
    get_fragment: FragmentLookup,
    field_weight: Callable[[FieldNode], int],
    combine: Callable[[int, int], int],
    cap: int,
) -> int:
    """Fold a selection tree: a field is worth its weight plus its subtree, siblings are `combine`d.

    Fragments are evaluated once and reused; values saturate at `cap`. A fragment cycle counts as 0
    here (graphql-core's NoFragmentCycles rule reports it).
    """
    fragment_values: dict[str, int] = {}
    in_progress: set[str] = set()
    # Frame: (remaining selections, [value so far], weight the parent adds, fragment being evaluated)
    stack: list[tuple[Iterator[Any], list[int], int, str | None]] = [
        (iter(selection_set.selections), [0], 0, None)
    ]
    result = 0
    while stack:
        selections, value, weight, fragment_name = stack[-1]
        node = next(selections, None)
        if node is None:
            stack.pop()
            if fragment_name is not None:
                fragment_values[fragment_name] = value[0]
                in_progress.discard(fragment_name)
            contribution = min(cap, weight + value[0])
            if stack:
                parent = stack[-1][1]
                parent[0] = min(cap, combine(parent[0], contribution))
            else:
                result = contribution
            continue
        if isinstance(node, FieldNode):
            if node.selection_set is None:
                value[0] = min(cap, combine(value[0], field_weight(node)))
            else:
                stack.append((iter(node.selection_set.selections), [0], field_weight(node), None))
        elif isinstance(node, InlineFragmentNode):
            stack.append((iter(node.selection_set.selections), [0], 0, None))
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name in fragment_values:
                value[0] = min(cap, combine(value[0], fragment_values[name]))
                continue
            fragment = get_fragment(name)
            if fragment is None or name in in_progress:
                continue
            in_progress.add(name)
            stack.append((iter(fragment.selection_set.selections), [0], 0, name))
    return result


def selection_depth(selection_set: SelectionSetNode, get_fragment: FragmentLookup, cap: int = NO_CAP) -> int:
    """How many fields deep a selection set goes, following fragments."""
    return fold_selections(selection_set, get_fragment, lambda _field: 1, max, cap)


def alias_count(selection_set: SelectionSetNode, get_fragment: FragmentLookup, cap: int = NO_CAP) -> int:
    """How many aliased fields a selection set executes, fragments counted at every spread."""
    return fold_selections(
        selection_set, get_fragment, lambda field: 1 if field.alias else 0, operator.add, cap
    )


def depth_limit_rule(max_depth: int) -> type[ValidationRule]:
    """A validation rule refusing operations deeper than `max_depth` fields.

    Build it once per schema: the validation cache is keyed by the rule classes, so a class built per
    request would never hit.
    """

    class QueryDepthLimit(ValidationRule):
        """Refuses operations nested more than the configured number of fields, introspection included."""

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> Any:
            depth = selection_depth(node.selection_set, self.context.get_fragment)
            if depth > max_depth:
                name = f"'{node.name.value}' " if node.name else ""
                message = f"Operation {name}is {depth} fields deep; the limit is {max_depth}."
                self.report_error(GraphQLError(message, node))
            return SKIP

    return QueryDepthLimit


def alias_limit_rule(max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing documents whose operations execute more than `max_aliases` aliases."""

    class AliasLimit(ValidationRule):
        """Counts aliases over every operation of the document, as Strawberry's limiter does."""

        def enter_document(self, node: Any, *_args: Any) -> Any:
            total = sum(
                alias_count(definition.selection_set, self.context.get_fragment)
                for definition in node.definitions
                if isinstance(definition, OperationDefinitionNode)
            )
            if total > max_aliases:
                self.report_error(GraphQLError(f"{total} aliases found. Allowed: {max_aliases}"))
            return SKIP

    return AliasLimit
