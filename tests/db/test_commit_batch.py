"""SQLite statements queued to travel with the COMMIT (app/db/_commit_batch.py): they commit with the
transaction or not at all, savepoints included, and the driver internals they rely on are still there."""

from __future__ import annotations

import inspect
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection

from app.db._commit_batch import execute_at_commit
from app.db.engines import Database
from app.db.failures import DatabaseFailure
from app.db.tables import table_of
from app.merchants.models import MerchantTable
from app.merchants.repository import Merchant
from app.runtime import Services

merchants = table_of(MerchantTable)


def _row(name: str, token: str) -> dict[str, Any]:
    from app.timestamps import utc_now

    return {"name": name, "authenticity_token": token, "merchant_key": "k", "created_at": utc_now()}


@pytest.fixture
def sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("statements ride on the COMMIT on SQLite only; PostgreSQL executes them at once")


async def _count(database: Database, token: str) -> int:
    async with database.reader() as conn:
        query = select(func.count()).select_from(merchants).where(merchants.c.authenticity_token == token)
        return int((await conn.execute(query)).scalar_one())


INSERT_MERCHANT = insert(merchants)


async def test_a_queued_statement_commits_with_its_transaction(
    sqlite_only: None, services: Services, merchant: Merchant
) -> None:
    statements: list[str] = []
    services.database.add_statement_listener(statements.append)
    async with services.database.writer() as conn:
        assert await execute_at_commit(conn, INSERT_MERCHANT, _row("Queued", "queued-1"))
        assert await _count(services.database, "queued-1") == 0  # not sent before the commit
    assert await _count(services.database, "queued-1") == 1
    assert not any("INSERT INTO merchants" in sql for sql in statements)  # no trip of its own


async def test_a_rolled_back_transaction_drops_its_queue(sqlite_only: None, services: Services) -> None:
    with pytest.raises(RuntimeError):
        async with services.database.writer() as conn:
            assert await execute_at_commit(conn, INSERT_MERCHANT, _row("Dropped", "dropped-1"))
            raise RuntimeError("the change failed after its event was queued")
    async with services.database.writer():
        pass  # the next transaction on the same connection must not send it either
    assert await _count(services.database, "dropped-1") == 0


async def test_a_rollback_to_a_savepoint_drops_what_was_queued_after_it(
    sqlite_only: None, services: Services
) -> None:
    async with services.database.unit_of_work() as conn:
        await execute_at_commit(conn, INSERT_MERCHANT, _row("Kept", "kept-1"))
        with pytest.raises(RuntimeError):
            async with conn.begin_nested():
                await execute_at_commit(conn, INSERT_MERCHANT, _row("Undone", "undone-1"))
                raise RuntimeError("rolled back to the savepoint")
        async with conn.begin_nested():
            await execute_at_commit(conn, INSERT_MERCHANT, _row("Released", "released-1"))
    assert await _count(services.database, "kept-1") == 1
    assert await _count(services.database, "undone-1") == 0
    assert await _count(services.database, "released-1") == 1


async def test_a_queued_statement_that_fails_fails_the_commit_and_rolls_everything_back(
    sqlite_only: None, services: Services, merchant: Merchant
) -> None:
    with pytest.raises(DatabaseFailure):
        async with services.database.writer() as conn:
            await conn.execute(INSERT_MERCHANT, _row("Direct", "direct-1"))
            # The same authenticity_token as an existing merchant: refused when the queue runs.
            await execute_at_commit(conn, INSERT_MERCHANT, _row("Clash", merchant.authenticity_token))
    assert await _count(services.database, "direct-1") == 0
    async with services.database.writer() as conn:
        await conn.execute(INSERT_MERCHANT, _row("After", "after-1"))
    assert await _count(services.database, "after-1") == 1


async def test_postgresql_executes_at_once(database_url: str, services: Services) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's behaviour")
    async with services.database.writer() as conn:
        assert not await execute_at_commit(conn, INSERT_MERCHANT, _row("Now", "now-1"))


def test_the_driver_internals_relied_on_are_still_there() -> None:
    assert inspect.iscoroutinefunction(aiosqlite.Connection._execute)
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn"), property)
    assert callable(AsyncAdapt_aiosqlite_connection._handle_exception)
    assert "_connection" in {
        slot for cls in AsyncAdapt_aiosqlite_connection.__mro__ for slot in getattr(cls, "__slots__", ())
    }
