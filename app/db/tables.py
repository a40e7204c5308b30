"""The SQLAlchemy `Table` behind a SQLModel table class, typed (SQLModel sets `__table__` untyped)."""

from __future__ import annotations

from sqlalchemy import Table, inspect
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The table a `table=True` SQLModel class maps to."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table
