"""The asyncpg connections behind the prepared reads on PostgreSQL: handed out and taken back with no
awaiting of their own.

Why not asyncpg's Pool: its acquire runs under a timeout context and its release is wrapped in
`asyncio.shield` (a new task and one more event-loop pass per read); together ~20 µs of a ~180 µs
`customer(uuid)` request here, more than everything else the read costs in Python. These connections only
ever run one prepared SELECT at a time, outside any transaction, so a connection comes back exactly as it
went out; none of the Pool's resetting, expiry or setup hooks has anything to do for them.

A statement the server refused leaves its connection usable. Any other failure (the connection broke,
or the caller was cancelled mid-statement, which leaves a cancel request in flight) discards the
connection: it is terminated and a new one is opened when next needed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from typing import Any


class PostgresConnections:
    """Up to `max_size` asyncpg connections to `dsn`, opened on demand, each running one read at a time;
    a read that finds them all busy waits its turn (first come, first served)."""

    def __init__(self, dsn: str, max_size: int) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._dsn = dsn
        self.max_size = max_size
        self._idle: list[Any] = []
        self._opened = 0  # open or being opened
        # A waiter's future gets a free connection, or None: open one yourself (one was discarded).
        self._waiters: deque[asyncio.Future[Any]] = deque()
        self._closed = False

    @property
    def open_connections(self) -> int:
        """Connections open (or being opened) now."""
        return self._opened

    @property
    def in_use(self) -> int:
        """Connections running a read now."""
        return self._opened - len(self._idle)

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Every row of `sql` with `params`, run on a free connection."""
        import asyncpg

        connection = self._idle.pop() if self._idle else await self._acquire()
        try:
            rows: list[Any] = await connection.fetch(sql, *params)
        except asyncpg.PostgresError:
            self._release(connection)  # the server refused the statement; the session is intact
            raise
        except BaseException:
            self._discard(connection)
            raise
        self._release(connection)
        return rows

    async def _acquire(self) -> Any:
        while True:
            if self._closed:
                raise RuntimeError("the prepared-read connections are closed")
            if self._opened < self.max_size:
                return await self._open()
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                connection = await waiter
            except BaseException:
                self._give_up(waiter)
                raise
            if connection is not None:
                return connection

    def _give_up(self, waiter: asyncio.Future[Any]) -> None:
        """A waiter was cancelled: pass on whatever it was handed just before (a cancelled one stays in
        the queue, where it is skipped)."""
        if waiter.cancelled() or not waiter.done():
            waiter.cancel()
        elif waiter.result() is not None:
            self._release(waiter.result())
        else:
            self._pass_on_vacancy()

    async def _open(self) -> Any:
        import asyncpg

        self._opened += 1
        try:
            return await asyncpg.connect(self._dsn)
        except BaseException:
            self._opened -= 1
            self._pass_on_vacancy()
            raise

    def _release(self, connection: Any) -> None:
        if self._closed or connection.is_closed():
            self._discard(connection)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append(connection)

    def _discard(self, connection: Any) -> None:
        connection.terminate()
        self._opened -= 1
        self._pass_on_vacancy()

    def _pass_on_vacancy(self) -> None:
        """A slot came free without a connection in it: the first waiter opens one itself."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def close(self) -> None:
        """Close the idle connections now and each busy one when its read ends; later reads fail."""
        self._closed = True
        idle, self._idle = self._idle, []
        while self._waiters:  # each wakes to find the connections closed
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
        for connection in idle:
            self._opened -= 1
            await connection.close()
