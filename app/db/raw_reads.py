"""Prepared reads: Core SELECTs compiled once per dialect and run on the raw driver.

Why: SQLAlchemy's async execution path (pool checkout, greenlet hops, reset-on-return, result objects)
costs several times a raw driver lookup here, and the hot reads (auth, a customer by uuid, a page of
customers, a batch of payment methods) run on every request. The statements are still written once, as
Core expressions in the repositories; only their execution is moved onto a kept aiosqlite connection
(SQLite, autocommit: sees every committed write) or an asyncpg pool (PostgreSQL, which caches the
prepared statements itself). Writes and rarely used reads stay on SQLAlchemy.

These connections are outside every transaction, so a read here from inside a unit of work would see
only committed data, not the unit's own writes: the reader refuses to run there
(`PreparedReadInTransaction`). Driver errors leave as `app.db.failures.DatabaseFailure`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Date
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.sql import Select

from app.db import sqlite_pragmas
from app.db._pg_connections import PostgresConnections
from app.db.column_types import UTCDateTime
from app.db.failures import DatabaseFailure
from app.timestamps import from_stored_text

Converter = Callable[[Any], Any]
StatementListener = Callable[[str], None]
TransactionCheck = Callable[[], bool]


class PreparedReadInTransaction(RuntimeError):
    """A programming error: a prepared read was asked for inside a unit of work, where it would not see
    the unit's uncommitted writes. Read through the unit's connection instead."""


def _never_in_transaction() -> bool:
    return False


def _utc_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff'
        return from_stored_text(value)
    return value.replace(tzinfo=UTC)


def _json_value(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _date_value(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _result_converter(column_type: Any) -> Converter | None:
    if isinstance(column_type, UTCDateTime):
        return _utc_datetime
    if isinstance(column_type, JSON):
        return _json_value
    if isinstance(column_type, Date):
        return _date_value
    return None


class PreparedQuery:
    """One SELECT compiled for one dialect: SQL text, positional parameter order, value converters."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.param_names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self._binders: dict[str, Converter] = {}
        for name in set(self.param_names):
            processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self._binders[name] = processor
        converters = [_result_converter(column.type) for column in statement.selected_columns]
        self._converters = [(index, fn) for index, fn in enumerate(converters) if fn is not None]

    def params(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional parameters, each through its type's bind processor."""
        binders = self._binders
        return [binders[name](values[name]) if name in binders else values[name] for name in self.param_names]

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        """A raw driver row with every value converted as the Core path would."""
        if not self._converters:
            return tuple(raw)
        values = list(raw)
        for index, convert in self._converters:
            values[index] = convert(values[index])
        return tuple(values)


class PreparedReader:
    """Runs Core SELECTs on the raw driver; compiles each statement object once.

    `in_transaction` tells whether the calling task is inside a unit of work of the same database (the
    database sets it); `pool_figures()` gives (size, open connections, connections in use) for /metrics.
    """

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._prepared: dict[int, tuple[Select[Any], PreparedQuery]] = {}
        self.listeners: list[StatementListener] = []
        self.in_transaction: TransactionCheck = _never_in_transaction

    def _prepare(self, statement: Select[Any]) -> PreparedQuery:
        # Keyed by identity: callers pass module-level statements, built once (the tuple keeps them alive).
        entry = self._prepared.get(id(statement))
        if entry is None:
            entry = (statement, PreparedQuery(statement, self._dialect))
            self._prepared[id(statement)] = entry
        return entry[1]

    async def fetch(self, statement: Select[Any], values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """All rows of a prebuilt statement for `values`, converted to Python types."""
        if self.in_transaction():
            raise PreparedReadInTransaction(
                "a prepared read cannot run inside a unit of work: it would not see the unit's own writes"
            )
        query = self._prepare(statement)
        for listener in self.listeners:
            listener(query.sql)
        try:
            rows = await self._run(query.sql, query.params(values))
        except Exception as error:
            raise DatabaseFailure.wrap(error, query.sql) from None
        return [query.row(row) for row in rows]

    async def _run(self, sql: str, params: list[Any]) -> Sequence[Sequence[Any]]:
        raise NotImplementedError

    def pool_figures(self) -> tuple[int, int, int]:
        """(configured size, open connections, connections running a statement now)."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close the driver connections."""


class SQLiteReader(PreparedReader):
    """Kept aiosqlite connections in autocommit mode, used round-robin."""

    def __init__(
        self,
        dialect: Dialect,
        path: str,
        connections: int = 2,
        busy_timeout_ms: int = sqlite_pragmas.BUSY_TIMEOUT_MS,
    ) -> None:
        super().__init__(dialect)
        self._path = path
        self._size = connections
        self._busy_timeout_ms = busy_timeout_ms
        self._connections: list[Any] = []
        self._cycle: Any = None
        self._lock = asyncio.Lock()
        self._running = 0

    async def _open(self) -> None:
        import aiosqlite

        async with self._lock:
            if self._connections:
                return
            opened = []
            for _ in range(self._size):
                connection = await aiosqlite.connect(self._path, isolation_level=None)
                for pragma in sqlite_pragmas.prepared_reader_pragmas(self._busy_timeout_ms):
                    await connection.execute(pragma)
                opened.append(connection)
            self._connections = opened
            self._cycle = itertools.cycle(opened)

    async def _run(self, sql: str, params: list[Any]) -> Sequence[Sequence[Any]]:
        if not self._connections:
            await self._open()
        self._running += 1
        try:
            # execute_fetchall is one round trip to the connection's thread (execute, fetch and close).
            return await next(self._cycle).execute_fetchall(sql, params)
        finally:
            self._running -= 1

    def pool_figures(self) -> tuple[int, int, int]:
        """(configured connections, open ones, statements running); several may share a connection."""
        return self._size, len(self._connections), min(self._running, len(self._connections))

    async def close(self) -> None:
        connections, self._connections = self._connections, []
        for connection in connections:
            await connection.close()


class PostgresReader(PreparedReader):
    """asyncpg connections of its own (app/db/_pg_connections.py; asyncpg prepares and caches each
    statement per connection)."""

    def __init__(self, dialect: Dialect, url: str, max_size: int = 10) -> None:
        super().__init__(dialect)
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._connections = PostgresConnections(dsn, max_size)

    async def _run(self, sql: str, params: list[Any]) -> Sequence[Sequence[Any]]:
        return await self._connections.fetch(sql, params)

    def pool_figures(self) -> tuple[int, int, int]:
        """(maximum size, open connections, connections running a read) of the connections."""
        connections = self._connections
        return connections.max_size, connections.open_connections, connections.in_use

    async def close(self) -> None:
        await self._connections.close()
