"""Keep the database libraries from writing data into logs, whatever level an operator turns on.

At DEBUG, SQLAlchemy logs every result row and aiosqlite every statement with its parameters: card
tokens, token hashes, stored keys. Those records are dropped at their loggers. At INFO, SQLAlchemy logs
statements with their parameters; the engines are built with `hide_parameters=True` (app/db/engines.py), which
also keeps parameters out of error messages and so out of logged tracebacks.
"""

from __future__ import annotations

import logging

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
