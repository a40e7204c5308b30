"""The table of signatures already used by signed writes, kept until their timestamps go stale."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String
from sqlmodel import Field, SQLModel

from app.db.column_types import BigIntKey, UTCDateTime


class SeenSignatureTable(SQLModel, table=True):
    """A WP3-v2.1 digest (hashed) that already authorised a write; its unique index refuses a second."""

    __tablename__ = "seen_signatures"
    __table_args__ = (Index("ix_seen_signatures_merchant_expires", "merchant_id", "expires_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    merchant_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False)
    )
    signature_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    # The signature's timestamp plus the window: after that the timestamp check refuses it anyway.
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
