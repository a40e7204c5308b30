"""Tables for customers and payment methods, with the indexes their queries need."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, String, text
from sqlmodel import Field, SQLModel

from app.db.column_types import BigIntKey, UTCDateTime

_NOT_DELETED = text("deleted_at IS NULL")


class CustomerTable(SQLModel, table=True):
    """One merchant's customer. `deleted_at` set means soft-deleted; `id` orders same-instant inserts."""

    __tablename__ = "customers"
    __table_args__ = (
        # The database, not Python, keeps merchant_customer_id unique among live customers, so racing
        # creates cannot both win; a deleted customer's id is free again.
        Index(
            "uq_customers_merchant_mcid_live",
            "merchant_id",
            "merchant_customer_id",
            unique=True,
            sqlite_where=_NOT_DELETED,
            postgresql_where=_NOT_DELETED,
        ),
        # Lists: newest first within a merchant, live rows only; also serves keyset cursors.
        Index(
            "ix_customers_merchant_created_live",
            "merchant_id",
            text("created_at DESC"),
            text("id DESC"),
            sqlite_where=_NOT_DELETED,
            postgresql_where=_NOT_DELETED,
        ),
        Index("ix_customers_merchant_email", "merchant_id", "email"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    uuid: str = Field(sa_column=Column(String(36), nullable=False, unique=True))
    merchant_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False)
    )
    merchant_customer_id: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    description: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    email: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    name: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    phone: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    # JSON, not JSONB: PostgreSQL's JSON keeps the client's key order, which responses must preserve.
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column("metadata", JSON, nullable=False))
    zip_code: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    city: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    address: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    country: str | None = Field(default=None, sa_column=Column(String(2), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class PaymentMethodTable(SQLModel, table=True):
    """A tokenised card attached to a customer; removed when the customer is deleted."""

    __tablename__ = "payment_methods"
    __table_args__ = (
        Index("ix_payment_methods_customer_created", "customer_id", text("created_at DESC"), text("id DESC")),
        Index("ix_payment_methods_merchant_created", "merchant_id", text("created_at DESC"), text("id DESC")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True, autoincrement=True))
    public_id: str = Field(sa_column=Column(String(36), nullable=False, unique=True))
    merchant_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("merchants.id", ondelete="CASCADE"), nullable=False)
    )
    customer_id: int = Field(
        sa_column=Column(BigIntKey, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    )
    masked_pan: str = Field(sa_column=Column(String, nullable=False))
    expiration_date: date = Field(sa_column=Column(Date, nullable=False))
    keep_until: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    token: str = Field(sa_column=Column(String, nullable=False))
    status: str = Field(default="active", sa_column=Column(String(16), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
