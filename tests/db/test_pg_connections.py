"""The prepared reads' own PostgreSQL connections (app/db/_pg_connections.py), on a real server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.db._pg_connections import PostgresConnections

PID = "SELECT pg_backend_pid()"


@pytest.fixture
def dsn(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("these are the PostgreSQL reader's connections")
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
async def connections(dsn: str) -> AsyncIterator[PostgresConnections]:
    opened = PostgresConnections(dsn, max_size=3)
    yield opened
    await opened.close()


async def backend(connections: PostgresConnections) -> int:
    return int((await connections.fetch(PID, []))[0][0])


async def test_reads_beyond_the_size_wait_their_turn_and_all_answer(
    connections: PostgresConnections,
) -> None:
    busiest = 0

    async def read(number: int) -> int:
        nonlocal busiest
        rows = await connections.fetch("SELECT $1::int FROM pg_sleep(0.02)", [number])
        busiest = max(busiest, connections.in_use)
        return int(rows[0][0])

    answers = await asyncio.gather(*(read(number) for number in range(20)))

    assert answers == list(range(20))
    assert busiest <= 3 and connections.open_connections == 3 and connections.in_use == 0


async def test_a_connection_is_reused_and_kept_after_a_refused_statement(
    connections: PostgresConnections,
) -> None:
    first = await backend(connections)

    with pytest.raises(asyncpg.PostgresError):
        await connections.fetch("SELECT 1 / $1::int", [0])

    assert await backend(connections) == first
    assert connections.open_connections == 1


async def test_a_read_cancelled_mid_statement_discards_its_connection(
    connections: PostgresConnections,
) -> None:
    first = await backend(connections)

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(connections.fetch("SELECT pg_sleep(5)", []), timeout=0.1)

    assert connections.open_connections == 0
    assert await backend(connections) != first  # a new session, not the one with a cancel in flight


async def test_a_connection_the_server_ended_fails_one_read_and_is_replaced(
    connections: PostgresConnections, dsn: str
) -> None:
    doomed = await backend(connections)
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", doomed)
    finally:
        await admin.close()
    await asyncio.sleep(0.1)

    with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
        await backend(connections)

    assert connections.open_connections == 0
    assert await backend(connections) != doomed


async def test_a_waiter_that_gives_up_leaves_no_slot_behind(dsn: str) -> None:
    one = PostgresConnections(dsn, max_size=1)
    try:
        long_read = asyncio.create_task(one.fetch("SELECT 1 FROM pg_sleep(0.2)", []))
        await asyncio.sleep(0.05)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(one.fetch(PID, []), timeout=0.05)

        assert (await long_read)[0][0] == 1
        assert await one.fetch("SELECT 2", []) == [(2,)]
        assert one.open_connections == 1 and one.in_use == 0
    finally:
        await one.close()


async def test_a_connection_that_cannot_be_opened_frees_its_slot(dsn: str) -> None:
    unreachable = make_url(dsn).set(port=1).render_as_string(hide_password=False)
    nowhere = PostgresConnections(unreachable, max_size=1)

    for _ in range(2):  # the second attempt gets the slot back, not a wait forever
        with pytest.raises(OSError):
            await asyncio.wait_for(nowhere.fetch("SELECT 1", []), timeout=5)

    assert nowhere.open_connections == 0


async def test_closed_connections_refuse_reads_and_wake_waiters(dsn: str) -> None:
    one = PostgresConnections(dsn, max_size=1)
    long_read = asyncio.create_task(one.fetch("SELECT 1 FROM pg_sleep(0.1)", []))
    await asyncio.sleep(0.02)
    waiting = asyncio.create_task(one.fetch("SELECT 2", []))
    await asyncio.sleep(0.02)

    await one.close()

    with pytest.raises(RuntimeError, match="closed"):
        await waiting
    assert (await long_read)[0][0] == 1  # a read under way finishes; its connection is then closed
    assert one.open_connections == 0
    with pytest.raises(RuntimeError, match="closed"):
        await one.fetch("SELECT 3", [])


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PostgresConnections("postgresql://nowhere/x", max_size=0)
