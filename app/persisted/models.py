"""The table of documents registered by automatic persisted queries, keyed by their SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from app.db.column_types import UTCDateTime


class PersistedQueryTable(SQLModel, table=True):
    """One registered document. Not per merchant: the hash names the text, and knowing the hash of a
    document means knowing the document, so sharing it reveals nothing."""

    __tablename__ = "persisted_queries"

    sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
