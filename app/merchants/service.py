"""Merchant credentials: creating merchants, issuing tokens, and turning an Authorization header into a
Principal. Both transports call `authenticate`; neither checks credentials itself."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from app.auth import (
    ALL_SCOPES,
    BearerCredentials,
    Principal,
    Scope,
    check_signature,
    hash_token,
    new_access_token,
    new_authenticity_token,
    new_merchant_key,
    parse_authorization,
    stored_scopes,
    unauthenticated,
)
from app.db.engines import Database
from app.errors import Conflict, ErrorCode, FieldError
from app.merchants import repository
from app.merchants.cache import TTLCache
from app.merchants.repository import Merchant, StoredToken
from app.merchants.rules import (
    check_grant_type,
    clean_credential,
    clean_merchant_name,
    clean_scopes,
    could_be_credential,
)
from app.secrets_at_rest import SecretBox, UndecryptableSecret, report_unreadable
from app.timestamps import utc_now


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued access token; the only moment the token itself exists outside the client."""

    access_token: str
    expires_in: int
    scopes: frozenset[Scope]


class MerchantService:
    """Merchants and their credentials."""

    def __init__(
        self,
        database: Database,
        *,
        signature_window_seconds: int,
        token_ttl_seconds: int,
        auth_cache_seconds: float = 5.0,
        secrets: SecretBox,
    ) -> None:
        self._db = database
        self._secrets = secrets  # merchant keys are stored sealed (encrypted); see app/secrets_at_rest.py
        self._window = signature_window_seconds
        self._token_ttl = token_ttl_seconds
        self._token_cache: TTLCache[StoredToken] = TTLCache(auth_cache_seconds)
        self._merchant_cache: TTLCache[Merchant] = TTLCache(auth_cache_seconds)

    async def create_merchant(
        self, *, name: str, authenticity_token: str | None = None, merchant_key: str | None = None
    ) -> Merchant:
        """Create a merchant with generated credentials, or with the ones its clients already use."""
        name = clean_merchant_name(name)
        token = clean_credential("authenticity_token", authenticity_token, new_authenticity_token)
        key = clean_credential("merchant_key", merchant_key, new_merchant_key)
        async with self._db.writer() as conn:
            try:
                stored = await repository.insert_merchant(
                    conn,
                    name=name,
                    authenticity_token=token,
                    merchant_key=self._secrets.seal(key),
                    now=utc_now(),
                )
                return replace(stored, merchant_key=key)
            except repository.DuplicateAuthenticityToken:
                message = "authenticity_token is already used by another merchant"
                raise Conflict(
                    message, [FieldError("authenticity_token", ErrorCode.ALREADY_EXISTS, message)]
                ) from None

    async def merchant_by_authenticity_token(self, authenticity_token: str) -> Merchant | None:
        """Look a merchant up by its public id; its key comes back decrypted."""
        if not could_be_credential(authenticity_token):
            return None  # no merchant has it, and the database would refuse it as a parameter
        stored = await repository.merchant_by_authenticity_token(self._db.prepared, authenticity_token)
        if stored is None:
            return None
        if self._secrets.needs_reseal(stored.merchant_key):
            await self._reseal(stored.id, stored.merchant_key)
        return replace(stored, merchant_key=self._secrets.open(stored.merchant_key))

    async def _reseal(self, merchant_id: int, stored_key: str) -> bool:
        """Re-encrypt one stored key with the current server key (a plaintext row from before keys were
        encrypted at rest, or a key sealed with a rotated-out server key)."""
        sealed = self._secrets.seal(self._secrets.open(stored_key))
        async with self._db.writer() as conn:
            return await repository.replace_stored_merchant_key(
                conn, merchant_id=merchant_id, old=stored_key, new=sealed
            )

    async def reseal_merchant_keys(self) -> int:
        """Encrypt every stored key that is plaintext or sealed with an old server key; how many changed.

        Run by `migrate` and `serve`, so keys are encrypted at rest from the first start on.
        """
        async with self._db.reader() as conn:
            rows = await repository.stored_merchant_keys(conn)
        resealed, unreadable = 0, []
        for merchant_id, stored_key in rows:
            if not self._secrets.needs_reseal(stored_key):
                continue
            try:
                resealed += int(await self._reseal(merchant_id, stored_key))
            except UndecryptableSecret:
                unreadable.append(merchant_id)
        sealed = sum(SecretBox.is_sealed(stored_key) for _, stored_key in rows)
        report_unreadable(unreadable, sealed=sealed)
        return resealed

    async def _cached_merchant(self, authenticity_token: str) -> Merchant | None:
        merchant = self._merchant_cache.get(authenticity_token)
        if merchant is None:
            merchant = await self.merchant_by_authenticity_token(authenticity_token)
            if merchant is not None:
                self._merchant_cache.put(authenticity_token, merchant)
        return merchant

    async def _cached_token(self, token_hash: str) -> StoredToken | None:
        stored = self._token_cache.get(token_hash)
        if stored is None:
            stored = await repository.token_by_hash(self._db.prepared, token_hash)
            if stored is not None:
                self._token_cache.put(token_hash, stored)
        return stored

    def forget_cached_credentials(self) -> None:
        """Drop cached grants and keys so a revocation or rotation made here applies at once."""
        self._token_cache.clear()
        self._merchant_cache.clear()

    async def issue_token(
        self,
        *,
        grant_type: str | None,
        client_id: str | None,
        client_secret: str | None,
        scopes: Any = None,
        ttl_seconds: int | None = None,
    ) -> IssuedToken:
        """Trade client credentials for a scoped, expiring Bearer token.

        `scopes`: None for every scope, else scope names (see `clean_scopes`); `ttl_seconds` overrides
        the configured lifetime (the demo's long-lived token).
        """
        check_grant_type(grant_type)
        if not client_id or client_secret is None:
            raise unauthenticated("client_id and client_secret are required")
        granted = clean_scopes(scopes)
        merchant = await self.merchant_by_authenticity_token(client_id)
        if merchant is None or not hmac.compare_digest(
            merchant.merchant_key.encode(), client_secret.encode()
        ):
            raise unauthenticated("invalid client credentials")
        token = new_access_token()
        ttl = self._token_ttl if ttl_seconds is None else ttl_seconds
        now = utc_now()
        async with self._db.writer() as conn:
            await repository.insert_token(
                conn,
                merchant_id=merchant.id,
                token_hash=hash_token(token),
                scopes=" ".join(sorted(granted)),
                now=now,
                expires_at=now + timedelta(seconds=ttl),
            )
        return IssuedToken(access_token=token, expires_in=ttl, scopes=granted)

    async def authenticate(self, authorization: str | None, *, fullpath: str, body: bytes) -> Principal:
        """The caller behind an Authorization header; Unauthenticated when anything is off."""
        credentials = parse_authorization(authorization)
        if isinstance(credentials, BearerCredentials):
            stored = await self._cached_token(hash_token(credentials.token))
            if stored is None:
                raise unauthenticated("unknown access token")
            if stored.expires_at <= utc_now():
                raise unauthenticated("access token expired")
            return Principal(merchant_id=stored.merchant_id, scopes=stored_scopes(stored.scopes))
        merchant = await self._cached_merchant(credentials.authenticity_token)
        if merchant is None:
            raise unauthenticated("unknown authenticity token")
        check_signature(
            credentials,
            merchant_key=merchant.merchant_key,
            fullpath=fullpath,
            body=body,
            now=time.time(),
            window_seconds=self._window,
        )
        return Principal(merchant_id=merchant.id, scopes=ALL_SCOPES)
