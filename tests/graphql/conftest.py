"""Fixtures for the GraphQL tests: a real app over HTTP (ASGI transport), acting as a merchant.

Every test here that builds settings runs once per engine mode (`GATEWAY_GRAPHQL_ENGINE`): `fast` on
both databases, `stock` on SQLite (the engine does not depend on the database, and this keeps the
added suite time small). `TEST_GRAPHQL_ENGINE=fast|stock` runs one mode only, on both databases.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from app.auth import ALL_SCOPES, Scope, signature_digest
from app.main import create_app
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import GRAPHQL_ENGINES, Settings

GRAPHQL_TESTS = Path(__file__).parent


def _unwanted(item: pytest.Item, wanted: str | None) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None or GRAPHQL_TESTS not in item.path.parents:
        return False
    mode = callspec.params.get("graphql_engine")
    if mode is None:
        return False
    if wanted is not None:
        return bool(mode != wanted)
    return mode == "stock" and callspec.params.get("database_url") != "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the stock-mode runs on PostgreSQL (or every run of another mode than TEST_GRAPHQL_ENGINE)."""
    wanted = os.environ.get("TEST_GRAPHQL_ENGINE") or None
    if wanted is not None and wanted not in GRAPHQL_ENGINES:
        raise pytest.UsageError(f"TEST_GRAPHQL_ENGINE must be one of {', '.join(GRAPHQL_ENGINES)}")
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (dropped if _unwanted(item, wanted) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=GRAPHQL_ENGINES)
def graphql_engine(request: pytest.FixtureRequest) -> str:
    """The engine mode the app under test runs operations with."""
    return str(request.param)


@pytest.fixture
def settings(settings: Settings, graphql_engine: str) -> Settings:
    """The shared test settings, in this run's engine mode."""
    return replace(settings, graphql_engine=graphql_engine)


async def issue_token(services: Services, merchant: Merchant, scopes: frozenset[Scope] = ALL_SCOPES) -> str:
    """A Bearer token for the merchant with the given scopes."""
    issued = await services.merchants.issue_token(
        grant_type="client_credentials",
        client_id=merchant.authenticity_token,
        client_secret=merchant.merchant_key,
        scopes=sorted(scopes),
    )
    return issued.access_token


def signed_header(
    merchant: Merchant, body: bytes, fullpath: str = "/graphql", timestamp: int | None = None
) -> str:
    """A WP3-v2.1 Authorization header for a request to `fullpath` with this raw body."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = signature_digest(
        merchant_key=merchant.merchant_key,
        timestamp=stamp,
        authenticity_token=merchant.authenticity_token,
        fullpath=fullpath,
        body=body,
    )
    return f"WP3-v2.1 {merchant.authenticity_token} {stamp} {digest}"


def operation_body(query: str, variables: Mapping[str, Any] | None = None) -> bytes:
    """The JSON body of one GraphQL operation."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = dict(variables)
    return json.dumps(payload).encode()


@dataclass
class GraphQLClient:
    """Posts operations to /graphql with one Authorization header."""

    http: httpx.AsyncClient
    app: Starlette
    authorization: str | None

    async def post(
        self, query: str, variables: Mapping[str, Any] | None = None, *, authorization: str | None = None
    ) -> httpx.Response:
        """The raw HTTP response to one operation."""
        header = authorization or self.authorization
        headers = {"content-type": "application/json"}
        if header is not None:
            headers["authorization"] = header
        return await self.http.post("/graphql", content=operation_body(query, variables), headers=headers)

    async def execute(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of an operation that must succeed without errors."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def errors(self, query: str, variables: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The `errors` of an operation that must fail (with HTTP 200, as GraphQL errors do)."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body.get("errors"), body
        return body["errors"]


@pytest.fixture
def graphql_settings(settings: Settings) -> Settings:
    """Settings of the app under test (tests with other limits override this fixture)."""
    return settings


@pytest.fixture
async def graphql_app(graphql_settings: Settings) -> AsyncIterator[Starlette]:
    """A fresh app on the test database."""
    app = create_app(graphql_settings)
    yield app
    await app.state.services.close()


@pytest.fixture
async def http(graphql_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app."""
    transport = httpx.ASGITransport(app=graphql_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def gql(
    http: httpx.AsyncClient, graphql_app: Starlette, services: Services, merchant: Merchant
) -> GraphQLClient:
    """A client acting as `merchant` with a token carrying every scope."""
    return GraphQLClient(http, graphql_app, f"Bearer {await issue_token(services, merchant)}")


@pytest.fixture
async def other_gql(
    http: httpx.AsyncClient, graphql_app: Starlette, services: Services, other_merchant: Merchant
) -> GraphQLClient:
    """A client acting as `other_merchant`."""
    return GraphQLClient(http, graphql_app, f"Bearer {await issue_token(services, other_merchant)}")
