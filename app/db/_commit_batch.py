"""SQLite: statements that travel with the COMMIT instead of on their own.

Every statement on aiosqlite is a round trip to its database thread and back to the event loop, and
that trip, not SQLite's work, was most of what the outbox's INSERT cost a write (a REST create ran at
~0.6-0.75x of its rate without the event; with the INSERT sent along with the COMMIT, ~0.9x).
`execute_at_commit` queues an INSERT whose result nobody needs before the commit; the writer engine's
commit then runs the queue and `COMMIT` in one trip, so the row commits with the change or not at all.
A rollback, or a rollback to a savepoint taken before the INSERT was queued, drops it.

This reaches into aiosqlite (`Connection._execute`, `._conn`) and SQLAlchemy's aiosqlite adapter
(`_connection`, `_handle_exception`): pinned versions, and tests/db/test_commit_batch.py fails loudly if
either moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Insert
from sqlalchemy.util import await_only

# Per DBAPI connection (the adapter's id; a writer connection is used by one task at a time): the queued
# statements, and the queue's length at each open savepoint.
_QUEUED: dict[int, list[tuple[str, tuple[Any, ...]]]] = {}
_SAVEPOINTS: dict[int, list[int]] = {}
_INSTALLED = "_gateway_commit_batch"


def install(engine: AsyncEngine) -> None:
    """Let `execute_at_commit` queue statements on this (SQLite writer) engine's connections."""
    dialect = engine.sync_engine.dialect
    plain_commit = dialect.do_commit
    plain_rollback = dialect.do_rollback
    plain_savepoint = dialect.do_savepoint
    plain_rollback_to = dialect.do_rollback_to_savepoint
    plain_release = dialect.do_release_savepoint

    def do_commit(dbapi_connection: Any) -> None:
        adapter = _adapter(dbapi_connection)
        _SAVEPOINTS.pop(id(adapter), None)
        queued = _QUEUED.pop(id(adapter), None)
        if not queued:
            plain_commit(dbapi_connection)
            return
        driver = adapter._connection  # aiosqlite.Connection

        def run_then_commit() -> None:
            database = driver._conn  # sqlite3.Connection, on aiosqlite's thread
            try:
                for sql, parameters in queued:
                    database.execute(sql, parameters)
            except BaseException:
                database.rollback()
                raise
            database.commit()

        try:
            await_only(driver._execute(run_then_commit))
        except Exception as error:
            adapter._handle_exception(error)

    def do_rollback(dbapi_connection: Any) -> None:
        _forget(dbapi_connection)
        plain_rollback(dbapi_connection)

    def do_savepoint(connection: Connection, name: str) -> None:
        key = id(connection.connection.dbapi_connection)
        _SAVEPOINTS.setdefault(key, []).append(len(_QUEUED.get(key, ())))
        plain_savepoint(connection, name)

    def do_rollback_to_savepoint(connection: Connection, name: str) -> None:
        key = id(connection.connection.dbapi_connection)
        marks = _SAVEPOINTS.get(key)
        if marks:
            del _QUEUED.setdefault(key, [])[marks.pop() :]
        plain_rollback_to(connection, name)

    def do_release_savepoint(connection: Connection, name: str) -> None:
        marks = _SAVEPOINTS.get(id(connection.connection.dbapi_connection))
        if marks:
            marks.pop()
        plain_release(connection, name)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]
    dialect.do_savepoint = do_savepoint  # type: ignore[method-assign]
    dialect.do_rollback_to_savepoint = do_rollback_to_savepoint  # type: ignore[method-assign]
    dialect.do_release_savepoint = do_release_savepoint  # type: ignore[method-assign]
    setattr(dialect, _INSTALLED, True)
    # A connection that is closed or invalidated without a rollback takes its queue with it (its id could
    # be reused by a new connection).
    event.listen(
        engine.sync_engine.pool, "close", lambda dbapi_connection, _record: _forget(dbapi_connection)
    )
    event.listen(
        engine.sync_engine.pool,
        "invalidate",
        lambda dbapi_connection, _record, _error: _forget(dbapi_connection),
    )


def _adapter(dbapi_connection: Any) -> Any:
    """SQLAlchemy's aiosqlite adapter, whether given itself or the pool's proxy of it."""
    return getattr(dbapi_connection, "dbapi_connection", dbapi_connection)


def _forget(dbapi_connection: Any) -> None:
    adapter = _adapter(dbapi_connection)
    _QUEUED.pop(id(adapter), None)
    _SAVEPOINTS.pop(id(adapter), None)


@cache
def _compiled(
    statement: Insert, dialect: Dialect, keys: tuple[str, ...]
) -> tuple[str, tuple[str, ...], tuple[Any, ...], dict[str, Any]]:
    """The statement's SQL for these parameter names (as `execute` would compile it), the names of its
    positional parameters in order, each one's bind processor, and the values it binds itself."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    names = tuple(compiled.positiontup or ())
    processors = tuple(compiled.binds[name].type.bind_processor(dialect) for name in names)
    literals = {name: bind.value for name, bind in compiled.binds.items() if name not in keys}
    return str(compiled), names, processors, literals


async def execute_at_commit(conn: AsyncConnection, statement: Insert, parameters: Mapping[str, Any]) -> bool:
    """Queue `statement` to run just before this transaction's COMMIT, in the same trip; False (nothing
    queued: execute it now) where that is not possible, on PostgreSQL for one."""
    dialect = conn.dialect
    if not getattr(dialect, _INSTALLED, False):
        return False
    sql, names, processors, literals = _compiled(statement, dialect, tuple(sorted(parameters)))
    row = tuple(
        _value(parameters[name] if name in parameters else literals[name], processor)
        for name, processor in zip(names, processors, strict=True)
    )
    sync = conn.sync_connection
    if sync is None:  # not connected: nothing to ride on
        return False
    _QUEUED.setdefault(id(sync.connection.dbapi_connection), []).append((sql, row))
    return True


def _value(value: Any, processor: Any) -> Any:
    return value if processor is None else processor(value)
