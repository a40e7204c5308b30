"""`INSERT ... ON CONFLICT DO NOTHING` for both databases: the database decides who was first."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def insert_unless_exists(
    conn: AsyncConnection, table: Table, conflict_columns: Sequence[str]
) -> postgresql.Insert | sqlite.Insert:
    """An insert into `table` that silently does nothing when a unique index on the columns refuses it.

    Racing inserts are settled by the unique index (PostgreSQL makes the loser wait for the winner's
    commit), never by a check in Python. Add `.values(...)` and `.returning(...)` to the result.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
