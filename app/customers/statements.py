"""Every SQL statement about customers and payment methods, reads and writes, defined here once.

The repository (writes, in a transaction), `app.customers.reads` (prepared reads on the raw driver) and
the seeder run these; nothing else builds customer SQL. Read statements are built once (module level,
or cached per shape) so the prepared reader compiles each of them once; every one filters by the
merchant it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, literal_column, select, tuple_, update
from sqlalchemy.sql import Delete, Insert, Select, Update
from sqlalchemy.sql.dml import ReturningDelete

from app.customers.models import CustomerTable, PaymentMethodTable
from app.db.tables import table_of

customers = table_of(CustomerTable)
payment_methods = table_of(PaymentMethodTable)
c = customers.c
pm = payment_methods.c

# The order of `Customer` and `PaymentMethod`'s fields (app/customers/domain.py).
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
# The unique index that keeps merchant_customer_id unique among live customers, as drivers name it.
LIVE_MCID_INDEX_NAMES = ("uq_customers_merchant_mcid_live", "customers.merchant_customer_id")

# --- customers: reads -------------------------------------------------------------------------------

CUSTOMER_BY_UUID = select(*CUSTOMER_COLUMNS).where(
    c.uuid == bindparam("uuid"), c.merchant_id == bindparam("merchant_id")
)
CUSTOMER_BY_UUID_FOR_UPDATE = CUSTOMER_BY_UUID.with_for_update()
LIVE_BY_MERCHANT_CUSTOMER_ID = select(*CUSTOMER_COLUMNS).where(
    c.merchant_id == bindparam("merchant_id"),
    c.merchant_customer_id == bindparam("merchant_customer_id"),
    c.deleted_at.is_(None),
)
# CustomerFilter field -> the condition it adds (its bind parameter carries the same name).
FILTER_CONDITIONS = {
    "email": lambda: c.email == bindparam("email"),
    "merchant_customer_id": lambda: c.merchant_customer_id == bindparam("merchant_customer_id"),
    "name_contains": lambda: func.lower(c.name).like(func.lower(bindparam("name_contains")), escape="\\"),
    "created_after": lambda: c.created_at > bindparam("created_after"),
    "created_before": lambda: c.created_at < bindparam("created_before"),
}


def _live_conditions(filters: tuple[str, ...]) -> list[Any]:
    return [
        c.merchant_id == bindparam("merchant_id"),
        c.deleted_at.is_(None),
        *(FILTER_CONDITIONS[name]() for name in filters),
    ]


@cache
def live_page(filters: tuple[str, ...], keyset: bool) -> Select[Any]:
    """A page of live customers newest first, with the named filters, after a keyset cursor if asked."""
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
def live_count(filters: tuple[str, ...]) -> Select[Any]:
    """How many live customers match the named filters."""
    return select(func.count()).select_from(customers).where(*_live_conditions(filters))


LARGEST_CUSTOMER_ID = select(func.coalesce(func.max(c.id), 0))

# --- customers: writes ------------------------------------------------------------------------------


def insert_customer(*, merchant_id: int, uuid: str, values: Mapping[str, Any], now: datetime) -> Insert:
    """INSERT ... RETURNING of one live customer."""
    return (
        insert(customers)
        .values(uuid=uuid, merchant_id=merchant_id, created_at=now, updated_at=now, **values)
        .returning(*CUSTOMER_COLUMNS)
    )


def update_customer(*, merchant_id: int, customer_id: int, values: Mapping[str, Any]) -> Update:
    """UPDATE ... RETURNING of one customer."""
    return (
        update(customers)
        .where(c.id == customer_id, c.merchant_id == merchant_id)
        .values(**values)
        .returning(*CUSTOMER_COLUMNS)
    )


# --- payment methods: reads -------------------------------------------------------------------------


def _payment_methods_from() -> Any:
    return payment_methods.join(customers, c.id == pm.customer_id)


MERCHANT_PAYMENT_METHODS = (
    select(*PAYMENT_METHOD_COLUMNS)
    .select_from(_payment_methods_from())
    .where(pm.merchant_id == bindparam("merchant_id"))
    .order_by(pm.created_at.desc(), pm.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
# One customer's cards: found through the per-customer index; the merchant check is kept out of index
# selection (see `payment_methods_batch`), or SQLite walks every card of the merchant.
CUSTOMER_PAYMENT_METHODS = (
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


@cache
def payment_methods_batch(size: int) -> Select[Any]:
    """Cards of `size` customers (`id0`..), each customer's list paged by `offset` and `upto`."""
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


