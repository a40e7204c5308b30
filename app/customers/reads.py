"""Reads of customers and payment methods: `app.customers.statements` run by `app.db.raw_reads`.

Functions take the database's `PreparedReader` and a keyword-only `merchant_id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.customers import statements
from app.customers.domain import Customer, CustomerFilter, PaymentMethod
from app.customers.pagination import Cursor
from app.db.raw_reads import PreparedReader

_FILTER_NAMES = tuple(statements.FILTER_CONDITIONS)
# DataLoader batches are padded to one of these sizes so a handful of statements serve every batch.
_ID_BATCH_SIZES = (1, 5, 10, 25, 50, 100)
_ID_NAMES = tuple(f"id{index}" for index in range(_ID_BATCH_SIZES[-1]))


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


async def customer_by_uuid(reader: PreparedReader, *, merchant_id: int, uuid: str) -> Customer | None:
    """The merchant's customer with this uuid, deleted or not."""
    rows = await reader.fetch(statements.CUSTOMER_BY_UUID, {"uuid": uuid, "merchant_id": merchant_id})
    return Customer(*rows[0]) if rows else None


async def live_customer_by_merchant_customer_id(
    reader: PreparedReader, *, merchant_id: int, merchant_customer_id: str
) -> Customer | None:
    """The merchant's non-deleted customer with this merchant_customer_id."""
    rows = await reader.fetch(
        statements.LIVE_BY_MERCHANT_CUSTOMER_ID,
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
    statement = statements.live_page(tuple(sorted(values)), after is not None)
    values.update(merchant_id=merchant_id, limit=limit, offset=offset)
    if after is not None:
        values.update(after_created=after.created_at, after_id=after.id)
    return [Customer(*row) for row in await reader.fetch(statement, values)]


async def count_live_customers(
    reader: PreparedReader, *, merchant_id: int, customer_filter: CustomerFilter | None = None
) -> int:
    """How many live customers match the filter."""
    values = _filter_values(customer_filter)
    statement = statements.live_count(tuple(sorted(values)))
    values["merchant_id"] = merchant_id
    rows = await reader.fetch(statement, values)
    return int(rows[0][0])


async def list_payment_methods(
    reader: PreparedReader, *, merchant_id: int, customer_id: int | None, limit: int, offset: int
) -> list[PaymentMethod]:
    """Payment methods newest first: one customer's, or the whole merchant's when `customer_id` is None."""
    values: dict[str, Any] = {"merchant_id": merchant_id, "limit": limit, "offset": offset}
    if customer_id is None:
        statement = statements.MERCHANT_PAYMENT_METHODS
    else:
        statement, values["customer_id"] = statements.CUSTOMER_PAYMENT_METHODS, customer_id
    return [PaymentMethod(*row) for row in await reader.fetch(statement, values)]


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
        values: dict[str, Any] = dict(zip(_ID_NAMES, padded, strict=False))
        values.update(merchant_id=merchant_id, offset=offset, upto=offset + limit)
        for row in await reader.fetch(statements.payment_methods_batch(size), values):
            method = PaymentMethod(*row)
            grouped[method.customer_id].append(method)
    return grouped
