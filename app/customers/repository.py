"""SQL for customers and payment methods. Every statement is filtered by the merchant it is given.

Functions take an open connection from `app.db.Database` (the service owns transactions) and a
keyword-only `merchant_id`, so an unscoped query cannot be written by accident.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.customers.domain import Customer, CustomerFilter, PaymentMethod
from app.customers.models import CustomerTable, PaymentMethodTable
from app.customers.pagination import Cursor

customers = CustomerTable.__table__
payment_methods = PaymentMethodTable.__table__
c = customers.c
pm = payment_methods.c

_CUSTOMER_COLUMNS = (
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
_PAYMENT_METHOD_COLUMNS = (
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
_NEWEST_FIRST = (c.created_at.desc(), c.id.desc())


class DuplicateMerchantCustomerId(Exception):
    """The live-customer unique index refused a merchant_customer_id."""


def _customer(row: Row[Any]) -> Customer:
    return Customer(*row)


def _payment_method(row: Row[Any]) -> PaymentMethod:
    return PaymentMethod(*row)


def _is_duplicate_mcid(error: IntegrityError) -> bool:
    text = str(error.orig)
    return "uq_customers_merchant_mcid_live" in text or "customers.merchant_customer_id" in text


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
        .returning(*_CUSTOMER_COLUMNS)
    )
    try:
        result = await conn.execute(statement)
    except IntegrityError as error:
        if _is_duplicate_mcid(error):
            raise DuplicateMerchantCustomerId from error
        raise
    return _customer(result.one())


async def customer_by_uuid(
    conn: AsyncConnection, *, merchant_id: int, uuid: str, for_update: bool = False
) -> Customer | None:
    """The merchant's customer with this uuid, deleted or not; `for_update` row-locks it (PostgreSQL)."""
    statement = select(*_CUSTOMER_COLUMNS).where(c.uuid == uuid, c.merchant_id == merchant_id)
    if for_update:
        statement = statement.with_for_update()
    row = (await conn.execute(statement)).first()
    return None if row is None else _customer(row)


async def live_customer_by_merchant_customer_id(
    conn: AsyncConnection, *, merchant_id: int, merchant_customer_id: str
) -> Customer | None:
    """The merchant's non-deleted customer with this merchant_customer_id."""
    statement = select(*_CUSTOMER_COLUMNS).where(
        c.merchant_id == merchant_id,
        c.merchant_customer_id == merchant_customer_id,
        c.deleted_at.is_(None),
    )
    row = (await conn.execute(statement)).first()
    return None if row is None else _customer(row)


async def update_customer(
    conn: AsyncConnection, *, merchant_id: int, customer_id: int, values: Mapping[str, Any]
) -> Customer:
    """Write `values` to one customer and return the stored result."""
    statement = (
        update(customers)
        .where(c.id == customer_id, c.merchant_id == merchant_id)
        .values(**values)
        .returning(*_CUSTOMER_COLUMNS)
    )
    try:
        result = await conn.execute(statement)
    except IntegrityError as error:
        if _is_duplicate_mcid(error):
            raise DuplicateMerchantCustomerId from error
        raise
    return _customer(result.one())


def _filters(merchant_id: int, customer_filter: CustomerFilter | None) -> list[Any]:
    conditions: list[Any] = [c.merchant_id == merchant_id, c.deleted_at.is_(None)]
    if customer_filter is None:
        return conditions
    if customer_filter.email is not None:
        conditions.append(c.email == customer_filter.email)
    if customer_filter.merchant_customer_id is not None:
        conditions.append(c.merchant_customer_id == customer_filter.merchant_customer_id)
    if customer_filter.name_contains is not None:
        conditions.append(c.name.icontains(customer_filter.name_contains, autoescape=True))
    if customer_filter.created_after is not None:
        conditions.append(c.created_at > customer_filter.created_after)
    if customer_filter.created_before is not None:
        conditions.append(c.created_at < customer_filter.created_before)
    return conditions


