"""persisted queries registered by Apollo's automatic persisted queries protocol

Revision ID: 0004_persisted_queries
Revises: 0003_idempotency_outcomes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.column_types

revision = "0004_persisted_queries"
down_revision = "0003_idempotency_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persisted_queries",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", app.db.column_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )


def downgrade() -> None:
    op.drop_table("persisted_queries")
