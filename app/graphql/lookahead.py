"""Reading ahead in a query's selection: which pages of payment methods a customers page will ask for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField


def _fields(selections: Iterable[Any]) -> Iterable[SelectedField]:
    """The fields of a selection set, fragments flattened."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def payment_method_pages(
    connection: Iterable[Any], default_first: int, default_offset: int
) -> set[tuple[Any, Any]]:
    """Every (first, offset) of `paymentMethods` under `nodes` or `edges { node }` of a connection field,
    with the resolver's defaults where an argument is left out (so the keys match what it will load)."""
    customers: list[SelectedField] = []
    for field in _fields(connection):
        if field.name == "nodes":
            customers.append(field)
        elif field.name == "edges":
            customers.extend(node for node in _fields(field.selections) if node.name == "node")
    pages = set()
    for customer in customers:
        for field in _fields(customer.selections):
            if field.name == "paymentMethods":
                arguments = field.arguments
                pages.add(
                    (
                        _int(arguments.get("first", default_first)),
                        _int(arguments.get("offset", default_offset)),
                    )
                )
    return pages


def _int(value: Any) -> Any:
    """An Int argument as the resolver will see it: Strawberry hands literals over as their source text
    (`first: 2` arrives as "2"), which would prime a key no resolver asks for. Validation has already
    checked that such text is an Int."""
    return int(value) if isinstance(value, str) else value
