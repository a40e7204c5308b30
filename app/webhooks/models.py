"""Tables of webhooks: the endpoints merchants register, one delivery per (event, endpoint), and every
attempt made to send one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from app.db.column_types import BigIntKey, UTCDateTime


class WebhookEndpointTable(SQLModel, table=True):
    """A URL a merchant wants events POSTed to, with the secret deliveries are signed with."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_merchant", "merchant_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    public_id: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    merchant_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False)
    )
    url: str = Field(sa_column=Column(String(2048), nullable=False))
    description: str = Field(sa_column=Column(String(255), nullable=False))
    # Wire names of the event types wanted; empty: every type.
    event_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # Sealed with the server key (app/secrets_at_rest.py), like merchant keys.
    secret: str = Field(sa_column=Column(Text, nullable=False))
    enabled: bool = Field(sa_column=Column(Boolean, nullable=False))
    disabled_reason: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class WebhookDeliveryTable(SQLModel, table=True):
    """One event owed to one endpoint: pending until a 2xx, failed once the schedule is spent.

    `next_attempt_at` is both the retry time and the lease of a claimed delivery: claiming moves it past
    the request timeout, so no other worker takes the delivery while it is being sent, and a worker
    killed mid-send leaves it to be claimed again once the lease runs out.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # What workers claim: pending deliveries that are due, oldest due first.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    endpoint_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False)
    )
    event_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    )
    status: str = Field(sa_column=Column(String(16), nullable=False))
    # Attempts started so far; also the fencing token of the current claim.
    attempts: int = Field(sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class WebhookAttemptTable(SQLModel, table=True):
    """One try at sending a delivery: what came back and how long it took."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_endpoint", "endpoint_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    endpoint_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False)
    )
    delivery_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False)
    )
    event_public_id: str = Field(sa_column=Column(String(40), nullable=False))
    attempt: int = Field(sa_column=Column(Integer, nullable=False))
    status_code: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    succeeded: bool = Field(sa_column=Column(Boolean, nullable=False))
    duration_ms: int = Field(sa_column=Column(Integer, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    attempted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
