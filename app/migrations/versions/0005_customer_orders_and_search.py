"""customer orders, filters and search: sort-key columns, their indexes, search and metadata indexes

Revision ID: 0005_customer_orders_and_search
Revises: 0004_persisted_queries

SQLite: the sort keys are virtual generated columns (adding one rewrites nothing), the search is an FTS5
table over the live customers kept in step by triggers, so inside every writing transaction. PostgreSQL:
stored generated columns, a GIN index over the searched fields' tsvector and one over metadata as jsonb.
The PostgreSQL search expression is app.customers.search.POSTGRES_DOCUMENT, character for character: the
planner uses the index only for that exact expression.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_customer_orders_and_search"
down_revision = "0004_persisted_queries"
branch_labels = None
depends_on = None

_LIVE = sa.text("deleted_at IS NULL")
_SEARCHED = ("name", "email", "merchant_customer_id", "phone", "city")
_DOCUMENT = (
    "to_tsvector('simple'::regconfig, regexp_replace(lower("
    "coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(merchant_customer_id, '') || ' ' "
    "|| coalesce(phone, '') || ' ' || coalesce(city, '')), '[^[:alnum:]]+', ' ', 'g'))"
)
_TRIGGERS = ("customers_search_insert", "customers_search_update", "customers_search_delete")


def _columns(prefix: str) -> str:
    return ", ".join(f"{prefix}{name}" for name in _SEARCHED)


def _sqlite_search() -> None:
    fields, new, old = _columns(""), _columns("new."), _columns("old.")
    # External content: the index stores no copy of the text; a prefix index for 1-3 letter prefixes
    # keeps short searches (what people type first) a range lookup.
    op.execute(
        f"CREATE VIRTUAL TABLE customers_search USING fts5({fields}, content='customers', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
    )
    remove = (
        f"INSERT INTO customers_search(customers_search, rowid, {fields}) VALUES ('delete', old.id, {old});"
    )
    add = f"INSERT INTO customers_search(rowid, {fields}) VALUES (new.id, {new});"
    op.execute(
        f"CREATE TRIGGER customers_search_insert AFTER INSERT ON customers "
        f"WHEN new.deleted_at IS NULL BEGIN {add} END"
    )
    op.execute(
        f"CREATE TRIGGER customers_search_delete AFTER DELETE ON customers "
        f"WHEN old.deleted_at IS NULL BEGIN {remove} END"
    )
    # An update re-indexes only when a searched field or the deleted state changes; deleted customers
    # leave the index (they are never listed).
    op.execute(
        f"CREATE TRIGGER customers_search_update AFTER UPDATE OF {fields}, deleted_at ON customers BEGIN "
        f"INSERT INTO customers_search(customers_search, rowid, {fields}) "
        f"SELECT 'delete', old.id, {old} WHERE old.deleted_at IS NULL; "
        f"INSERT INTO customers_search(rowid, {fields}) SELECT new.id, {new} WHERE new.deleted_at IS NULL; "
        "END"
    )
    op.execute(
        f"INSERT INTO customers_search(rowid, {fields}) SELECT id, {fields} FROM customers "
        "WHERE deleted_at IS NULL"
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    stored = not sqlite  # SQLite can add only virtual generated columns; PostgreSQL only stored ones
    for field in ("name", "email"):
        op.add_column(
            "customers",
            sa.Column(
                f"{field}_missing",
                sa.Integer(),
                sa.Computed(f"CASE WHEN {field} IS NULL THEN 1 ELSE 0 END", persisted=stored),
            ),
        )
        op.add_column(
            "customers",
            sa.Column(
                f"{field}_key", sa.String(), sa.Computed(f"coalesce(lower({field}), '')", persisted=stored)
            ),
        )
    live: dict[str, Any] = {"sqlite_where": _LIVE, "postgresql_where": _LIVE}
    op.create_index(
        "ix_customers_merchant_updated_live",
        "customers",
        ["merchant_id", sa.text("updated_at DESC"), sa.text("id DESC")],
        **live,
    )
    op.create_index(
        "ix_customers_merchant_name_live",
        "customers",
        ["merchant_id", "name_missing", "name_key", "id"],
        **live,
    )
    op.create_index(
        "ix_customers_merchant_email_live",
        "customers",
        ["merchant_id", "email_missing", "email_key", "id"],
        **live,
    )
    if sqlite:
        _sqlite_search()
        return
    op.execute(
        f"CREATE INDEX ix_customers_search_live ON customers USING gin (({_DOCUMENT})) "
        "WHERE deleted_at IS NULL"
    )
    op.execute(
        "CREATE INDEX ix_customers_metadata_live ON customers "
        "USING gin ((metadata::jsonb) jsonb_path_ops) WHERE deleted_at IS NULL"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for trigger in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS customers_search")
    else:
        op.drop_index("ix_customers_metadata_live", table_name="customers")
        op.drop_index("ix_customers_search_live", table_name="customers")
    for name in ("email", "name", "updated"):
        op.drop_index(f"ix_customers_merchant_{name}_live", table_name="customers")
    for field in ("email", "name"):
        if sqlite:
            # SQLite drops a virtual generated column in place; a batch copy of the table would reflect the
            # other generated columns as plain ones and collide with them.
            op.execute(f"ALTER TABLE customers DROP COLUMN {field}_key")
            op.execute(f"ALTER TABLE customers DROP COLUMN {field}_missing")
        else:
            with op.batch_alter_table("customers") as batch:
                batch.drop_column(f"{field}_key")
                batch.drop_column(f"{field}_missing")
