"""SQL for idempotency keys. Every statement is scoped to the merchant it is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.insert_if_absent import insert_unless_exists
from app.db.tables import table_of
from app.idempotency.models import IdempotencyKeyTable

keys = table_of(IdempotencyKeyTable)
k = keys.c


@dataclass(frozen=True, slots=True)
class StoredKey:
    """What an earlier request left under a key: its fingerprint and its answer."""

    fingerprint: str
    outcome: str | None
    body: str | None


async def delete_expired(conn: AsyncConnection, *, merchant_id: int, now: datetime) -> None:
    """Forget the merchant's keys whose retention has run out (before claiming, so a key can be reused)."""
    await conn.execute(delete(keys).where(k.merchant_id == merchant_id, k.expires_at <= now))


async def claim(
    conn: AsyncConnection,
    *,
    merchant_id: int,
    key: str,
    fingerprint: str,
    now: datetime,
    expires_at: datetime,
) -> int | None:
    """Take a key: the new row's id, or None when the key is already taken (the unique index decides)."""
    statement = (
        insert_unless_exists(conn, keys, ("merchant_id", "key"))
        .values(
            merchant_id=merchant_id, key=key, fingerprint=fingerprint, created_at=now, expires_at=expires_at
        )
        .returning(k.id)
    )
    return (await conn.execute(statement)).scalar_one_or_none()


async def stored_key(conn: AsyncConnection, *, merchant_id: int, key: str) -> StoredKey | None:
    """The row an earlier request left under this key."""
    row = (
        await conn.execute(
            select(k.fingerprint, k.outcome, k.response_body).where(
                k.merchant_id == merchant_id, k.key == key
            )
        )
    ).first()
    return None if row is None else StoredKey(*row)


async def store_response(
    conn: AsyncConnection, *, merchant_id: int, key_id: int, outcome: str, body: str
) -> None:
    """Keep the answer given under a claimed key."""
    await conn.execute(
        update(keys)
        .where(k.id == key_id, k.merchant_id == merchant_id)
        .values(outcome=outcome, response_body=body)
    )


async def limit_lock_wait(conn: AsyncConnection, milliseconds: int | None) -> None:
    """PostgreSQL: how long the next statements of this transaction wait for a row lock (None: default).

    Bounds the wait for a racing request holding the same key; SQLite waits on its busy timeout instead.
    """
    if conn.dialect.name != "postgresql":
        return
    value = "DEFAULT" if milliseconds is None else str(int(milliseconds))
    await conn.exec_driver_sql(f"SET LOCAL lock_timeout = {value}")


def is_lock_timeout(error: DBAPIError) -> bool:
    """True when PostgreSQL gave up waiting for a lock (SQLSTATE 55P03, lock_not_available)."""
    return getattr(error.orig, "sqlstate", None) == "55P03" or "lock timeout" in str(error.orig)
