"""Merchant administration for operators (the admin CLI): list merchants, rotate a key, revoke tokens.

Kept apart from `MerchantService`, which serves requests: nothing here runs on a request path.
A change made here reaches running servers through the database. A server process that cached the old
key or token (GATEWAY_AUTH_CACHE_SECONDS, a few seconds) keeps accepting it until that entry expires.
"""

from __future__ import annotations

from collections.abc import Callable

from app.auth import hash_token, new_merchant_key
from app.db.engines import Database
from app.errors import NotFound
from app.merchants import repository
from app.merchants.repository import Merchant, MerchantSummary
from app.merchants.rules import clean_credential
from app.timestamps import utc_now


def _unchanged(key: str) -> str:
    return key


def _unknown_merchant(authenticity_token: str) -> NotFound:
    return NotFound(f"no merchant with authenticity_token {authenticity_token!r}")


class MerchantAdmin:
    """Operator actions on merchants and their credentials."""

    def __init__(self, database: Database, *, seal: Callable[[str], str] = _unchanged) -> None:
        self._db = database
        # How a merchant key is stored: encrypted with the server key when the app seals keys at rest.
        self._seal = seal

    async def list_merchants(self) -> list[MerchantSummary]:
        """Every merchant with its count of unexpired tokens (never its key)."""
        async with self._db.reader() as conn:
            return await repository.list_merchants(conn, now=utc_now())

    async def rotate_key(
        self, authenticity_token: str, merchant_key: str | None = None, *, revoke_tokens: bool = True
    ) -> tuple[Merchant, int]:
        """Give a merchant a new key (generated, or the one given); the old one stops working at once.

        By default the merchant's access tokens are revoked in the same transaction: a key is rotated
        because it may have leaked, and tokens obtained with it would outlive the rotation otherwise.
        Returns the merchant with its new key, and how many tokens were revoked.
        """
        key = clean_credential("merchant_key", merchant_key, new_merchant_key)
        async with self._db.writer() as conn:
            found = await repository.rotate_merchant_key(
                conn, authenticity_token=authenticity_token, stored_key=self._seal(key)
            )
            if found is None:
                raise _unknown_merchant(authenticity_token)
            merchant_id, name = found
            revoked = await repository.delete_tokens_of_merchant(conn, merchant_id) if revoke_tokens else 0
        return Merchant(merchant_id, name, authenticity_token, key), revoked

    async def revoke_token(self, access_token: str) -> int:
        """Revoke one access token (given as the client holds it); 0 when it was unknown or expired."""
        async with self._db.writer() as conn:
            return await repository.delete_token_by_hash(conn, hash_token(access_token))

    async def revoke_merchant_tokens(self, authenticity_token: str) -> int:
        """Revoke every access token of a merchant; how many there were."""
        async with self._db.writer() as conn:
            merchant_id = await repository.merchant_id_by_authenticity_token(conn, authenticity_token)
            if merchant_id is None:
                raise _unknown_merchant(authenticity_token)
            return await repository.delete_tokens_of_merchant(conn, merchant_id)
