"""The admin CLI run as an operator would (subprocesses), checked through HTTP on both databases:
`merchants list`, `merchants rotate-key`, `tokens revoke`.

The app under test caches nothing (auth_cache_seconds=0); a production server keeps accepting a rotated
key or a revoked token for at most GATEWAY_AUTH_CACHE_SECONDS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.client.auth import BearerAuth, SignedAuth, token_request_body
from app.main import create_app
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY

SERVER_KEY = str(TEST_SECRET_KEY)  # the key of every test: serve and migrate re-encrypt all merchants' keys


def cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m app ...` with the test's server key (merchant keys are stored sealed with it)."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=cwd,
        env={**os.environ, "GATEWAY_SECRET_KEY": SERVER_KEY},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def cli_json(*args: str, cwd: Path) -> Any:
    result = cli(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP to an app on the test database that re-reads credentials on every request."""
    settings = Settings(database_url=database_url, secret_key=TEST_SECRET_KEY, auth_cache_seconds=0)
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c
    await app.state.services.close()


async def token_for(client: httpx.AsyncClient, merchant: dict[str, Any]) -> str:
    """A fresh access token of the merchant, from POST /v2/oauth."""
    body = token_request_body(merchant["authenticity_token"], merchant["merchant_key"])
    response = await client.post("/v2/oauth", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def signed(merchant: dict[str, Any], key: str | None = None) -> SignedAuth:
    return SignedAuth(merchant["authenticity_token"], key or merchant["merchant_key"])


async def test_rotate_key_rejects_the_old_key_and_revokes_tokens(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    merchant = cli_json(
        "merchants", "create", "--name", "Rotating", "--database-url", database_url, cwd=tmp_path
    )
    bearer = BearerAuth(await token_for(client, merchant))
    assert (await client.get("/v2/customers", auth=signed(merchant))).status_code == 200

    rotated = cli_json(
        "merchants",
        "rotate-key",
        "--authenticity-token",
        merchant["authenticity_token"],
        "--database-url",
        database_url,
        cwd=tmp_path,
    )

    assert rotated["authenticity_token"] == merchant["authenticity_token"]
    assert rotated["merchant_key"] != merchant["merchant_key"] and rotated["revoked_tokens"] == 1
    assert (await client.get("/v2/customers", auth=signed(merchant))).status_code == 401
    assert (await client.get("/v2/customers", auth=signed(rotated))).status_code == 200
    assert (await client.get("/v2/customers", auth=bearer)).status_code == 401
    old_credentials = token_request_body(merchant["authenticity_token"], merchant["merchant_key"])
    assert (await client.post("/v2/oauth", json=old_credentials)).status_code == 401


async def test_rotate_key_can_set_a_given_key_and_keep_tokens(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    merchant = cli_json(
        "merchants", "create", "--name", "Keeper", "--database-url", database_url, cwd=tmp_path
    )
    bearer = BearerAuth(await token_for(client, merchant))

    rotated = cli_json(
        "merchants",
        "rotate-key",
        "--authenticity-token",
        merchant["authenticity_token"],
        "--merchant-key",
        "chosen-secret-1",
        "--keep-tokens",
        "--database-url",
        database_url,
        cwd=tmp_path,
    )

    assert rotated["merchant_key"] == "chosen-secret-1" and rotated["revoked_tokens"] == 0
    assert (await client.get("/v2/customers", auth=signed(merchant, "chosen-secret-1"))).status_code == 200
    assert (await client.get("/v2/customers", auth=bearer)).status_code == 200


def test_rotate_key_of_an_unknown_merchant_fails(database_url: str, tmp_path: Path) -> None:
    result = cli(
        "merchants",
        "rotate-key",
        "--authenticity-token",
        "nobody",
        "--database-url",
        database_url,
        cwd=tmp_path,
    )

    assert result.returncode != 0 and "no merchant" in result.stderr


async def test_list_shows_merchants_and_active_tokens_but_never_keys(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    merchant = cli_json(
        "merchants", "create", "--name", "Listed", "--database-url", database_url, cwd=tmp_path
    )
    await token_for(client, merchant)
    await token_for(client, merchant)

    result = cli("merchants", "list", "--database-url", database_url, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    mine = next(row for row in rows if row["authenticity_token"] == merchant["authenticity_token"])
    assert mine == {
        "id": merchant["id"],
        "name": "Listed",
        "authenticity_token": merchant["authenticity_token"],
        "created_at": mine["created_at"],
        "active_tokens": 2,
    }
    assert merchant["merchant_key"] not in result.stdout


async def test_revoke_one_token_then_every_token_of_a_merchant(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    merchant = cli_json(
        "merchants", "create", "--name", "Revoker", "--database-url", database_url, cwd=tmp_path
    )
    tokens = [await token_for(client, merchant) for _ in range(3)]
    first, second, third = (BearerAuth(token) for token in tokens)
    first_token = tokens[0]

    one = cli_json("tokens", "revoke", "--token", first_token, "--database-url", database_url, cwd=tmp_path)
    after_one = [
        (await client.get("/v2/customers", auth=auth)).status_code for auth in (first, second, third)
    ]
    again = cli(
        "tokens", "revoke", "--token", "-", "--database-url", database_url, cwd=tmp_path, stdin=first_token
    )
    every = cli_json(
        "tokens",
        "revoke",
        "--merchant",
        merchant["authenticity_token"],
        "--database-url",
        database_url,
        cwd=tmp_path,
    )
    after_all = [(await client.get("/v2/customers", auth=auth)).status_code for auth in (second, third)]

    assert one == {"revoked_tokens": 1} and after_one == [401, 200, 200]
    assert again.returncode == 0 and json.loads(again.stdout) == {"revoked_tokens": 0}
    assert every == {"revoked_tokens": 2} and after_all == [401, 401]
    assert (await client.get("/v2/customers", auth=signed(merchant))).status_code == 200


def test_revoke_needs_a_token_or_a_merchant(database_url: str, tmp_path: Path) -> None:
    nothing = cli("tokens", "revoke", "--database-url", database_url, cwd=tmp_path)
    unknown = cli("tokens", "revoke", "--merchant", "nobody", "--database-url", database_url, cwd=tmp_path)

    assert nothing.returncode == 2 and "--token" in nothing.stderr
    assert unknown.returncode != 0 and "no merchant" in unknown.stderr
