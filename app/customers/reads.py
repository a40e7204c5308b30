"""Reads of customers and payment methods, as prebuilt statements run by `app.db.raw_reads`.

Every statement is built once (module level, or cached per shape) and filtered by the merchant it is
given; functions take the database's `PreparedReader` and a keyword-only `merchant_id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, literal_column, select, tuple_
from sqlalchemy.sql import Select

from app.customers.domain import Customer, CustomerFilter, PaymentMethod
from app.customers.pagination import Cursor
from app.customers.repository import (
    CUSTOMER_BY_UUID,
    CUSTOMER_COLUMNS,
    PAYMENT_METHOD_COLUMNS,
    c,
    customers,
    pm,
)
from app.customers.repository import payment_methods as payment_methods_table
from app.db.raw_reads import PreparedReader

_LIVE_BY_MERCHANT_CUSTOMER_ID = select(*CUSTOMER_COLUMNS).where(
    c.merchant_id == bindparam("merchant_id"),
    c.merchant_customer_id == bindparam("merchant_customer_id"),
    c.deleted_at.is_(None),
)
# CustomerFilter field -> the condition it adds (its bind parameter carries the same name).
_FILTER_CONDITIONS = {
    "email": lambda: c.email == bindparam("email"),
    "merchant_customer_id": lambda: c.merchant_customer_id == bindparam("merchant_customer_id"),
    "name_contains": lambda: func.lower(c.name).like(func.lower(bindparam("name_contains")), escape="\\"),
    "created_after": lambda: c.created_at > bindparam("created_after"),
    "created_before": lambda: c.created_at < bindparam("created_before"),
}
_FILTER_NAMES = tuple(_FILTER_CONDITIONS)
# DataLoader batches are padded to one of these sizes so a handful of statements serve every batch.
_ID_BATCH_SIZES = (1, 5, 10, 25, 50, 100)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filter_values(customer_filter: CustomerFilter | None) -> dict[str, Any]:
    if customer_filter is None:
        return {}
    given = {name: getattr(customer_filter, name) for name in _FILTER_NAMES}
    values = {name: value for name, value in given.items() if value is not None}
    if "name_contains" in values:
        values["name_contains"] = _like_pattern(values["name_contains"])
    return values


def _live_conditions(filters: tuple[str, ...]) -> list[Any]:
    return [
        c.merchant_id == bindparam("merchant_id"),
        c.deleted_at.is_(None),
        *(_FILTER_CONDITIONS[name]() for name in filters),
    ]


@cache
def _live_page_statement(filters: tuple[str, ...], keyset: bool) -> Select[Any]:
    conditions = _live_conditions(filters)
    if keyset:
        # A row-value comparison: SQLite and PostgreSQL both turn it into an index range, so a page deep in
        # the list costs what the first one does (the equivalent OR form made SQLite walk from the top).
        after = tuple_(
            bindparam("after_created", type_=c.created_at.type), bindparam("after_id", type_=c.id.type)
        )
        conditions.append(tuple_(c.created_at, c.id) < after)
    return (
        select(*CUSTOMER_COLUMNS)
        .where(*conditions)
        .order_by(c.created_at.desc(), c.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cache
def _live_count_statement(filters: tuple[str, ...]) -> Select[Any]:
    return select(func.count()).select_from(customers).where(*_live_conditions(filters))


async def customer_by_uuid(reader: PreparedReader, *, merchant_id: int, uuid: str) -> Customer | None:
    """The merchant's customer with this uuid, deleted or not."""
    rows = await reader.fetch(CUSTOMER_BY_UUID, {"uuid": uuid, "merchant_id": merchant_id})
    return Customer(*rows[0]) if rows else None


async def live_customer_by_merchant_customer_id(
    reader: PreparedReader, *, merchant_id: int, merchant_customer_id: str
) -> Customer | None:
    """The merchant's non-deleted customer with this merchant_customer_id."""
    rows = await reader.fetch(
        _LIVE_BY_MERCHANT_CUSTOMER_ID,
        {"merchant_id": merchant_id, "merchant_customer_id": merchant_customer_id},
    )
    return Customer(*rows[0]) if rows else None


