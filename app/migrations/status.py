"""Is a database at the newest schema? Compares its `alembic_version` with the scripts' heads."""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.migrations import alembic_config


@cache
def head_revisions() -> frozenset[str]:
    """The head revision(s) of the migration scripts shipped with this code (read once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def applied_revisions(conn: AsyncConnection) -> frozenset[str]:
    """The revision(s) the database says it is at; raises if it has never been migrated."""
    rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
    return frozenset(str(row[0]) for row in rows)