# --- payment methods: writes ------------------------------------------------------------------------


def insert_payment_method(
    *,
    merchant_id: int,
    customer_id: int,
    public_id: str,
    masked_pan: str,
    expiration_date: date,
    token: str,
    keep_until: date | None,
    status: str,
    now: datetime,
) -> Insert:
    """INSERT of one card of a customer."""
    return insert(payment_methods).values(
        public_id=public_id,
        merchant_id=merchant_id,
        customer_id=customer_id,
        masked_pan=masked_pan,
        expiration_date=expiration_date,
        keep_until=keep_until,
        token=token,
        status=status,
        created_at=now,
        updated_at=now,
    )


def delete_payment_methods_of(*, merchant_id: int, customer_id: int) -> Delete:
    """DELETE of every card of one customer."""
    return delete(payment_methods).where(pm.customer_id == customer_id, pm.merchant_id == merchant_id)


def delete_payment_method(*, merchant_id: int, customer_id: int, public_id: str) -> ReturningDelete[Any]:
    """DELETE ... RETURNING of one card of one customer (the columns of `PaymentMethod` but the customer's
    uuid, which the caller knows)."""
    return (
        delete(payment_methods)
        .where(pm.public_id == public_id, pm.customer_id == customer_id, pm.merchant_id == merchant_id)
        .returning(*(column for column in PAYMENT_METHOD_COLUMNS if column.table is payment_methods))
    )


# --- seeding (hand-written: see app/customers/seed_sql.py for why) ---------------------------------
# Per dialect. SQLite: `generated` is materialised so each row's random hex is drawn once (the uuid takes
# five slices of it); nothing else is, and `datetime()` is used over `strftime()`: generating the values
# was a third of a seed's time, these halve it.

_SQLITE_UUID4 = (
    "substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)"
)
# Generated merchant ids keep every digit run short (hex time, a letter before the index): a long run of
# digits could pass for a card number, which no stored text may hold.
SEED_CUSTOMERS = {
    "sqlite": f"""
        WITH RECURSIVE seq(i) AS (SELECT :start UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :stop),
        generated AS MATERIALIZED (
            SELECT i, lower(hex(randomblob(16))) AS h,
                   datetime((:base_ms + i) / 1000, 'unixepoch')
                   || printf('.%03d000', (:base_ms + i) % 1000) AS ts
            FROM seq
        ),
        rows AS (SELECT i, {_SQLITE_UUID4} AS u, ts FROM generated)
        INSERT INTO customers (uuid, merchant_id, merchant_customer_id, email, name, metadata, city, country,
                               created_at, updated_at)
        SELECT u, :merchant_id, printf('seed-%x-n%09d', :base_ms, i), printf('customer%09d@example.com', i),
               'Customer ' || i,
               CASE WHEN i % 7 = 0 THEN '{{"tier": "gold"}}' ELSE '{{"tier": "standard"}}' END,
               'Springfield', 'US', ts, ts
        FROM rows ORDER BY i
    """,
    "postgresql": """
        INSERT INTO customers (uuid, merchant_id, merchant_customer_id, email, name, metadata, city, country,
                               created_at, updated_at)
        SELECT u, :merchant_id, 'seed-' || to_hex(CAST(:base_ms AS bigint)) || '-n' || lpad(i::text, 9, '0'),
               'customer' || lpad(i::text, 9, '0') || '@example.com',
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
SEED_PAYMENT_METHODS = {
    "sqlite": f"""
        WITH generated AS MATERIALIZED (
            SELECT id, created_at, uuid, lower(hex(randomblob(16))) AS h FROM customers
            WHERE id > :after_id AND merchant_id + 0 = :merchant_id AND id % :every = 0
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
