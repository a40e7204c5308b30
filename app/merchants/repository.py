"""SQL for merchants and access tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.merchants.models import AccessTokenTable, MerchantTable

merchants = MerchantTable.__table__
tokens = AccessTokenTable.__table__


@dataclass(frozen=True, slots=True)
class Merchant:
    """A merchant and its credentials."""

    id: int
    name: str
    authenticity_token: str
    merchant_key: str


@dataclass(frozen=True, slots=True)
class StoredToken:
    """An access token's grant, found by its hash."""

    merchant_id: int
    scopes: str
    expires_at: datetime


class DuplicateAuthenticityToken(Exception):
    """Another merchant already has this authenticity_token."""


async def insert_merchant(
    conn: AsyncConnection, *, name: str, authenticity_token: str, merchant_key: str, now: datetime
) -> Merchant:
    """Create a merchant."""
    statement = (
        insert(merchants)
        .values(name=name, authenticity_token=authenticity_token, merchant_key=merchant_key, created_at=now)
        .returning(merchants.c.id)
    )
    try:
        merchant_id = (await conn.execute(statement)).scalar_one()
    except IntegrityError as error:
        raise DuplicateAuthenticityToken from error
    return Merchant(merchant_id, name, authenticity_token, merchant_key)


async def merchant_by_authenticity_token(conn: AsyncConnection, authenticity_token: str) -> Merchant | None:
    """The merchant that owns this public id."""
    m = merchants.c
    row = (
        await conn.execute(
            select(m.id, m.name, m.authenticity_token, m.merchant_key).where(
                m.authenticity_token == authenticity_token
            )
        )
    ).first()
    return None if row is None else Merchant(*row)


async def insert_token(
    conn: AsyncConnection,
    *,
    merchant_id: int,
    token_hash: str,
    scopes: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    """Store an issued token's hash and grant; expired tokens of the merchant are swept on the way."""
    await conn.execute(delete(tokens).where(tokens.c.merchant_id == merchant_id, tokens.c.expires_at < now))
    await conn.execute(
        insert(tokens).values(
            merchant_id=merchant_id,
            token_hash=token_hash,
            scopes=scopes,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def token_by_hash(conn: AsyncConnection, token_hash: str) -> StoredToken | None:
    """The grant stored for a token hash."""
    t = tokens.c
    row = (
        await conn.execute(select(t.merchant_id, t.scopes, t.expires_at).where(t.token_hash == token_hash))
    ).first()
    return None if row is None else StoredToken(*row)