async def list_live_customers(
    reader: PreparedReader,
    *,
    merchant_id: int,
    limit: int,
    offset: int = 0,
    after: Cursor | None = None,
    customer_filter: CustomerFilter | None = None,
) -> list[Customer]:
    """Live customers newest first (ties: newest insert first), after a keyset cursor and/or an offset."""
    values = _filter_values(customer_filter)
    statement = _live_page_statement(tuple(sorted(values)), after is not None)
    values.update(merchant_id=merchant_id, limit=limit, offset=offset)
    if after is not None:
        values.update(after_created=after.created_at, after_id=after.id)
    return [Customer(*row) for row in await reader.fetch(statement, values)]


async def count_live_customers(
    reader: PreparedReader, *, merchant_id: int, customer_filter: CustomerFilter | None = None
) -> int:
    """How many live customers match the filter."""
    values = _filter_values(customer_filter)
    statement = _live_count_statement(tuple(sorted(values)))
    values["merchant_id"] = merchant_id
    rows = await reader.fetch(statement, values)
    return int(rows[0][0])


def _payment_methods_from() -> Any:
    return payment_methods_table.join(customers, c.id == pm.customer_id)


_MERCHANT_PAYMENT_METHODS = (
    select(*PAYMENT_METHOD_COLUMNS)
    .select_from(_payment_methods_from())
    .where(pm.merchant_id == bindparam("merchant_id"))
    .order_by(pm.created_at.desc(), pm.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
# One customer's cards: found through the per-customer index; the merchant check is kept out of index
# selection (see `_payment_methods_batch_statement`), or SQLite walks every card of the merchant.
_CUSTOMER_PAYMENT_METHODS = (
    select(*PAYMENT_METHOD_COLUMNS)
    .select_from(_payment_methods_from())
    .where(
        pm.customer_id == bindparam("customer_id"),
        (pm.merchant_id + literal_column("0")) == bindparam("merchant_id"),
    )
    .order_by(pm.created_at.desc(), pm.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


async def list_payment_methods(
    reader: PreparedReader, *, merchant_id: int, customer_id: int | None, limit: int, offset: int
) -> list[PaymentMethod]:
    """Payment methods newest first: one customer's, or the whole merchant's when `customer_id` is None."""
    values: dict[str, Any] = {"merchant_id": merchant_id, "limit": limit, "offset": offset}
    if customer_id is None:
        statement = _MERCHANT_PAYMENT_METHODS
    else:
        statement, values["customer_id"] = _CUSTOMER_PAYMENT_METHODS, customer_id
    return [PaymentMethod(*row) for row in await reader.fetch(statement, values)]


@cache
def _payment_methods_batch_statement(size: int) -> Select[Any]:
    position = (
        func.row_number()
        .over(partition_by=pm.customer_id, order_by=(pm.created_at.desc(), pm.id.desc()))
        .label("position")
    )
    ranked = (
        select(*PAYMENT_METHOD_COLUMNS, position)
        .select_from(_payment_methods_from())
        # The planner must start from the listed customers' primary keys and check the merchant on those
        # rows. Without statistics SQLite takes an equality on an indexed merchant_id for the more selective
        # path and walks every customer or card of the merchant (2 ms at 20k customers, growing); `+ 0`
        # keeps that column out of index selection.
        .where(
            c.id.in_([bindparam(f"id{index}") for index in range(size)]),
            (c.merchant_id + literal_column("0")) == bindparam("merchant_id"),
        )
        .subquery()
    )
    return (
        select(*[column for column in ranked.c if column.name != "position"])
        .where(ranked.c.position > bindparam("offset"), ranked.c.position <= bindparam("upto"))
        .order_by(ranked.c.customer_id, ranked.c.position)
    )


async def payment_methods_for_customers(
    reader: PreparedReader, *, merchant_id: int, customer_ids: Sequence[int], limit: int, offset: int
) -> dict[int, list[PaymentMethod]]:
    """One statement per 100 customers (DataLoader batches), each customer's list paged alike."""
    grouped: dict[int, list[PaymentMethod]] = {customer_id: [] for customer_id in customer_ids}
    largest = _ID_BATCH_SIZES[-1]
    for start in range(0, len(customer_ids), largest):
        chunk = list(customer_ids[start : start + largest])
        size = next(size for size in _ID_BATCH_SIZES if size >= len(chunk))
        padded = chunk + [chunk[-1]] * (size - len(chunk))
        values: dict[str, Any] = {f"id{index}": value for index, value in enumerate(padded)}
        values.update(merchant_id=merchant_id, offset=offset, upto=offset + limit)
        for row in await reader.fetch(_payment_methods_batch_statement(size), values):
            method = PaymentMethod(*row)
            grouped[method.customer_id].append(method)
    return grouped
