"""Schema migrations (Alembic), applied by `python -m app migrate` and by `serve`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.engines import ensure_sqlite_directory

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config() -> Config:
    """An Alembic config that needs no alembic.ini: the scripts live in this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema."""
    ensure_sqlite_directory(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
    finally:
        await engine.dispose()


def _upgrade(sync_connection: Any) -> None:
    config = alembic_config()
    config.attributes["connection"] = sync_connection
    command.upgrade(config, "head")


def migrate_sync(url: str) -> None:
    """`migrate` for callers outside an event loop (the CLI)."""
    asyncio.run(migrate(url))
