"""Driver errors, wrapped at the database boundary so their text never reaches a log or a client.

A driver's message may quote a parameter (asyncpg: `invalid input for query argument $7: 'tok_x...'`),
and a card token or a key is then in every logged traceback. `DatabaseFailure` keeps what an operator
needs (the error class, the SQLSTATE, the statement with its literals removed) and is raised `from None`,
so the original and its message are not chained into the traceback either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.log_redaction import redact_statement

# Where `remember_statements` leaves the statement on an error SQLAlchemy does not wrap.
_STATEMENT_ATTRIBUTE = "failed_statement"


class DatabaseFailure(Exception):
    """A database or driver error, described without any value it was given."""

    def __init__(self, error_class: str, statement: str | None, sqlstate: str | None = None) -> None:
        self.error_class = error_class
        self.statement = redact_statement(statement)
        self.sqlstate = sqlstate
        state = f" (SQLSTATE {sqlstate})" if sqlstate else ""
        super().__init__(f"{error_class}{state} while running: {self.statement}")

    @classmethod
    def wrap(cls, error: BaseException, statement: str | None = None) -> DatabaseFailure:
        """The failure for `error`, naming the driver's error class (not SQLAlchemy's wrapper)."""
        if statement is None:
            statement = getattr(error, _STATEMENT_ATTRIBUTE, None)
        driver_error = error
        if isinstance(error, StatementError):
            statement = statement if statement is not None else error.statement
            driver_error = error.orig if error.orig is not None else error
        # SQLAlchemy's asyncpg adapter raises a class of its own, with asyncpg's error as the cause.
        adapter = driver_error
        if type(adapter).__module__.startswith("sqlalchemy") and isinstance(adapter.__cause__, Exception):
            driver_error = adapter.__cause__
        sqlstate = getattr(driver_error, "sqlstate", None) or getattr(adapter, "sqlstate", None)
        name = f"{type(driver_error).__module__}.{type(driver_error).__qualname__}"
        return cls(name, statement, str(sqlstate) if sqlstate else None)


@asynccontextmanager
async def database_boundary() -> AsyncIterator[None]:
    """Replace a driver error escaping the block with a DatabaseFailure (other exceptions pass).

    SQLAlchemy wraps the driver's errors in StatementError; the sqlite3 driver's encoding failure (a lone
    surrogate in a parameter) escapes it unwrapped, as a UnicodeError holding the whole value.
    """
    try:
        yield
    except (StatementError, UnicodeError) as error:
        raise DatabaseFailure.wrap(error) from None


def remember_statements(engine: AsyncEngine) -> None:
    """Keep the statement on driver errors SQLAlchemy lets through unwrapped, for `DatabaseFailure`."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _remember(context: ExceptionContext) -> Any:
        if context.sqlalchemy_exception is None and isinstance(context.original_exception, UnicodeError):
            setattr(context.original_exception, _STATEMENT_ATTRIBUTE, context.statement)