async def list_live_customers(
    conn: AsyncConnection,
    *,
    merchant_id: int,
    limit: int,
    offset: int = 0,
    after: Cursor | None = None,
    customer_filter: CustomerFilter | None = None,
) -> list[Customer]:
    """Live customers newest first (ties: newest insert first), after a keyset cursor and/or an offset."""
    conditions = _filters(merchant_id, customer_filter)
    if after is not None:
        conditions.append(
            or_(c.created_at < after.created_at, and_(c.created_at == after.created_at, c.id < after.id))
        )
    statement = select(*_CUSTOMER_COLUMNS).where(*conditions).order_by(*_NEWEST_FIRST).limit(limit)
    if offset:
        statement = statement.offset(offset)
    return [_customer(row) for row in await conn.execute(statement)]


async def count_live_customers(
    conn: AsyncConnection, *, merchant_id: int, customer_filter: CustomerFilter | None = None
) -> int:
    """How many live customers match the filter."""
    statement = select(func.count()).select_from(customers).where(*_filters(merchant_id, customer_filter))
    return int((await conn.execute(statement)).scalar_one())


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


def _payment_methods_query(merchant_id: int) -> Any:
    return (
        select(*_PAYMENT_METHOD_COLUMNS)
        .select_from(payment_methods.join(customers, c.id == pm.customer_id))
        .where(pm.merchant_id == merchant_id)
        .order_by(pm.created_at.desc(), pm.id.desc())
    )


async def list_payment_methods(
    conn: AsyncConnection, *, merchant_id: int, customer_id: int | None, limit: int, offset: int
) -> list[PaymentMethod]:
    """Payment methods newest first: one customer's, or the whole merchant's when `customer_id` is None."""
    statement = _payment_methods_query(merchant_id).limit(limit).offset(offset)
    if customer_id is not None:
        statement = statement.where(pm.customer_id == customer_id)
    return [_payment_method(row) for row in await conn.execute(statement)]


async def payment_methods_for_customers(
    conn: AsyncConnection, *, merchant_id: int, customer_ids: Sequence[int], limit: int, offset: int
) -> dict[int, list[PaymentMethod]]:
    """One statement for many customers' payment methods (DataLoader batches), each list paged alike."""
    position = (
        func.row_number()
        .over(partition_by=pm.customer_id, order_by=(pm.created_at.desc(), pm.id.desc()))
        .label("n")
    )
    ranked = (
        select(*_PAYMENT_METHOD_COLUMNS, position)
        .select_from(payment_methods.join(customers, c.id == pm.customer_id))
        .where(pm.merchant_id == merchant_id, pm.customer_id.in_(list(customer_ids)))
        .subquery()
    )
    statement = (
        select(*[column for column in ranked.c if column.name != "n"])
        .where(ranked.c.n > offset, ranked.c.n <= offset + limit)
        .order_by(ranked.c.customer_id, ranked.c.n)
    )
    grouped: dict[int, list[PaymentMethod]] = {customer_id: [] for customer_id in customer_ids}
    for row in await conn.execute(statement):
        method = _payment_method(row)
        grouped[method.customer_id].append(method)
    return grouped


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


