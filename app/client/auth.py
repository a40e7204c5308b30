"""A small client for the REST API: WP3-v2.1 request signing and Bearer tokens, as httpx auth plugins.

Deliberately independent of the server's code (only `hashlib` for the digest) so a merchant can copy it:

    import httpx
    from app.client.auth import SignedAuth

    auth = SignedAuth(authenticity_token="...", merchant_key="...")
    with httpx.Client(base_url="http://127.0.0.1:8000", auth=auth) as client:
        customer = client.post("/v2/customers", json={"email": "ada@example.com"}).json()
        client.get("/v2/customers", params={"limit": 10}).json()

The signature is computed over the exact bytes httpx will send: the request target as it goes on the
wire (path plus `?query`, percent-encoding as sent) and the encoded body. Signing anything re-built
from parts (a dict of params, a re-serialised JSON body) is how signatures silently stop matching.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Generator, Iterable
from typing import Any

import httpx

SIGNATURE_SCHEME = "WP3-v2.1"
DEFAULT_SCOPES = ("customers", "payment-methods")


def digest(*, merchant_key: str, timestamp: int, authenticity_token: str, target: str, body: bytes) -> str:
    """Lowercase hex SHA-512 of merchant_key + timestamp + authenticity_token + target + body."""
    prefix = f"{merchant_key}{timestamp}{authenticity_token}{target}".encode()
    return hashlib.sha512(prefix + body).hexdigest()


def authorization_header(
    *,
    authenticity_token: str,
    merchant_key: str,
    target: str,
    body: bytes = b"",
    timestamp: int | None = None,
) -> str:
    """The `Authorization` value for one request; `target` is the raw path plus `?query`."""
    when = int(time.time()) if timestamp is None else timestamp
    signature = digest(
        merchant_key=merchant_key,
        timestamp=when,
        authenticity_token=authenticity_token,
        target=target,
        body=body,
    )
    return f"{SIGNATURE_SCHEME} {authenticity_token} {when} {signature}"


def raw_target(request: httpx.Request) -> str:
    """The request target httpx puts on the wire (`/v2/customers?limit=2`), bytes exactly as sent."""
    return request.url.raw_path.decode("ascii")


class SignedAuth(httpx.Auth):
    """Signs every request with WP3-v2.1 (works with `httpx.Client` and `httpx.AsyncClient`)."""

    # httpx reads a streamed body before calling auth_flow, so `request.content` is the full body.
    requires_request_body = True

    def __init__(
        self, authenticity_token: str, merchant_key: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.authenticity_token = authenticity_token
        self._merchant_key = merchant_key
        self._clock = clock  # injectable so tests can send stale or future timestamps

    def __repr__(self) -> str:
        return f"SignedAuth({self.authenticity_token!r}, merchant_key=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the Authorization header computed over this request's target and body."""
        request.headers["Authorization"] = authorization_header(
            authenticity_token=self.authenticity_token,
            merchant_key=self._merchant_key,
            target=raw_target(request),
            body=request.content,
            timestamp=int(self._clock()),
        )
        yield request


class BearerAuth(httpx.Auth):
    """Sends `Authorization: Bearer <access_token>` (from `POST /v2/oauth`)."""

    def __init__(self, access_token: str) -> None:
        self._header = f"Bearer {access_token}"

    def __repr__(self) -> str:
        return "BearerAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the Bearer header."""
        request.headers["Authorization"] = self._header
        yield request


def token_request_body(
    authenticity_token: str, merchant_key: str, scopes: Iterable[str] = DEFAULT_SCOPES
) -> dict[str, Any]:
    """The JSON body of `POST /v2/oauth` (client credentials grant)."""
    return {
        "client_id": authenticity_token,
        "client_secret": merchant_key,
        "grant_type": "client_credentials",
        "scopes": list(scopes),
    }


def _access_token(response: httpx.Response) -> str:
    response.raise_for_status()
    return str(response.json()["access_token"])


def fetch_token(
    client: httpx.Client, authenticity_token: str, merchant_key: str, scopes: Iterable[str] = DEFAULT_SCOPES
) -> str:
    """Trade the merchant's credentials for an access token (raises httpx.HTTPStatusError on refusal)."""
    body = token_request_body(authenticity_token, merchant_key, scopes)
    return _access_token(client.post("/v2/oauth", json=body))


async def afetch_token(
    client: httpx.AsyncClient,
    authenticity_token: str,
    merchant_key: str,
    scopes: Iterable[str] = DEFAULT_SCOPES,
) -> str:
    """`fetch_token` for `httpx.AsyncClient`."""
    body = token_request_body(authenticity_token, merchant_key, scopes)
    return _access_token(await client.post("/v2/oauth", json=body))
