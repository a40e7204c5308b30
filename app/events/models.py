"""The outbox table: one row per committed change, written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, String, text
from sqlmodel import Field, SQLModel

from app.db.column_types import BigIntKey, UTCDateTime


class EventTable(SQLModel, table=True):
    """An event of one merchant. `id` is the feed's order (newest first) and its keyset cursor."""

    __tablename__ = "events"
    __table_args__ = (
        # The feed: a merchant's events newest first, whole or of one customer or of one type.
        Index("ix_events_merchant_id", "merchant_id", "id"),
        Index("ix_events_merchant_customer", "merchant_id", "customer_uuid", "id"),
        Index("ix_events_merchant_type", "merchant_id", "type", "id"),
        # The retention sweep deletes by age across merchants.
        Index("ix_events_created_at", "created_at"),
        # The webhook worker's queue: only events not yet fanned out to endpoints are in it (the worker's
        # queries say `webhooks_pending IS NOT NULL` word for word, or SQLite would not use it).
        Index(
            "ix_events_webhooks_pending",
            "id",
            sqlite_where=text("webhooks_pending IS NOT NULL"),
            postgresql_where=text("webhooks_pending IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    public_id: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    merchant_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False)
    )
    type: str = Field(sa_column=Column(String(40), nullable=False))
    customer_uuid: str = Field(sa_column=Column(String(36), nullable=False))
    # JSON, not JSONB: the published objects keep their key order.
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    previous_attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # True until the webhook worker has made the event's deliveries; then NULL (out of the index above).
    webhooks_pending: bool | None = Field(default=None, sa_column=Column(Boolean, nullable=True))
