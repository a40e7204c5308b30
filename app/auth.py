"""Authentication primitives both transports share: pure functions, no storage, no HTTP.

WP3-v2.1 signatures: `Authorization: WP3-v2.1 <authenticity_token> <timestamp> <digest>` where digest is
the lowercase hex SHA-512 of merchant_key + timestamp + authenticity_token + fullpath + body.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from app.errors import Forbidden, Unauthenticated

SIGNATURE_SCHEME = "WP3-v2.1"
BEARER_SCHEME = "Bearer"


class Scope(StrEnum):
    """What an access token may do, as `POST /v2/oauth` grants it."""

    CUSTOMERS = "customers"
    PAYMENT_METHODS = "payment-methods"
    # Handed to browser frontends: a token a page can hold without being able to change anything.
    CUSTOMERS_READ = "customers:read"
    # Registering webhook endpoints decides where customer data is sent: a scope of its own.
    WEBHOOKS = "webhooks"


ALL_SCOPES = frozenset(Scope)


@cache
def stored_scopes(text: str) -> frozenset[Scope]:
    """The scopes a token row keeps as space-separated text (a token holds one of a few combinations;
    worked out once per combination, not on every request)."""
    return frozenset(Scope(name) for name in text.split())


class Access(StrEnum):
    """What one operation does, in the terms scopes are granted for (the value completes a sentence)."""

    READ_CUSTOMERS = "read customers"
    WRITE_CUSTOMERS = "change customers"
    READ_PAYMENT_METHODS = "read a customer's payment methods"
    WRITE_PAYMENT_METHODS = "change a customer's payment methods"
    LIST_MERCHANT_PAYMENT_METHODS = "list the merchant's payment methods"
    MANAGE_WEBHOOKS = "manage webhook endpoints"


# The one table of which scopes grant what: any one of an access's scope sets is enough.
# `payment-methods` alone lists the merchant's cards because the official Ruby SDK mints exactly that
# token for `GET /v2/payment-methods` and its live test expects `approved`.
GRANTS: Mapping[Access, tuple[frozenset[Scope], ...]] = {
    Access.READ_CUSTOMERS: (frozenset({Scope.CUSTOMERS}), frozenset({Scope.CUSTOMERS_READ})),
    Access.WRITE_CUSTOMERS: (frozenset({Scope.CUSTOMERS}),),
    Access.READ_PAYMENT_METHODS: (
        frozenset({Scope.CUSTOMERS, Scope.PAYMENT_METHODS}),
        frozenset({Scope.CUSTOMERS_READ}),
    ),
    Access.WRITE_PAYMENT_METHODS: (frozenset({Scope.CUSTOMERS, Scope.PAYMENT_METHODS}),),
    Access.LIST_MERCHANT_PAYMENT_METHODS: (
        frozenset({Scope.PAYMENT_METHODS}),
        frozenset({Scope.CUSTOMERS_READ}),
    ),
    Access.MANAGE_WEBHOOKS: (frozenset({Scope.WEBHOOKS}),),
}


def grants(scopes: frozenset[Scope], access: Access) -> bool:
    """True when these scopes allow this access."""
    return any(needed <= scopes for needed in GRANTS[access])


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the merchant every query is scoped to, and what it may do."""

    merchant_id: int
    scopes: frozenset[Scope]

    def require(self, *scopes: Scope) -> None:
        """Raise Forbidden unless every scope is granted."""
        missing = [scope for scope in scopes if scope not in self.scopes]
        if missing:
            names = ", ".join(scope.value for scope in missing)
            raise Forbidden(f"the access token lacks the scope: {names}")

    def may(self, access: Access) -> bool:
        """True when the caller's scopes allow this access."""
        return grants(self.scopes, access)

    def require_access(self, access: Access) -> None:
        """Raise Forbidden unless the caller's scopes allow this access, naming what is missing for each way
        of being allowed (`payment-methods or customers:read`)."""
        if self.may(access):
            return
        options = " or ".join(" + ".join(sorted(needed - self.scopes)) for needed in GRANTS[access])
        raise Forbidden(f"the access token lacks the scope: {options} (to {access.value})")


@dataclass(frozen=True, slots=True)
class SignedCredentials:
    """The parts of a WP3-v2.1 Authorization header."""

    authenticity_token: str
    timestamp: int
    digest: str


@dataclass(frozen=True, slots=True)
class BearerCredentials:
    """A Bearer access token as sent."""

    token: str


def unauthenticated(reason: str) -> Unauthenticated:
    """An Unauthenticated error whose message names the Authorization header (clients look for it)."""
    return Unauthenticated(f"Authorization failed: {reason}")


def parse_authorization(header: str | None) -> SignedCredentials | BearerCredentials:
    """Split an Authorization header into credentials; anything unreadable is Unauthenticated."""
    if not header:
        raise unauthenticated("missing Authorization header")
    parts = header.split()
    if len(parts) == 2 and parts[0].lower() == BEARER_SCHEME.lower():
        return BearerCredentials(token=parts[1])
    if parts and parts[0] == SIGNATURE_SCHEME:
        if len(parts) != 4:
            raise unauthenticated("malformed WP3-v2.1 Authorization header")
        token, timestamp, digest = parts[1], parts[2], parts[3]
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            raise unauthenticated("malformed timestamp in Authorization header")
        return SignedCredentials(authenticity_token=token, timestamp=int(timestamp), digest=digest)
    raise unauthenticated("unsupported Authorization scheme")


def signature_digest(
    *, merchant_key: str, timestamp: int | str, authenticity_token: str, fullpath: str, body: bytes
) -> str:
    """The WP3-v2.1 digest: hex SHA-512 over key, timestamp, token, raw request target and raw body."""
    prefix = f"{merchant_key}{timestamp}{authenticity_token}{fullpath}".encode()
    return hashlib.sha512(prefix + body).hexdigest()


def check_signature(
    credentials: SignedCredentials,
    *,
    merchant_key: str,
    fullpath: str,
    body: bytes,
    now: float,
    window_seconds: int,
) -> None:
    """Accept a signature only with a fresh timestamp and a digest that matches (constant-time)."""
    if abs(now - credentials.timestamp) > window_seconds:
        raise unauthenticated("timestamp in Authorization header is outside the allowed window")
    expected = signature_digest(
        merchant_key=merchant_key,
        timestamp=credentials.timestamp,
        authenticity_token=credentials.authenticity_token,
        fullpath=fullpath,
        body=body,
    )
    if not hmac.compare_digest(expected.encode(), credentials.digest.lower().encode()):
        raise unauthenticated("signature in Authorization header does not match")


def new_access_token() -> str:
    """A fresh random access token (32 random bytes)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """How a token is stored and looked up: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_authenticity_token() -> str:
    """A generated public merchant id: 40 hex characters."""
    return secrets.token_hex(20)


def new_merchant_key() -> str:
    """A generated shared secret for signing."""
    return secrets.token_hex(32)
