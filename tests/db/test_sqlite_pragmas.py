"""SQLite's pragmas are set in one module, and every kind of connection runs with them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.db import sqlite_pragmas
from app.runtime import Services

APP = Path(__file__).resolve().parents[2] / "app"
PRAGMA = re.compile(r"PRAGMA\s+\w+\s*(=|\()", re.IGNORECASE)


def test_no_module_but_sqlite_pragmas_sets_a_pragma() -> None:
    setters = [
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if path.name != "sqlite_pragmas.py" and PRAGMA.search(path.read_text())
    ]

    assert setters == []


async def test_engine_and_prepared_connections_run_with_them(database_url: str, services: Services) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("pragmas are SQLite's")
    async with services.database.writer() as conn:
        writer = [
            (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        ]
    prepared = services.database.prepared
    await services.customers.count(merchant_id=0)  # opens the prepared connections
    read_only = [row[0] for row in await prepared._run("PRAGMA query_only", [])]

    assert writer == ["wal", 1, sqlite_pragmas.BUSY_TIMEOUT_MS, 1]  # synchronous 1 is NORMAL
    assert read_only == [1]
