"""Regressions for bugs the schemathesis run (tests/rest/test_fuzz.py) found, pinned as plain tests."""

from __future__ import annotations

import json

import httpx
import pytest


@pytest.mark.parametrize(
    ("client_id", "status"), [("nul\x00byte", 400), ("lone\udb0bsurrogate", 400), ("x" * 5000, 401)]
)
async def test_an_impossible_client_id_is_refused_not_a_server_error(
    app_client: httpx.AsyncClient, client_id: str, status: int
) -> None:
    # Found by schemathesis: PostgreSQL refuses NUL in a parameter, which used to surface as a 500.
    # NUL and lone surrogates are refused as text before any lookup (invalid_characters).
    body = {"client_id": client_id, "client_secret": "s", "grant_type": "client_credentials"}
    response = await app_client.post(
        "/v2/oauth", content=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )

    assert response.status_code == status
