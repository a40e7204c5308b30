"""Keep the database libraries from writing data into logs, whatever level an operator turns on.

At DEBUG, SQLAlchemy logs every result row and aiosqlite every statement with its parameters: card
tokens, token hashes, stored keys. Those records are dropped at their loggers. At INFO, SQLAlchemy logs
statements with their parameters; the engines are built with `hide_parameters=True` (app/db/engines.py), which
also keeps parameters out of SQLAlchemy's own error messages. The driver's message can still carry a
value (asyncpg: `invalid input for query argument $7: 'tok_...'`), so driver errors are replaced at the
database boundary by `app.db.failures.DatabaseFailure`, which shows only `redact_statement`'s form.
"""

from __future__ import annotations

import logging
import re

# Loggers whose DEBUG records carry row or parameter values.
_DATA_LOGGERS = ("sqlalchemy.engine.Engine", "aiosqlite")


class DropDebugRecords(logging.Filter):
    """Drops a logger's records below INFO (the ones holding data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


def install() -> None:
    """Attach the filter to the data-logging loggers (idempotent)."""
    for name in _DATA_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, DropDebugRecords) for existing in logger.filters):
            logger.addFilter(DropDebugRecords())


# Quoted literals ('...' with '' escapes) and dollar-quoted bodies: the only places a statement's text
# can hold a value; parameters are never part of it.
_LITERAL = re.compile(r"'(?:[^']|'')*'|\$\$.*?\$\$", re.DOTALL)
_SPACE = re.compile(r"\s+")
# The column list of the outermost SELECT says little and would push the tables out of the preview.
_SELECT_LIST = re.compile(r"^SELECT .+? FROM ", re.IGNORECASE)
STATEMENT_PREVIEW_CHARS = 300


def redact_statement(sql: str | None) -> str:
    """A statement as it may be logged: literals replaced by `?`, whitespace folded, the outer column list
    elided, length capped."""
    if not sql:
        return "(no statement)"
    folded = _SPACE.sub(" ", _LITERAL.sub("?", sql)).strip()
    folded = _SELECT_LIST.sub("SELECT ... FROM ", folded, count=1)
    if len(folded) > STATEMENT_PREVIEW_CHARS:
        return folded[:STATEMENT_PREVIEW_CHARS] + " ..."
    return folded
