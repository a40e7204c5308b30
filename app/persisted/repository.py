"""SQL for registered persisted queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.insert_if_absent import insert_unless_exists
from app.db.tables import table_of
from app.persisted.models import PersistedQueryTable

persisted_queries = table_of(PersistedQueryTable)
p = persisted_queries.c


async def find_body(conn: AsyncConnection, *, sha256: str) -> str | None:
    """The registered document with this hash, or None."""
    result = await conn.execute(select(p.body).where(p.sha256 == sha256))
    body: str | None = result.scalar_one_or_none()
    return body


async def store(conn: AsyncConnection, *, sha256: str, body: str, now: datetime) -> None:
    """Register a document; a hash already registered (by any worker) is left as it is."""
    statement = insert_unless_exists(conn, persisted_queries, ("sha256",)).values(
        sha256=sha256, body=body, created_at=now
    )
    await conn.execute(statement)