# Seeding (benchmarks): rows are generated by the database itself, because building and binding a million
# rows in Python costs several times what the database spends storing them. One statement per dialect.
_SQLITE_UUID4 = (
    "substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)"
)
_SEED_CUSTOMERS = {
    "sqlite": f"""
        WITH RECURSIVE seq(i) AS (SELECT :start UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :stop),
        generated AS MATERIALIZED (
            SELECT i, lower(hex(randomblob(16))) AS h,
                   strftime('%Y-%m-%d %H:%M:%S', (:base_ms + i) / 1000, 'unixepoch')
                   || printf('.%03d000', (:base_ms + i) % 1000) AS ts
            FROM seq
        ),
        rows AS MATERIALIZED (SELECT i, {_SQLITE_UUID4} AS u, ts FROM generated)
        INSERT INTO customers (uuid, merchant_id, merchant_customer_id, email, name, metadata, city, country,
                               created_at, updated_at)
        SELECT u, :merchant_id, 'seed-' || substr(u, 1, 8) || '-' || i, 'customer' || i || '@example.com',
               'Customer ' || i,
               CASE WHEN i % 7 = 0 THEN '{{"tier": "gold"}}' ELSE '{{"tier": "standard"}}' END,
               'Springfield', 'US', ts, ts
        FROM rows ORDER BY i
    """,
    "postgresql": """
        INSERT INTO customers (uuid, merchant_id, merchant_customer_id, email, name, metadata, city, country,
                               created_at, updated_at)
        SELECT u, :merchant_id, 'seed-' || substr(u, 1, 8) || '-' || i, 'customer' || i || '@example.com',
               'Customer ' || i,
               CASE WHEN i % 7 = 0 THEN '{"tier": "gold"}' ELSE '{"tier": "standard"}' END::json,
               'Springfield', 'US', ts, ts
        FROM (
            SELECT i, gen_random_uuid()::text AS u,
                   to_timestamp((:base_ms + i) / 1000.0) AT TIME ZONE 'UTC' AS ts
            FROM generate_series(CAST(:start AS bigint), CAST(:stop AS bigint) - 1) AS i
        ) AS generated
        ORDER BY i
    """,
}
_SEED_PAYMENT_METHODS = {
    "sqlite": f"""
        WITH generated AS MATERIALIZED (
            SELECT id, created_at, uuid, lower(hex(randomblob(16))) AS h FROM customers
            WHERE merchant_id = :merchant_id AND id > :after_id AND id % :every = 0
        )
        INSERT INTO payment_methods (public_id, merchant_id, customer_id, masked_pan, expiration_date, token,
                                     status, created_at, updated_at)
        SELECT {_SQLITE_UUID4}, :merchant_id, id, '411111******1111', :expiry, 'tok_' || substr(uuid, 1, 12),
               'active', created_at, created_at
        FROM generated
    """,
    "postgresql": """
        INSERT INTO payment_methods (public_id, merchant_id, customer_id, masked_pan, expiration_date, token,
                                     status, created_at, updated_at)
        SELECT gen_random_uuid()::text, :merchant_id, id, '411111******1111', CAST(:expiry AS date),
               'tok_' || substr(uuid, 1, 12), 'active', created_at, created_at
        FROM customers WHERE merchant_id = :merchant_id AND id > :after_id AND id % :every = 0
    """,
}


async def seed_customers(
    conn: AsyncConnection,
    *,
    merchant_id: int,
    start: int,
    stop: int,
    base: datetime,
    payment_method_every: int,
    expiry: date,
) -> int:
    """Generate customers numbered start..stop-1 (created `base` + number ms) and cards for every Nth.

    Returns how many payment methods were written.
    """
    dialect = conn.dialect.name
    after_id = (
        await conn.execute(select(func.coalesce(func.max(c.id), 0)).where(c.merchant_id == merchant_id))
    ).scalar_one()
    base_ms = (base - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    await conn.execute(
        text(_SEED_CUSTOMERS[dialect]),
        {"merchant_id": merchant_id, "start": start, "stop": stop, "base_ms": base_ms},
    )
    if not payment_method_every:
        return 0
    result = await conn.execute(
        text(_SEED_PAYMENT_METHODS[dialect]),
        {"merchant_id": merchant_id, "after_id": after_id, "every": payment_method_every, "expiry": expiry},
    )
    if dialect == "sqlite":
        # The sqlite3 driver reports no rowcount for a statement that starts with WITH.
        return int((await conn.exec_driver_sql("SELECT changes()")).scalar_one())
    return int(result.rowcount)
