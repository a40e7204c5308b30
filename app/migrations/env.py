"""Alembic environment: runs on the connection handed over by `app.migrations`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import app.customers.models
import app.events.models
import app.idempotency.models
import app.merchants.models
import app.persisted.models
import app.replays.models
import app.webhooks.models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
