"""PostgreSQL LISTEN on one raw asyncpg connection of its own (the pools hand connections back and forth,
and a pooled connection would lose its LISTEN when reused or recycled). No queries live here."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

PING_TIMEOUT_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 10.0


def asyncpg_dsn(url: str) -> str:
    """The plain `postgresql://` DSN asyncpg takes, from the app's SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Listening:
    """One LISTEN connection: `on_payload(text)` for each notification on the channel, `on_lost()` once
    when the connection ends (the server went away, the network dropped it)."""

    def __init__(self, connection: Any, channel: str) -> None:
        self._connection = connection
        self._channel = channel

    @classmethod
    async def open(
        cls, url: str, channel: str, *, on_payload: Callable[[str], None], on_lost: Callable[[], None]
    ) -> Listening:
        """Connect and LISTEN; raises whatever asyncpg raises when the server cannot be reached."""
        import asyncpg

        connection = await asyncpg.connect(asyncpg_dsn(url), timeout=CONNECT_TIMEOUT_SECONDS)
        try:
            connection.add_termination_listener(lambda _connection: on_lost())
            await connection.add_listener(channel, lambda _conn, _pid, _channel, payload: on_payload(payload))
        except BaseException:
            connection.terminate()
            raise
        return cls(connection, channel)

    async def ping(self) -> None:
        """A round trip, so a connection that died without a word (a half-open socket) is found out."""
        await asyncio.wait_for(self._connection.execute("SELECT 1"), PING_TIMEOUT_SECONDS)

    async def close(self) -> None:
        """Stop listening and close the connection (terminate it if it does not close in time)."""
        if self._connection.is_closed():
            return
        try:
            await asyncio.wait_for(self._connection.close(), PING_TIMEOUT_SECONDS)
        except Exception:
            self._connection.terminate()
