"""Every order, the search and the metadata filter are index reads, on both databases.

The plans are read with EXPLAIN; on PostgreSQL sequential scans are disabled for the check, since on a
near-empty table a scan is the planner's right choice and says nothing about the index being usable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.sql import Select

from app.customers import listing, node_reads
from app.customers.domain import CustomerFilter
from app.customers.listing_rules import CustomerQuery, PageRequest
from app.customers.ordering import ORDERS, Cursor, CustomerOrder
from app.db.raw_reads import PreparedQuery

INDEXES = {
    CustomerOrder.CREATED_AT_DESC: "ix_customers_merchant_created_live",
    CustomerOrder.CREATED_AT_ASC: "ix_customers_merchant_created_live",
    CustomerOrder.UPDATED_AT_DESC: "ix_customers_merchant_updated_live",
    CustomerOrder.NAME_ASC: "ix_customers_merchant_name_live",
    CustomerOrder.EMAIL_ASC: "ix_customers_merchant_email_live",
}


SEEDED_MERCHANT = 987_654_321
# PostgreSQL: realistic statistics for the search and metadata checks (rolled back afterwards).
_SEED = [
    "INSERT INTO merchants (id, name, authenticity_token, merchant_key, created_at) "
    f"VALUES ({SEEDED_MERCHANT}, 'plans', 'plans-token', 'plans-key', now())",
    f"INSERT INTO customers (uuid, merchant_id, name, email, metadata, city, created_at, updated_at) "
    f"SELECT md5(i::text), {SEEDED_MERCHANT}, 'Customer ' || i, 'c' || i || '@example.com', "
    'CASE WHEN i % 50 = 0 THEN \'{"tier": "gold"}\' ELSE \'{"tier": "standard"}\' END::json, '
    "'Springfield', now() - i * interval '1 second', now() FROM generate_series(1, 3000) AS i",
    "ANALYZE customers",
]


async def plan(
    database_url: str, statement: Select[Any], values: dict[str, Any], *, with_statistics: bool = False
) -> str:
    """The query plan's text, spaces removed. PostgreSQL: `with_statistics` plans over 3,000 customers
    (inside a transaction rolled back), else over the empty table with sequential scans disabled."""
    engine = create_async_engine(database_url)
    query = PreparedQuery(statement, engine.dialect)
    params = query.params(values)
    try:
        if database_url.startswith("sqlite"):
            async with engine.connect() as conn:
                rows = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query.sql}", tuple(params))).all()
            lines = [str(row[-1]) for row in rows]
        else:
            dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
            connection = await asyncpg.connect(dsn)
            try:
                transaction = connection.transaction()
                await transaction.start()
                for seed in _SEED if with_statistics else ["SET LOCAL enable_seqscan = off"]:
                    await connection.execute(seed)
                lines = [row[0] for row in await connection.fetch(f"EXPLAIN {query.sql}", *params)]
                await transaction.rollback()
            finally:
                await connection.close()
    finally:
        await engine.dispose()
    return " | ".join(lines).replace(" ", "")


def sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")


def cursor_for(order: CustomerOrder) -> Cursor:
    spec = ORDERS[order]
    value: Any = "ada" if spec.text else datetime(2026, 1, 1, tzinfo=UTC)
    return Cursor(order, (value, 10))


async def page_plan(database_url: str, query: CustomerQuery, page: PageRequest) -> str:
    """The plan of a page of the list; with statistics when it filters (search, metadata)."""
    shape, values = listing._shape_and_values(query, sqlite=sqlite(database_url))
    statement = listing.page_statement(shape, page.order, page.backwards, page.cursor is not None)
    with_statistics = bool(query.words or query.customer_filter.metadata)
    values.update(merchant_id=SEEDED_MERCHANT if with_statistics else 1, limit=51, offset=0)
    if page.cursor is not None:
        values.update(ORDERS[page.order].bind(page.cursor))
    return await plan(database_url, statement, values, with_statistics=with_statistics)


@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("order", list(CustomerOrder))
async def test_a_deep_page_of_every_order_is_a_range_of_its_index(
    database_url: str, order: CustomerOrder, backwards: bool
) -> None:
    page = PageRequest(order=order, size=50, backwards=backwards, cursor=cursor_for(order))

    text = await page_plan(database_url, CustomerQuery(), page)

    assert INDEXES[order] in text
    if sqlite(database_url):
        # the cursor bounds the range (merchant_id=? AND key>?), not just the merchant
        assert f"{INDEXES[order]}(merchant_id=?AND" in text, text
        assert "TEMPB-TREE" not in text  # no sort: the index gives the order
    else:
        assert "Sort" not in text, text
        assert "IndexCond:((merchant_id=" in text and "AND(ROW(" in text, text


async def test_search_uses_the_full_text_index(database_url: str) -> None:
    query = CustomerQuery(words=("ada", "lov"))

    text = await page_plan(database_url, query, PageRequest(order=CustomerOrder.CREATED_AT_DESC, size=50))

    if sqlite(database_url):
        assert "VIRTUALTABLEINDEX" in text and "customers_search" in text.lower(), text
        # driven by the matches, not by walking the merchant's list and probing each row
        assert "SEARCHcustomersUSINGINTEGERPRIMARYKEY(rowid=?)" in text, text
    else:
        assert "BitmapIndexScanonix_customers_search_live" in text, text


async def test_metadata_filter_uses_the_gin_index_on_postgresql(database_url: str) -> None:
    if sqlite(database_url):
        pytest.skip("SQLite has no JSON index: metadata is read row by row (docs/graphql.md says so)")
    query = CustomerQuery(customer_filter=CustomerFilter(metadata=(("tier", "gold"),)))

    text = await page_plan(database_url, query, PageRequest(order=CustomerOrder.CREATED_AT_DESC, size=50))

    assert "BitmapIndexScanonix_customers_metadata_live" in text, text


async def test_nodes_find_customers_and_cards_by_their_unique_ids(database_url: str) -> None:
    if not sqlite(database_url):
        pytest.skip("PostgreSQL's planner has statistics; the hint is for SQLite's")
    values: dict[str, Any] = {f"key{index}": f"id-{index}" for index in range(50)}
    values["merchant_id"] = 1

    customers_plan = await plan(database_url, node_reads._customers_statement(50), values)
    cards_plan = await plan(database_url, node_reads._payment_methods_statement(50), values)

    assert "sqlite_autoindex_customers_1(uuid=?)" in customers_plan, customers_plan
    assert "sqlite_autoindex_payment_methods_1(public_id=?)" in cards_plan, cards_plan
    assert "merchant" not in customers_plan + cards_plan
