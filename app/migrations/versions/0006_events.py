"""the events outbox

Revision ID: 0006_events
Revises: 0005_customer_orders_and_search

One row per committed change of a customer or its cards, written in the change's transaction; read by the
events feed and swept after the retention period.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.db.column_types import BigIntKey, UTCDateTime

revision = "0006_events"
down_revision = "0005_customer_orders_and_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", BigIntKey, primary_key=True, autoincrement=True),
        sa.Column("public_id", sa.String(length=40), nullable=False, unique=True),
        sa.Column(
            "merchant_id", BigIntKey, sa.ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("customer_uuid", sa.String(length=36), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("previous_attributes", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_events_merchant_id", "events", ["merchant_id", "id"])
    op.create_index("ix_events_merchant_customer", "events", ["merchant_id", "customer_uuid", "id"])
    op.create_index("ix_events_merchant_type", "events", ["merchant_id", "type", "id"])
    op.create_index("ix_events_created_at", "events", ["created_at"])


def downgrade() -> None:
    op.drop_table("events")
