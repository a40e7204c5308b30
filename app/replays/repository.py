"""SQL for used signatures. Every statement is scoped to the merchant it is given."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.insert_if_absent import insert_unless_exists
from app.db.tables import table_of
from app.replays.models import SeenSignatureTable

signatures = table_of(SeenSignatureTable)
s = signatures.c


async def record_signature(
    conn: AsyncConnection, *, merchant_id: int, signature_hash: str, now: datetime, expires_at: datetime
) -> bool:
    """Remember a signature; False when it was already there (a replay). Stale ones are swept first."""
    await conn.execute(delete(signatures).where(s.merchant_id == merchant_id, s.expires_at < now))
    statement = (
        insert_unless_exists(conn, signatures, ("signature_hash",))
        .values(merchant_id=merchant_id, signature_hash=signature_hash, expires_at=expires_at)
        .returning(s.id)
    )
    return (await conn.execute(statement)).scalar_one_or_none() is not None
