"""Writes for customers and payment methods, and the row-locking read they start with.

Functions take a connection inside a write transaction from `app.db.engines.Database.writer()` (the service
owns transactions) and a keyword-only `merchant_id`, so an unscoped statement cannot be written by
accident. The statements are `app.customers.statements`'; plain reads live in `app.customers.reads`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.customers import statements
from app.customers.domain import Customer, PaymentMethod
from app.db.failures import DatabaseFailure

ACTIVE = "active"


class DuplicateMerchantCustomerId(Exception):
    """The live-customer unique index refused a merchant_customer_id."""


def _is_duplicate_mcid(error: IntegrityError) -> bool:
    text = str(error.orig)
    return any(name in text for name in statements.LIVE_MCID_INDEX_NAMES)


async def _write_customer(conn: AsyncConnection, statement: Any) -> Customer:
    """Run an INSERT/UPDATE ... RETURNING of one customer; the live-id index's refusal becomes a domain
    signal the service turns into a Conflict."""
    try:
        result = await conn.execute(statement)
    except IntegrityError as error:
        if _is_duplicate_mcid(error):
            raise DuplicateMerchantCustomerId from error
        raise DatabaseFailure.wrap(error) from None
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
    statement = statements.insert_customer(
        merchant_id=merchant_id, uuid=uuid, values={**fields, "metadata": metadata}, now=now
    )
    return await _write_customer(conn, statement)


async def lock_customer_by_uuid(conn: AsyncConnection, *, merchant_id: int, uuid: str) -> Customer | None:
    """The merchant's customer with this uuid, deleted or not, row-locked for the rest of the transaction
    (PostgreSQL; on SQLite the writer's BEGIN IMMEDIATE already holds the database's write lock)."""
    result = await conn.execute(
        statements.CUSTOMER_BY_UUID_FOR_UPDATE, {"uuid": uuid, "merchant_id": merchant_id}
    )
    row = result.first()
    return None if row is None else Customer(*tuple(row))


async def update_customer(
    conn: AsyncConnection, *, merchant_id: int, customer_id: int, values: Mapping[str, Any]
) -> Customer:
    """Write `values` to one customer and return the stored result."""
    statement = statements.update_customer(merchant_id=merchant_id, customer_id=customer_id, values=values)
    return await _write_customer(conn, statement)


async def mark_deleted(
    conn: AsyncConnection, *, merchant_id: int, customer_id: int, now: datetime
) -> Customer:
    """Soft-delete a customer and remove its payment methods."""
    await conn.execute(statements.delete_payment_methods_of(merchant_id=merchant_id, customer_id=customer_id))
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
        statements.insert_payment_method(
            merchant_id=merchant_id,
            customer_id=customer.id,
            public_id=public_id,
            masked_pan=masked_pan,
            expiration_date=expiration_date,
            token=token,
            keep_until=keep_until,
            status=ACTIVE,
            now=now,
        )
    )
    return PaymentMethod(
        id=public_id,
        customer_id=customer.id,
        customer_uuid=customer.uuid,
        status=ACTIVE,
        masked_pan=masked_pan,
        expiration_date=expiration_date,
        keep_until=keep_until,
        token=token,
        created_at=now,
        updated_at=now,
    )


async def delete_payment_method(
    conn: AsyncConnection, *, merchant_id: int, customer: Customer, public_id: str
) -> PaymentMethod | None:
    """Remove one payment method of a customer and return it as it was; None when there was none."""
    result = await conn.execute(
        statements.delete_payment_method(
            merchant_id=merchant_id, customer_id=customer.id, public_id=public_id
        )
    )
    row = result.first()
    if row is None:
        return None
    card_id, customer_id, *rest = row
    return PaymentMethod(card_id, customer_id, customer.uuid, *rest)
