"""The signing client: the digest it sends is the documented one, over exactly the bytes it sends."""

from __future__ import annotations

import hashlib
import json

import httpx

from app.auth import signature_digest
from app.client.auth import BearerAuth, SignedAuth, authorization_header, digest, fetch_token


def test_digest_is_the_documented_sha512() -> None:
    expected = hashlib.sha512(b'key1700000000tok/v2/customers?limit=2{"a":1}').hexdigest()

    ours = digest(
        merchant_key="key",
        timestamp=1700000000,
        authenticity_token="tok",
        target="/v2/customers?limit=2",
        body=b'{"a":1}',
    )
    servers = signature_digest(
        merchant_key="key",
        timestamp=1700000000,
        authenticity_token="tok",
        fullpath="/v2/customers?limit=2",
        body=b'{"a":1}',
    )

    assert ours == expected == servers


def test_header_layout() -> None:
    header = authorization_header(
        authenticity_token="tok", merchant_key="key", target="/v2/customers", timestamp=5
    )
    scheme, token, timestamp, signature = header.split(" ")
    assert (scheme, token, timestamp) == ("WP3-v2.1", "tok", "5")
    assert signature == hashlib.sha512(b"key5tok/v2/customers").hexdigest()


def test_signed_auth_signs_the_raw_target_and_the_sent_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "approved"})

    auth = SignedAuth("tok", "key", clock=lambda: 1700000000.9)
    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://gateway", auth=auth) as client:
        client.get("/v2/merchants/customers/a b", params={"limit": 2})
        client.post("/v2/customers", json={"name": "Zoë"})

    get, post = seen
    target = "/v2/merchants/customers/a%20b?limit=2"
    assert get.url.raw_path.decode() == target
    assert get.headers["Authorization"] == authorization_header(
        authenticity_token="tok", merchant_key="key", target=target, timestamp=1700000000
    )
    assert json.loads(post.content) == {"name": "Zoë"}
    assert post.headers["Authorization"] == authorization_header(
        authenticity_token="tok",
        merchant_key="key",
        target="/v2/customers",
        body=post.content,
        timestamp=1700000000,
    )


def test_secrets_stay_out_of_reprs() -> None:
    assert "key" not in repr(SignedAuth("tok", "key")).replace("merchant_key", "")
    assert "secret-token" not in repr(BearerAuth("secret-token"))


def test_fetch_token_posts_client_credentials() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert request.url.path == "/v2/oauth" and "Authorization" not in request.headers
        assert body == {
            "client_id": "tok",
            "client_secret": "key",
            "grant_type": "client_credentials",
            "scopes": ["customers"],
        }
        return httpx.Response(200, json={"status": "approved", "access_token": "abc", "token_type": "Bearer"})

    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://gateway") as client:
        assert fetch_token(client, "tok", "key", ["customers"]) == "abc"
