"""SQL for merchants and access tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.raw_reads import PreparedReader
from app.db.tables import table_of
from app.merchants.models import AccessTokenTable, MerchantTable

merchants = table_of(MerchantTable)
tokens = table_of(AccessTokenTable)


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


_m = merchants.c
_MERCHANT_BY_AUTHENTICITY_TOKEN = select(_m.id, _m.name, _m.authenticity_token, _m.merchant_key).where(
    _m.authenticity_token == bindparam("authenticity_token")
)
_TOKEN_BY_HASH = select(tokens.c.merchant_id, tokens.c.scopes, tokens.c.expires_at).where(
    tokens.c.token_hash == bindparam("token_hash")
)


async def merchant_by_authenticity_token(reader: PreparedReader, authenticity_token: str) -> Merchant | None:
    """The merchant that owns this public id (a prepared read: it runs on every signed request)."""
    rows = await reader.fetch(_MERCHANT_BY_AUTHENTICITY_TOKEN, {"authenticity_token": authenticity_token})
    return Merchant(*rows[0]) if rows else None


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


async def token_by_hash(reader: PreparedReader, token_hash: str) -> StoredToken | None:
    """The grant stored for a token hash (a prepared read: it runs on every Bearer request)."""
    rows = await reader.fetch(_TOKEN_BY_HASH, {"token_hash": token_hash})
    return StoredToken(*rows[0]) if rows else None


# --- administration (`python -m app merchants list|rotate-key`, `tokens revoke`) ----------------------


@dataclass(frozen=True, slots=True)
class MerchantSummary:
    """A merchant as the admin CLI lists it: never its key."""

    id: int
    name: str
    authenticity_token: str
    created_at: datetime
    active_tokens: int


async def list_merchants(conn: AsyncConnection, *, now: datetime) -> list[MerchantSummary]:
    """Every merchant, oldest first, with its count of unexpired access tokens."""
    m, t = merchants.c, tokens.c
    active = (
        select(func.count())
        .select_from(tokens)
        .where(t.merchant_id == m.id, t.expires_at > now)
        .scalar_subquery()
    )
    rows = await conn.execute(select(m.id, m.name, m.authenticity_token, m.created_at, active).order_by(m.id))
    return [MerchantSummary(*row) for row in rows]


async def rotate_merchant_key(
    conn: AsyncConnection, *, authenticity_token: str, stored_key: str
) -> tuple[int, str] | None:
    """Store a new (already sealed) merchant key; (id, name) of the merchant, None when unknown."""
    m = merchants.c
    row = (
        await conn.execute(
            update(merchants)
            .where(m.authenticity_token == authenticity_token)
            .values(merchant_key=stored_key)
            .returning(m.id, m.name)
        )
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


async def merchant_id_by_authenticity_token(conn: AsyncConnection, authenticity_token: str) -> int | None:
    """The id of the merchant owning this public id (no key read, nothing cached)."""
    m = merchants.c
    return (await conn.execute(select(m.id).where(m.authenticity_token == authenticity_token))).scalar()


async def delete_token_by_hash(conn: AsyncConnection, token_hash: str) -> int:
    """Revoke one access token; the number of tokens removed (0 or 1)."""
    result = await conn.execute(delete(tokens).where(tokens.c.token_hash == token_hash))
    return result.rowcount or 0


async def delete_tokens_of_merchant(conn: AsyncConnection, merchant_id: int) -> int:
    """Revoke every access token of a merchant; how many were removed."""
    result = await conn.execute(delete(tokens).where(tokens.c.merchant_id == merchant_id))
    return result.rowcount or 0


# --- merchant keys at rest: the service encrypts, these only store ----------------------------------


async def stored_merchant_keys(conn: AsyncConnection) -> list[tuple[int, str]]:
    """Every merchant's id and stored key, for re-encrypting them in one pass."""
    return [(row[0], row[1]) for row in await conn.execute(select(merchants.c.id, merchants.c.merchant_key))]


async def replace_stored_merchant_key(conn: AsyncConnection, *, merchant_id: int, old: str, new: str) -> bool:
    """Swap a merchant's stored key for `new` if it is still `old` (False: someone changed it first)."""
    result = await conn.execute(
        update(merchants)
        .where(merchants.c.id == merchant_id, merchants.c.merchant_key == old)
        .values(merchant_key=new)
    )
    return bool(result.rowcount)
