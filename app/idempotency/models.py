"""The table of idempotency keys: per merchant, the first answer to a write, kept for a while."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db.column_types import BigIntKey, UTCDateTime

KEY_MAX_LENGTH = 255
OUTCOME_MAX_LENGTH = 32


class IdempotencyKeyTable(SQLModel, table=True):
    """One Idempotency-Key of one merchant: which request used it first, and what it answered.

    The unique constraint is the arbiter between racing requests (and workers): the second insert of a
    key waits for the first transaction and then finds its row.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("merchant_id", "key", name="uq_idempotency_keys_merchant_key"),
        Index("ix_idempotency_keys_merchant_expires", "merchant_id", "expires_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    merchant_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(sa_column=Column(String(KEY_MAX_LENGTH), nullable=False))
    # Keyed hash of the request (method, path, body; or mutation and arguments), never the request.
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    # Set in the same transaction as the claim, so a committed row always has them. `outcome` is
    # `succeeded` or a domain error's code (app/idempotency/outcomes.py), never a transport's status.
    outcome: str | None = Field(default=None, sa_column=Column(String(OUTCOME_MAX_LENGTH), nullable=True))
    response_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
