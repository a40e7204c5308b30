"""The migration scripts produce exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import app.customers.models
import app.events.models
import app.idempotency.models
import app.merchants.models
import app.persisted.models
import app.replays.models  # noqa: F401


@pytest.mark.filterwarnings("ignore:autogenerate skipping")
async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = create_async_engine(database_url)

    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection)
        return compare_metadata(context, SQLModel.metadata)

    def index_names(connection: Any) -> set[str]:
        inspector = inspect(connection)
        return {
            index["name"] for table in inspector.get_table_names() for index in inspector.get_indexes(table)
        }

    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(differences)
            indexes = await connection.run_sync(index_names)
    finally:
        await engine.dispose()
    # Alembic cannot compare DESC (expression) indexes on every dialect; those are checked by name below.
    expression_indexes = {
        "ix_customers_merchant_created_live",
        "ix_customers_merchant_updated_live",
        "ix_payment_methods_customer_created",
        "ix_payment_methods_merchant_created",
    }
    # Search and metadata structures exist only in the migration (an FTS5 table, GIN expression indexes).
    search_only = {"ix_customers_search_live", "ix_customers_metadata_live"}
    diff = [
        item
        for item in diff
        if not (item[0].endswith("_index") and item[1].name in expression_indexes | search_only)
        and not (item[0] == "remove_table" and item[1].name.startswith("customers_search"))
    ]
    assert diff == []
    declared = {index.name for table in SQLModel.metadata.tables.values() for index in table.indexes}
    assert declared <= indexes
