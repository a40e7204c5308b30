"""webhooks: endpoints, deliveries, attempts, and the events still to fan out

Revision ID: 0007_webhooks
Revises: 0006_events

Events written before this revision are not delivered to endpoints created after it: their
`webhooks_pending` stays NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.db.column_types import BigIntKey, UTCDateTime

revision = "0007_webhooks"
down_revision = "0006_events"
branch_labels = None
depends_on = None

# The worker queries `webhooks_pending IS NOT NULL` word for word: SQLite uses a partial index only then.
_PENDING = sa.text("webhooks_pending IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("webhooks_pending", sa.Boolean(), nullable=True))
    op.create_index(
        "ix_events_webhooks_pending", "events", ["id"], sqlite_where=_PENDING, postgresql_where=_PENDING
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", BigIntKey, primary_key=True, autoincrement=True),
        sa.Column("public_id", sa.String(length=40), nullable=False, unique=True),
        sa.Column(
            "merchant_id", BigIntKey, sa.ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(length=255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_webhook_endpoints_merchant", "webhook_endpoints", ["merchant_id", "id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", BigIntKey, primary_key=True, autoincrement=True),
        sa.Column(
            "endpoint_id",
            BigIntKey,
            sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_id", BigIntKey, sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_endpoint", "webhook_deliveries", ["endpoint_id", "id"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", BigIntKey, primary_key=True, autoincrement=True),
        sa.Column(
            "endpoint_id",
            BigIntKey,
            sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "delivery_id",
            BigIntKey,
            sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_public_id", sa.String(length=40), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_webhook_attempts_endpoint", "webhook_attempts", ["endpoint_id", "id"])


def downgrade() -> None:
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    op.drop_index("ix_events_webhooks_pending", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("webhooks_pending")
