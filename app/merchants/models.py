"""Tables for merchants and the access tokens they obtain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from app.db.column_types import BigIntKey, UTCDateTime


class MerchantTable(SQLModel, table=True):
    """A tenant: every customer belongs to exactly one merchant."""

    __tablename__ = "merchants"

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    name: str = Field(sa_column=Column(String, nullable=False))
    authenticity_token: str = Field(sa_column=Column(String, nullable=False, unique=True))
    merchant_key: str = Field(sa_column=Column(String, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class AccessTokenTable(SQLModel, table=True):
    """An issued Bearer token; only its SHA-256 is stored."""

    __tablename__ = "access_tokens"

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    merchant_id: int = Field(
        sa_column=Column(
            BigIntKey, ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    scopes: str = Field(sa_column=Column(String, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
