"""Engines and connections per database URL. No queries live here.

Hot reads run through `prepared` (see app/db/raw_reads.py); writes and the rest through SQLAlchemy.

SQLite: WAL mode and a busy timeout on every connection (app/db/sqlite_pragmas.py); writers open with
`BEGIN IMMEDIATE` so a read-modify-write holds the write lock from its first read (a deferred
transaction lets two writers read the same row and the later commit silently drops the earlier one's
change). Writers in one process also
queue on a one-connection pool instead of spinning on the busy timeout. Readers run in autocommit.
PostgreSQL: one asyncpg pool; the repository takes row locks (`FOR UPDATE`) where it reads to write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.db import _commit_batch, sqlite_pragmas
from app.db.failures import database_boundary, remember_statements
from app.db.raw_reads import PostgresReader, PreparedReader, SQLiteReader, StatementListener

# Bound values (card tokens, key material) stay out of SQL logs and error messages (app/db/log_redaction.py).
HIDE_PARAMETERS = True


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


# JSON columns (customer metadata, event data) go through orjson: the outbox serialises a whole customer
# on every write, and the standard library's encoder was a measurable share of it. Key order is kept.
JSON_OPTIONS: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}

# The transaction of the running `Database.unit_of_work()` block, if any (see there).
_UNIT_OF_WORK: ContextVar[tuple[Database, AsyncConnection] | None] = ContextVar("unit_of_work", default=None)


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file database so a fresh checkout can start at once."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, *, begin: str | None, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=120,
        hide_parameters=HIDE_PARAMETERS,
        **JSON_OPTIONS,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is exactly what we emit below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in sqlite_pragmas.connection_pragmas():
            cursor.execute(pragma)
        cursor.close()

    if begin is not None:
        _commit_batch.install(engine)

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

    return engine


class Database:
    """The engines for one database URL: `reader()` and `writer()` hand out connections."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self.prepared: PreparedReader
        if self.is_sqlite:
            ensure_sqlite_directory(url)
            self.write_engine = _sqlite_engine(url, begin="BEGIN IMMEDIATE", pool_size=1)
            self.read_engine = _sqlite_engine(url, begin=None, pool_size=4)
            self.prepared = SQLiteReader(self.read_engine.dialect, make_url(url).database or "")
        else:
            self.write_engine = create_async_engine(
                url, pool_size=5, max_overflow=5, hide_parameters=HIDE_PARAMETERS, **JSON_OPTIONS
            )
            self.read_engine = self.write_engine
            self.prepared = PostgresReader(self.read_engine.dialect, url, max_size=10)
        for engine in {self.write_engine, self.read_engine}:
            remember_statements(engine)
        self.prepared.in_transaction = self.in_unit_of_work
        # Called after each write transaction of this process commits (app/events/hub.py wakes on it).
        self.commit_listeners: list[Callable[[], None]] = []

    def in_unit_of_work(self) -> bool:
        """True while the calling task runs inside this database's `unit_of_work()` block."""
        ambient = _UNIT_OF_WORK.get()
        return ambient is not None and ambient[0] is self

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads; nothing it does is committed."""
        async with database_boundary(), self.read_engine.connect() as connection:
            yield connection

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a write transaction: committed when the block ends, rolled back on error.

        Inside `unit_of_work()` it is that block's connection instead (committed with it).
        """
        ambient = _UNIT_OF_WORK.get()
        if ambient is not None and ambient[0] is self:
            async with database_boundary():
                yield ambient[1]
            return
        async with database_boundary(), self.write_engine.begin() as connection:
            yield connection
        self._committed()

    def _committed(self) -> None:
        for listener in self.commit_listeners:
            listener()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction that every `writer()` opened inside the block (same task) joins.

        Idempotency keys use it so a write and the answer stored for it commit together. Prepared reads
        refuse to run inside it (they would not see its writes).
        """
        async with database_boundary(), self.write_engine.begin() as connection:
            token = _UNIT_OF_WORK.set((self, connection))
            try:
                yield connection
            finally:
                _UNIT_OF_WORK.reset(token)
        self._committed()

    def add_statement_listener(self, listener: StatementListener) -> None:
        """Call `listener(sql)` for every statement, whichever path runs it (tests pin statement counts)."""
        self.prepared.listeners.append(listener)
        for engine in {self.write_engine, self.read_engine}:
            event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: listener(args[2]))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.prepared.close()
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
