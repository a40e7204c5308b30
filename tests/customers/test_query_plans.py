"""Hot reads stay index lookups on SQLite, whose planner (without statistics) needed help with them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.sql import Select

from app.customers import statements
from app.db.raw_reads import PreparedQuery


async def sqlite_plan(database_url: str, statement: Select[Any], values: dict[str, Any]) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("the plan text checked here is SQLite's")
    engine = create_async_engine(database_url)
    query = PreparedQuery(statement, engine.dialect)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query.sql}", tuple(query.params(values)))
            ).all()
    finally:
        await engine.dispose()
    return " | ".join(str(row[-1]) for row in rows).replace(" ", "")


async def test_deep_keyset_page_is_an_index_range(database_url: str) -> None:
    values = {
        "merchant_id": 1,
        "after_created": datetime(2026, 1, 1, tzinfo=UTC),
        "after_id": 10,
        "limit": 51,
        "offset": 0,
    }
    plan = await sqlite_plan(database_url, statements.live_page((), True), values)
    assert "ix_customers_merchant_created_live(merchant_id=?ANDcreated_at<?)" in plan


async def test_payment_methods_of_a_page_start_from_the_listed_customers(database_url: str) -> None:
    values: dict[str, Any] = {f"id{index}": index for index in range(50)}
    values.update(merchant_id=1, offset=0, upto=50)
    plan = await sqlite_plan(database_url, statements.payment_methods_batch(50), values)
    assert "ix_payment_methods_customer_created(customer_id=?)" in plan
    assert "ix_payment_methods_merchant_created" not in plan
    assert "SCANcustomers" not in plan and "ix_customers_merchant" not in plan


async def test_one_customers_payment_methods_use_the_customer_index(database_url: str) -> None:
    values = {"merchant_id": 1, "customer_id": 5, "limit": 50, "offset": 0}
    plan = await sqlite_plan(database_url, statements.CUSTOMER_PAYMENT_METHODS, values)
    assert "ix_payment_methods_customer_created(customer_id=?)" in plan
    assert "ix_payment_methods_merchant_created" not in plan
