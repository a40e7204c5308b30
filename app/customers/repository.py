"""Writes for customers and payment methods, and the row-locking read they start with.

Functions take a connection inside a write transaction from `app.db.engines.Database.writer()` (the service
owns transactions) and a keyword-only `merchant_id`, so an unscoped statement cannot be written by
accident. Plain reads live in `app.customers.reads`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.customers.domain import Customer, PaymentMethod
from app.customers.models import CustomerTable, PaymentMethodTable

customers = CustomerTable.__table__
payment_methods = PaymentMethodTable.__table__
c = customers.c
pm = payment_methods.c

CUSTOMER_COLUMNS = (
    c.id,
    c.uuid,
    c.merchant_customer_id,
    c.description,
    c.email,
    c.name,
    c.phone,
    c.metadata,
    c.zip_code,
    c.city,
    c.address,
    c.country,
    c.created_at,
    c.updated_at,
    c.deleted_at,
)
PAYMENT_METHOD_COLUMNS = (
    pm.public_id,
    pm.customer_id,
    c.uuid,
    pm.status,
    pm.masked_pan,
    pm.expiration_date,
    pm.keep_until,
    pm.token,
    pm.created_at,
    pm.updated_at,
)


class DuplicateMerchantCustomerId(Exception):
    """The live-customer unique index refused a merchant_customer_id."""


def _is_duplicate_mcid(error: IntegrityError) -> bool:
    text = str(error.orig)
    return "uq_customers_merchant_mcid_live" in text or "customers.merchant_customer_id" in text


async def _write_customer(conn: AsyncConnection, statement: Any) -> Customer:
    """Run an INSERT/UPDATE ... RETURNING of one customer; the live-id index's refusal becomes a domain
    signal the service turns into a Conflict."""
    try:
        result = await conn.execute(statement)
    except IntegrityError as error:
        if _is_duplicate_mcid(error):
            raise DuplicateMerchantCustomerId from error
        raise
    return Customer(*result.one())


async def insert_customer(
    conn: AsyncConnection,
    *,
    merchant_id: int,
    uuid: str,
    fields: Mapping[str, str],
    metadata: dict[str, str],
    now: datetime,
) -> Customer:
    """Insert a live customer; raises DuplicateMerchantCustomerId when the unique index refuses it."""
    values = {**fields, "metadata": metadata}
    statement = (
        insert(customers)
        .values(uuid=uuid, merchant_id=merchant_id, created_at=now, updated_at=now, **values)
        .returning(*CUSTOMER_COLUMNS)
    )
    return await _write_customer(conn, statement)


CUSTOMER_BY_UUID = select(*CUSTOMER_COLUMNS).where(
    c.uuid == bindparam("uuid"), c.merchant_id == bindparam("merchant_id")
)
_CUSTOMER_BY_UUID_FOR_UPDATE = CUSTOMER_BY_UUID.with_for_update()


async def lock_customer_by_uuid(conn: AsyncConnection, *, merchant_id: int, uuid: str) -> Customer | None:
    """The merchant's customer with this uuid, deleted or not, row-locked for the rest of the transaction
    (PostgreSQL; on SQLite the writer's BEGIN IMMEDIATE already holds the database's write lock)."""
    result = await conn.execute(_CUSTOMER_BY_UUID_FOR_UPDATE, {"uuid": uuid, "merchant_id": merchant_id})
    row = result.first()
    return None if row is None else Customer(*row)


async def update_customer(
    conn: AsyncConnection, *, merchant_id: int, customer_id: int, values: Mapping[str, Any]
) -> Customer:
    """Write `values` to one customer and return the stored result."""
    statement = (
        update(customers)
        .where(c.id == customer_id, c.merchant_id == merchant_id)
        .values(**values)
        .returning(*CUSTOMER_COLUMNS)
    )
    return await _write_customer(conn, statement)


async def mark_deleted(
    conn: AsyncConnection, *, merchant_id: int, customer_id: int, now: datetime
) -> Customer:
    """Soft-delete a customer and remove its payment methods."""
    await conn.execute(
        delete(payment_methods).where(pm.customer_id == customer_id, pm.merchant_id == merchant_id)
    )
    return await update_customer(
        conn, merchant_id=merchant_id, customer_id=customer_id, values={"deleted_at": now, "updated_at": now}
    )


async def insert_payment_method(
    conn: AsyncConnection,
    *,
    merchant_id: int,
    customer: Customer,
    public_id: str,
    masked_pan: str,
    expiration_date: date,
    token: str,
    keep_until: date | None,
    now: datetime,
) -> PaymentMethod:
    """Attach a card to a customer."""
    await conn.execute(
        insert(payment_methods).values(
            public_id=public_id,
            merchant_id=merchant_id,
            customer_id=customer.id,
            masked_pan=masked_pan,
            expiration_date=expiration_date,
            keep_until=keep_until,
            token=token,
            status="active",
            created_at=now,
            updated_at=now,
        )
    )
    return PaymentMethod(
        id=public_id,
        customer_id=customer.id,
        customer_uuid=customer.uuid,
        status="active",
        masked_pan=masked_pan,
        expiration_date=expiration_date,
        keep_until=keep_until,
        token=token,
        created_at=now,
        updated_at=now,
    )


async def delete_payment_method(
    conn: AsyncConnection, *, merchant_id: int, customer_id: int, public_id: str
) -> bool:
    """Remove one payment method of a customer; False when there was none."""
    result = await conn.execute(
        delete(payment_methods).where(
            pm.public_id == public_id, pm.customer_id == customer_id, pm.merchant_id == merchant_id
        )
    )
    return bool(result.rowcount)
