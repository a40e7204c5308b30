"""Requests that use persisted documents, and documents no other test has registered."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.applications import Starlette

from app.persisted.rules import sha256_hex
from tests.graphql.conftest import GraphQLClient

# Random hex spelled without digits: a run of 13+ digits in a stored document can pass for a card number,
# which the end-of-session scan of the test database (tests/storage_dump.py) rightly reports.
_NO_DIGITS = str.maketrans("0123456789", "ghijklmnop")


def unique_query() -> str:
    """A valid query text (and so a hash) that no other test has sent."""
    return f"query Unique {{ t{uuid.uuid4().hex.translate(_NO_DIGITS)}: __typename }}"


def persisted_extension(query: str | None = None, sha256: str | None = None) -> dict[str, Any]:
    """`extensions` naming a document by hash (of `query` unless `sha256` is given), protocol version 1."""
    digest = sha256 if sha256 is not None else sha256_hex(str(query))
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def post_json(gql: GraphQLClient, payload: dict[str, Any], **headers: str) -> httpx.Response:
    """POST one JSON payload as `gql`'s merchant."""
    return await gql.http.post(
        "/graphql",
        content=json.dumps(payload).encode(),
        headers={"content-type": "application/json", "authorization": str(gql.authorization), **headers},
    )


async def get_params(gql: GraphQLClient, parameters: dict[str, Any]) -> httpx.Response:
    """GET with the parameters in the query string (objects JSON-encoded), as `gql`'s merchant."""
    encoded = {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in parameters.items()
    }
    return await gql.http.get(
        "/graphql?" + urlencode(encoded),
        headers={"authorization": str(gql.authorization), "accept": "application/json"},
    )


@asynccontextmanager
async def client_of(app: Starlette, authorization: str | None) -> AsyncIterator[GraphQLClient]:
    """A GraphQLClient on another app instance (another worker), closed with its services."""
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http, app, authorization)
    finally:
        await app.state.services.close()
