"""The worker's polls stay index lookups on SQLite: it runs them every few hundred milliseconds in every
process, over an events table of millions of rows (a scan here once made every poll read all of it)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.sql import Select

from app.webhooks import statements

NOW = "2026-12-03 00:00:00.000000"


async def plan_of(database_url: str, statement: Select[Any], values: dict[str, Any]) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("the plan text checked here is SQLite's")
    engine = create_async_engine(database_url)
    compiled = statement.compile(dialect=engine.dialect)
    bound = compiled.construct_params(values)
    parameters = tuple(bound[name] for name in compiled.positiontup or ())
    try:
        async with engine.connect() as conn:
            rows = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", parameters)).all()
    finally:
        await engine.dispose()
    return " | ".join(str(row[-1]) for row in rows).replace(" ", "")


async def test_looking_for_events_to_fan_out_reads_the_partial_index(database_url: str) -> None:
    plan = await plan_of(database_url, statements.ANY_PENDING_EVENT, {})
    assert "ix_events_webhooks_pending" in plan, plan
    plan = await plan_of(database_url, statements.pending_events(lock=False), {"limit": 500})
    assert "ix_events_webhooks_pending" in plan, plan


async def test_looking_for_due_deliveries_is_an_index_range(database_url: str) -> None:
    plan = await plan_of(database_url, statements.ANY_DUE_DELIVERY, {"now": NOW})
    assert "ix_webhook_deliveries_due(status=?ANDnext_attempt_at<?)" in plan, plan
    plan = await plan_of(database_url, statements.due_deliveries(lock=False), {"now": NOW, "limit": 16})
    assert "ix_webhook_deliveries_due(status=?ANDnext_attempt_at<?)" in plan, plan
