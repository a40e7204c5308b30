"""Batched reads behind Relay's `nodes`: many customers or payment methods by public id, one statement each.

Lists are padded to one of a few sizes so a handful of prepared statements serve every batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, literal_column, select
from sqlalchemy.sql import Select

from app.customers.domain import Customer, PaymentMethod
from app.customers.statements import CUSTOMER_COLUMNS, PAYMENT_METHOD_COLUMNS, c, customers, pm
from app.customers.statements import payment_methods as payment_methods_table
from app.db.raw_reads import PreparedReader

_BATCH_SIZES = (1, 5, 10, 25, 50, 100)


def _padded(keys: Sequence[str]) -> tuple[int, dict[str, Any]]:
    size = next(size for size in _BATCH_SIZES if size >= len(keys))
    padded = list(keys) + [keys[-1]] * (size - len(keys))
    return size, {f"key{index}": value for index, value in enumerate(padded)}


def _keys(size: int) -> list[Any]:
    return [bindparam(f"key{index}") for index in range(size)]


# The merchant is checked on the rows the unique ids find: without statistics SQLite takes an equality on
# an indexed merchant_id for the better path and walks every customer of the merchant (250 ms for 50 ids
# at 100k customers); `+ 0` keeps that column out of index selection.
def _merchant_is(column: Any) -> Any:
    return (column + literal_column("0")) == bindparam("merchant_id")


@cache
def _customers_statement(size: int) -> Select[Any]:
    return select(*CUSTOMER_COLUMNS).where(c.uuid.in_(_keys(size)), _merchant_is(c.merchant_id))


@cache
def _payment_methods_statement(size: int) -> Select[Any]:
    return (
        select(*PAYMENT_METHOD_COLUMNS)
        .select_from(payment_methods_table.join(customers, c.id == pm.customer_id))
        .where(pm.public_id.in_(_keys(size)), _merchant_is(pm.merchant_id))
    )


async def customers_by_uuid(
    reader: PreparedReader, *, merchant_id: int, uuids: Sequence[str]
) -> dict[str, Customer]:
    """The merchant's customers (deleted ones included) among `uuids` (at most 100), by uuid."""
    if not uuids:
        return {}
    size, values = _padded(uuids)
    values["merchant_id"] = merchant_id
    found = [Customer(*row) for row in await reader.fetch(_customers_statement(size), values)]
    return {customer.uuid: customer for customer in found}


async def payment_methods_by_id(
    reader: PreparedReader, *, merchant_id: int, ids: Sequence[str]
) -> dict[str, PaymentMethod]:
    """The merchant's payment methods among `ids` (at most 100), by id."""
    if not ids:
        return {}
    size, values = _padded(ids)
    values["merchant_id"] = merchant_id
    found = [PaymentMethod(*row) for row in await reader.fetch(_payment_methods_statement(size), values)]
    return {method.id: method for method in found}
