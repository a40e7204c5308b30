"""Statements of a customer list: filters, search and order combined, paged by keyset both ways.

Statements are built once per shape (which filters are given, the order, the direction, whether there is
a cursor; the dialect, for search and metadata) and cached, so the prepared reader compiles each once.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, cast, exists, func, literal_column, select, tuple_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import ColumnElement, Select

from app.customers.domain import Customer, CustomerFilter
from app.customers.listing_rules import CustomerQuery, PageRequest
from app.customers.ordering import ORDERS, CustomerOrder
from app.customers.search import search_condition, search_parameter
from app.customers.statements import CUSTOMER_COLUMNS, c, customers, pm
from app.db.raw_reads import PreparedReader

# CustomerFilter field -> the condition it adds (its bind parameter carries the same name).
_FILTER_CONDITIONS = {
    "email": lambda: c.email == bindparam("email"),
    "merchant_customer_id": lambda: c.merchant_customer_id == bindparam("merchant_customer_id"),
    "name_contains": lambda: func.lower(c.name).like(func.lower(bindparam("name_contains")), escape="\\"),
    "created_after": lambda: c.created_at > bindparam("created_after"),
    "created_before": lambda: c.created_at < bindparam("created_before"),
    "country": lambda: c.country == bindparam("country"),
    "updated_after": lambda: c.updated_at > bindparam("updated_after"),
}


class Shape(NamedTuple):
    """What a list statement depends on besides its parameter values."""

    sqlite: bool
    filters: tuple[str, ...]
    metadata: int
    has_payment_methods: bool | None
    search: bool


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _shape_and_values(query: CustomerQuery, *, sqlite: bool) -> tuple[Shape, dict[str, Any]]:
    given: CustomerFilter = query.customer_filter
    values = {name: getattr(given, name) for name in _FILTER_CONDITIONS if getattr(given, name) is not None}
    if "name_contains" in values:
        values["name_contains"] = _like_pattern(values["name_contains"])
    for index, (key, value) in enumerate(given.metadata):
        if sqlite:
            values[f"metadata_key{index}"], values[f"metadata_value{index}"] = key, value
        else:
            values[f"metadata{index}"] = json.dumps({key: value})
    if query.words:
        values["search"] = search_parameter(query.words, sqlite=sqlite)
    shape = Shape(
        sqlite=sqlite,
        filters=tuple(name for name in _FILTER_CONDITIONS if name in values),
        metadata=len(given.metadata),
        has_payment_methods=given.has_payment_methods,
        search=bool(query.words),
    )
    return shape, values


def _metadata_condition(index: int, *, sqlite: bool) -> ColumnElement[Any]:
    if sqlite:
        # No JSON index on SQLite: every candidate row's metadata is parsed (see docs/graphql.md).
        entries = func.json_each(c.metadata).table_valued("key", "value", name=f"metadata_entry{index}")
        return exists(
            select(literal_column("1"))
            .select_from(entries)
            .where(
                entries.c.key == bindparam(f"metadata_key{index}", type_=String),
                entries.c.value == bindparam(f"metadata_value{index}", type_=String),
            )
        )
    # Answered by the GIN index over metadata::jsonb (the migration's ix_customers_metadata_live).
    return cast(c.metadata, JSONB).op("@>")(cast(bindparam(f"metadata{index}", type_=String), JSONB))


def _conditions(shape: Shape) -> list[Any]:
    merchant: Any = c.merchant_id
    if shape.sqlite and shape.search:
        # Start from the customers the search index names (typically a few hundred) and sort those; SQLite,
        # without statistics, would rather walk the merchant's whole list in order and probe each row
        # against the matches (30 ms at 100k customers). `+ 0` keeps merchant_id out of index selection.
        merchant = c.merchant_id + literal_column("0")
    conditions: list[Any] = [merchant == bindparam("merchant_id"), c.deleted_at.is_(None)]
    conditions += [_FILTER_CONDITIONS[name]() for name in shape.filters]
    conditions += [_metadata_condition(index, sqlite=shape.sqlite) for index in range(shape.metadata)]
    if shape.has_payment_methods is not None:
        cards = exists(select(literal_column("1")).where(pm.customer_id == c.id))
        conditions.append(cards if shape.has_payment_methods else ~cards)
    if shape.search:
        conditions.append(search_condition(sqlite=shape.sqlite))
    return conditions


@cache
def page_statement(shape: Shape, order: CustomerOrder, backwards: bool, keyset: bool) -> Select[Any]:
    """A page of the list in `order` (reversed when paging backwards), after/before a keyset position."""
    spec = ORDERS[order]
    conditions = _conditions(shape)
    # Paging backwards reads the same index range the other way, from the cursor towards the start.
    descending = spec.descending != backwards
    if keyset:
        # A row-value comparison: SQLite and PostgreSQL both turn it into an index range, so a deep page
        # costs what the first one does.
        position = spec.bound_position()
        sort_key = tuple_(*spec.sort_columns())
        conditions.append(sort_key < position if descending else sort_key > position)
    columns = spec.sort_columns()
    return (
        select(*CUSTOMER_COLUMNS)
        .where(*conditions)
        .order_by(*(column.desc() if descending else column.asc() for column in columns))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cache
def count_statement(shape: Shape) -> Select[Any]:
    """How many customers the list holds."""
    return select(func.count()).select_from(customers).where(*_conditions(shape))


async def read_page(
    reader: PreparedReader, *, sqlite: bool, merchant_id: int, query: CustomerQuery, page: PageRequest
) -> list[Customer]:
    """Up to `page.size + 1` customers (the extra one tells whether more follow), in reading order:
    the list's order forwards, the reverse of it backwards."""
    shape, values = _shape_and_values(query, sqlite=sqlite)
    statement = page_statement(shape, page.order, page.backwards, page.cursor is not None)
    values.update(merchant_id=merchant_id, limit=page.size + 1, offset=page.offset)
    if page.cursor is not None:
        values.update(ORDERS[page.order].bind(page.cursor))
    return [Customer(*row) for row in await reader.fetch(statement, values)]


async def count(reader: PreparedReader, *, sqlite: bool, merchant_id: int, query: CustomerQuery) -> int:
    """How many live customers match the query."""
    shape, values = _shape_and_values(query, sqlite=sqlite)
    values["merchant_id"] = merchant_id
    rows = await reader.fetch(count_statement(shape), values)
    return int(rows[0][0])
